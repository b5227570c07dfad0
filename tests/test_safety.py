"""Safe at the edges: bad input is one line and leaves nothing behind;
interrupted, killed or failed runs keep whole files, say what is missing,
and continue where they stopped with the results of an uninterrupted run."""

import errno
import json
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.runs import reporting
from sim.runs.cli import preflight, problem
from sim.runs.simulation import CHECKPOINT, finished, simulate
from tests.helpers import run_py, small_config, start_run_py

TOO_LONG = "9" * 5000


@pytest.mark.parametrize(
    "args, says",
    [
        ([f"population.n={TOO_LONG}"], "(5,013 characters) is not allowed: an override of at most"),
        ([f"{'k' * 5000}=1"], "(5,002 characters) is not allowed"),
        (["population.n=" + "9" * 500], "needs more than an exabyte of memory"),
        (["population.n=1000000000"], "GB of memory and this machine has"),
        (["-m", "seed=1", "hydra/launcher=nonexistent"], "expected one of basic, joblib"),
        (["+population.nn=5"], "'population.nn' is not a config key"),
        (
            ["network.path=edges.txt"],
            "network.path='edges.txt' is not allowed: expected null unless",
        ),
        (["scenario=price_war", "scenario.rival=3"], "scenario.rival=3 is not allowed"),
        (["network=complete", "population.n=6000"], "population.n <= 5000"),
    ],
)
def test_bad_input_is_one_line(args, says, tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stop:
        preflight([*args, "steps=2", f"hydra.run.dir={out}", f"hydra.sweep.dir={out}"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("error: ") and says in lines[0], lines[0]


@pytest.mark.parametrize(
    "args",
    [["+population.nn=5"], ["network=complete", "population.n=6000"]],  # before, inside the job
)
def test_bad_input_leaves_no_folder(args, tmp_path):
    out = tmp_path / "out"
    result = run_py(*args, "steps=2", f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()


def test_an_output_folder_at_or_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    for folder in ("file", "file/run"):
        result = run_py("steps=2", f"hydra.run.dir={tmp_path / folder}", cwd=tmp_path)
        assert result.returncode == 2
        where = f"hydra.run.dir='{tmp_path / folder}'"
        assert result.stderr.strip() == f"error: {where} is not allowed: {tmp_path}/file is a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = run_py("steps=2", f"hydra.run.dir={locked / 'run'}", cwd=tmp_path)
    assert result.returncode == 2 and "is not writable" in result.stderr


@pytest.mark.parametrize(
    "content, says",
    [
        ("0 1\n1 1\n", "edge 2 joins a node to itself"),
        ("0 1 2\n", "line 1 is not"),
        ("1_0 2\n", "line 1 is not"),
        ("0 99999999999999999999\n", "a node id is larger"),
        ("0 1\nSECRET_TOKEN hunter2\n", "line 2 is not"),
    ],
)
def test_an_edge_file_is_read_strictly_and_never_quoted(content, says, tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text(content)
    message = problem(["network=file", f"network.path={edges}", "population.n=300", "steps=2"])
    assert says in message and "SECRET" not in message and "hunter2" not in message


def test_a_week_without_a_focal_visit_runs():
    config = small_config(n=2000, steps=10)
    config.population.initial_focal_share = 0.0
    config.output.plots = False
    from sim.model import LoyaltyModel

    ts = LoyaltyModel(config).run_for(10)
    assert len(ts) == 11 and ts.visits.iloc[1:].ge(0).all()


def _wait_for(path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


RUN = ["steps=300", "population.n=3000", "output.plots=false", "output.checkpoint_every=10"]


def test_a_killed_run_continues_from_its_checkpoint_with_identical_results(tmp_path):
    cut, whole = tmp_path / "cut", tmp_path / "whole"
    proc = start_run_py(*RUN, f"hydra.run.dir={cut}", cwd=tmp_path)
    _wait_for(cut / CHECKPOINT)
    proc.kill()  # SIGKILL: no handler runs
    proc.communicate(timeout=60)
    assert not (cut / "summary.json").exists() and (cut / CHECKPOINT).exists()

    resumed = run_py(*RUN, f"hydra.run.dir={cut}", "resume=true", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "continued from the checkpoint of week" in resumed.stdout
    assert run_py(*RUN, f"hydra.run.dir={whole}", cwd=tmp_path).returncode == 0
    for table in ("timeseries.csv", "firms.csv", "flows.csv", "key_experience.csv"):
        assert (cut / table).read_bytes() == (whole / table).read_bytes(), table
    assert not (cut / CHECKPOINT).exists()  # a finished run keeps no checkpoint


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_plotting_keeps_whole_files_and_resume_finishes(sig, code, tmp_path):
    out = tmp_path / "run"
    args = ["steps=20", "population.n=3000", f"hydra.run.dir={out}"]
    proc = start_run_py(*args, cwd=tmp_path)
    _wait_for(out / "plots" / "customers_and_share.png")
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"interrupted by {sig.name} after 20 of 20")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] and summary["stopped_by"] == sig.name
    assert summary["missing_outputs"] and all(
        m.startswith("plots/") for m in summary["missing_outputs"]
    )
    assert not list(out.rglob(".*.part"))  # nothing half-written
    assert len(pd.read_csv(out / "timeseries.csv")) == 21

    done = run_py(*args, "resume=true", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert not summary["interrupted"] and not summary["missing_outputs"]
    assert len(list((out / "plots").glob("*.png"))) == 9


def test_a_full_disk_leaves_whole_tables_and_says_so(tmp_path, monkeypatch):
    def no_space(draw, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(reporting, "_write_figure", no_space)
    config = small_config(n=600, steps=5)
    summary = simulate(config, tmp_path)
    assert summary["failed"].endswith("No space left on device")
    assert summary["interrupted"] and "plots/customers_and_share.png" in summary["missing_outputs"]
    assert json.loads((tmp_path / "summary.json").read_text())["interrupted"]
    assert len(pd.read_csv(tmp_path / "timeseries.csv")) == 6
    assert not list(tmp_path.rglob(".*.part"))
    assert finished(config, tmp_path) is None  # a sweep runs it again


def test_a_job_with_a_missing_output_is_not_kept(tmp_path):
    config = small_config(n=600, steps=5)
    simulate(config, tmp_path)
    assert finished(config, tmp_path) is not None
    (tmp_path / "plots" / "economics.png").unlink()
    assert finished(config, tmp_path) is None


def test_a_summary_written_before_outputs_were_listed_is_still_read(tmp_path):
    config = small_config(n=600, steps=5)
    summary = simulate(config, tmp_path)
    del summary["outputs"]  # as summary.json was before atomic writes
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert finished(config, tmp_path) is not None
    (tmp_path / "timeseries.csv").unlink()
    assert finished(config, tmp_path) is None
