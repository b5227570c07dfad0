"""Sweeps on a real Ray cluster: the README's cluster command, as written there,
against a head and a worker node started here on 127.0.0.1 with token
authentication; and one-line errors when the cluster cannot be reached or
refuses the token.

Runs where the `ray` extra is installed (CI installs it). The command is read
from the README, so the two cannot drift; the test changes only the
placeholders (the head's address, the shared sweep folder) and, for time, the
sweep itself (4 small jobs for `strategy=glob(*)` and `seed=range(100)`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_py

pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="needs the `ray` extra")

RAY = Path(sys.executable).with_name("ray")
SMALL = ["strategy=baseline,price_cut", "seed=0,1"]  # for strategy=glob(*), seed=range(100)
SIZE = ["population.n=800", "steps=30", "strategy.rollout_step=10"]


def readme_cluster_command() -> list[str]:
    """The README's `hydra/launcher=ray_cluster` command, as arguments of run.py."""
    readme = (ROOT / "README.md").read_text()
    joined = readme.replace("\\\n", " ")
    lines = [
        line.strip()
        for line in joined.splitlines()
        if line.strip().startswith("python run.py -m") and "hydra/launcher=ray_cluster" in line
    ]
    assert len(lines) == 1, "the README shows one ray_cluster command"
    return shlex.split(lines[0])[2:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_of(temp_dir: str) -> set[int]:
    """The processes a cluster's `ray start` left running: those whose command
    line names its temp dir, and all their descendants (workers rename
    themselves `ray::...`)."""
    parent, named = {}, set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        if temp_dir in cmdline:
            named.add(int(entry.name))
    found, grew = set(named), True
    while grew:
        children = {pid for pid, ppid in parent.items() if ppid in found} - found
        found |= children
        grew = bool(children)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _stop(pids: set[int]) -> set[int]:
    """SIGTERM, then SIGKILL what is still there after 3 s; what survived."""
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        for pid in _alive(pids):
            with contextlib.suppress(ProcessLookupError):  # gone meanwhile
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while _alive(pids) and time.monotonic() < deadline:
            time.sleep(0.2)
    return _alive(pids)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head and a worker node, one CPU each, on 127.0.0.1, token auth on."""
    token = tmp_path_factory.mktemp("ray") / "auth_token"
    token.write_text(secrets.token_hex(32))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RAY_")},
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
        "RAY_DEDUP_LOGS": "0",
        "PATH": f"{RAY.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths
    gcs, client = _free_port(), _free_port()
    common = [
        "--node-ip-address=127.0.0.1",
        "--num-cpus=1",
        "--object-store-memory=100000000",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
    ]
    head = [
        "--head",
        f"--port={gcs}",
        f"--ray-client-server-port={client}",
        "--include-dashboard=false",
    ]
    try:
        for role in (head, [f"--address=127.0.0.1:{gcs}"]):
            started = subprocess.run(
                [str(RAY), "start", *role, *common],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert started.returncode == 0, started.stderr[-2000:]
        yield {"env": env, "address": f"ray://127.0.0.1:{client}", "temp_dir": temp_dir}
    finally:
        left = _stop(_processes_of(temp_dir))
        shutil.rmtree(temp_dir, ignore_errors=True)
        assert not left, f"Ray processes left running: {sorted(left)}"


def _nodes_of(output: str, temp_dir: str) -> set[str]:
    """The node each job ran on: the job's worker pid (Ray prefixes every line a
    job prints with it), then that worker's log, which names its node."""
    pids = set(re.findall(r"\(_run_job pid=(\d+)", output))
    assert pids, "no job reported from a Ray worker"
    nodes = set()
    for pid in pids:
        logs = list(Path(temp_dir).glob(f"session_*/logs/python-core-worker-*_{pid}.log"))
        assert logs, f"no worker log for pid {pid}"
        nodes |= set(re.findall(r"node_id=(\w+)", logs[0].read_text()))
    return nodes


