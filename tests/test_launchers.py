"""Results do not depend on the launcher: basic, joblib and Ray give the same
per-job files for the same overrides and seeds.

The Ray test runs only where the `ray` extra is installed (CI installs it). It
starts a new local Ray instance bound to 127.0.0.1 with no dashboard
(configs/hydra/launcher/ray_local.yaml), which stops when the sweep ends.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import start_run_py

SWEEP = [
    "strategy=baseline,price_cut",
    "seed=0,1",
    "strategy.rollout_step=10",
    "steps=30",
    "population.n=800",
    "output.plots=false",
]


def _sweep(sweep_dir: Path, launcher: str, *extra: str, listening: set | None = None) -> str:
    """Run the sweep; if `listening` is given, add to it every address a process
    of the sweep listens on while it runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    env["RAY_DEDUP_LOGS"] = "0"  # every job's progress line, not "repeated 2x"
    args = ["-m", *SWEEP, *extra, f"hydra/launcher={launcher}", f"hydra.sweep.dir={sweep_dir}"]
    process = start_run_py(*args, cwd=sweep_dir.parent, env=env)
    deadline = time.monotonic() + 600
    while listening is not None and process.poll() is None and time.monotonic() < deadline:
        listening |= _listening(_descendants(process.pid))
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=max(1, deadline - time.monotonic()))
    assert process.returncode == 0, stderr[-3000:]
    return stdout + stderr


def _descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _listening(pids: set[int]) -> set[str]:
    """The TCP addresses these processes listen on (`ss -ltnpH`)."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    return {
        line.split()[3]
        for line in out.splitlines()
        if {int(p) for p in re.findall(r"pid=(\d+)", line)} & pids
    }


def _tables(sweep_dir: Path, pattern: str = "*/timeseries.csv*") -> dict[str, bytes]:
    return {str(p.relative_to(sweep_dir)): p.read_bytes() for p in sweep_dir.glob(pattern)}


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> tuple[Path, str]:
    """The sweep on the basic launcher, once for the module: the reference."""
    sweep_dir = tmp_path_factory.mktemp("launchers") / "basic"
    return sweep_dir, _sweep(sweep_dir, "basic", "output.tables=csv.gz")


def test_compressed_tables_are_the_same_bytes_under_basic_and_joblib(tmp_path, basic):
    joblib = tmp_path / "joblib"
    said = {"basic": basic[1], "joblib": _sweep(joblib, "joblib", "output.tables=csv.gz")}
    out = {"basic": _tables(basic[0]), "joblib": _tables(joblib)}
    for launcher, sweep_dir in (("basic", basic[0]), ("joblib", joblib)):
        # one line per job from the sweep, not the launcher's list of jobs first
        assert "#0 :" not in said[launcher] and said[launcher].count("[4/4]") == 1, said
        report = (sweep_dir / "comparison.md").read_text()
        assert f"python run.py -m hydra/launcher={launcher} " in report  # the command made it
    assert len(out["basic"]) == 4 and all(k.endswith(".csv.gz") for k in out["basic"])
    assert out["basic"] == out["joblib"]


def test_ray_gives_the_same_jobs_as_basic_on_loopback_only(tmp_path, basic):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    ray = tmp_path / "ray"
    listening: set[str] = set()
    _sweep(ray, "ray_local", "output.tables=csv.gz", listening=listening)
    assert listening, "no Ray process was seen listening"
    loopback = ("127.0.0.1:", "[::ffff:127.0.0.1]:", "[::1]:")
    assert all(a.startswith(loopback) for a in listening), listening
    assert len(_tables(ray)) == 4
    assert _tables(basic[0]) == _tables(ray)
    assert (basic[0] / "comparison.csv").read_bytes() == (ray / "comparison.csv").read_bytes()
    # resuming is the job's own check of its folder (sim/runs/sweep.py), the same
    # under every launcher: tests/test_comparison.py interrupts and resumes a sweep