def _client_server_logs(temp_dir: str) -> str:
    """The tail of the head's Ray client server logs (why one failed to start)."""
    logs = sorted(Path(temp_dir).glob("session_*/logs/ray_client_server*.err"))
    return "".join(f"\n--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs)


def _tables(sweep_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(sweep_dir)): p.read_bytes() for p in sweep_dir.glob("*/timeseries.csv")
    }


CLIENT_SERVER_FAILURES = ("Starting Ray client server failed", "Initialization failure from server")
"""How the Ray client fails when the head's server for it did not start (Ray's, not ours)."""


def test_the_readme_cluster_command_runs_on_both_nodes_as_basic_does(cluster, tmp_path):
    sweep_dir = tmp_path / "cluster"
    args = []
    for arg in readme_cluster_command():
        if arg.startswith(("strategy=", "seed=")):
            continue  # the README's sweep: 1,300 jobs; this test's: SMALL
        arg = arg.replace("ray://HEAD:10001", cluster["address"])
        args.append(arg.replace("/shared/sweeps/NAME", str(sweep_dir)))
    assert f"hydra.sweep.dir={sweep_dir}" in args and "hydra/launcher=ray_cluster" in args
    done = run_py(*args, *SMALL, *SIZE, cwd=tmp_path, timeout=600, env=cluster["env"])
    for _ in range(2):
        if not (done.returncode and any(m in done.stderr for m in CLIENT_SERVER_FAILURES)):
            break
        # Ray's head could not start the client's own server process (seen in CI under
        # load: not ready in time, or its gRPC aborting on fork; its log is below).
        # Running a sweep again into its folder is how a user resumes one (README): do
        # that, at most twice, and show why it was needed.
        why = _client_server_logs(cluster["temp_dir"])
        warnings.warn(
            f"Ray client server failed to start; run again. Head log: {why}", stacklevel=1
        )
        done = run_py(*args, *SMALL, *SIZE, cwd=tmp_path, timeout=600, env=cluster["env"])
    assert done.returncode == 0, done.stderr[-3000:] + _client_server_logs(cluster["temp_dir"])
    assert len(_nodes_of(done.stdout + done.stderr, cluster["temp_dir"])) == 2

    basic = tmp_path / "basic"
    launcher = ("hydra/launcher", "hydra.launcher", "hydra.sweep")
    plain = [a for a in args if not a.startswith(launcher)]
    done = run_py(*plain, *SMALL, *SIZE, f"hydra.sweep.dir={basic}", cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(_tables(sweep_dir)) == 4
    assert _tables(sweep_dir) == _tables(basic)
    assert (sweep_dir / "comparison.csv").read_bytes() == (basic / "comparison.csv").read_bytes()


def _one_line_error(args: list[str], env: dict, cwd: Path) -> str:
    started = time.monotonic()
    done = run_py(*args, cwd=cwd, timeout=120, env=env)
    assert time.monotonic() - started < 25, "no 30 s wait for Ray's client"
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_refused_token_is_one_line_in_seconds(cluster, tmp_path):
    env = {**cluster["env"], "RAY_AUTH_TOKEN": secrets.token_hex(32)}  # not the cluster's
    address = cluster["address"]
    line = _one_line_error(
        ["-m", "hydra/launcher=ray_cluster", f"hydra.launcher.ray.init.address={address}"],
        env,
        tmp_path,
    )
    assert "refused the connection" in line and "token" in line


def test_a_cluster_that_does_not_answer_is_one_line(tmp_path):
    address = f"ray://127.0.0.1:{_free_port()}"
    line = _one_line_error(
        ["-m", "hydra/launcher=ray_cluster", f"hydra.launcher.ray.init.address={address}"],
        dict(os.environ),
        tmp_path,
    )
    assert f"nothing answers at 127.0.0.1:{address.rsplit(':', 1)[1]}" in line


def test_ray_cluster_without_an_address_is_one_line(tmp_path):
    line = _one_line_error(["-m", "hydra/launcher=ray_cluster"], dict(os.environ), tmp_path)
    assert "needs hydra.launcher.ray.init.address=ray://HEAD:10001" in line
