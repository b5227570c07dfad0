"""Results do not depend on the launcher: basic, joblib and Ray give the same
per-job files for the same overrides and seeds, and resume the same way.

The Ray test runs only where the `ray` extra is installed (CI installs it). It
starts a new local Ray instance bound to 127.0.0.1 with no dashboard
(configs/hydra/launcher/ray_local.yaml), which stops when the sweep ends.
"""

import os
from pathlib import Path

import pytest

from tests.helpers import run_py

SWEEP = [
    "strategy=baseline,price_cut",
    "seed=0,1",
    "strategy.rollout_step=10",
    "steps=30",
    "population.n=800",
    "output.plots=false",
]


def _sweep(sweep_dir: Path, launcher: str, *extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_ADDRESS")}
    env["RAY_DEDUP_LOGS"] = "0"  # every job's progress line, not "repeated 2x"
    result = run_py(
        "-m",
        *SWEEP,
        *extra,
        f"hydra/launcher={launcher}",
        f"hydra.sweep.dir={sweep_dir}",
        cwd=sweep_dir.parent,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def _tables(sweep_dir: Path, pattern: str = "*/timeseries.csv*") -> dict[str, bytes]:
    return {str(p.relative_to(sweep_dir)): p.read_bytes() for p in sweep_dir.glob(pattern)}


def test_compressed_tables_are_the_same_bytes_under_basic_and_joblib(tmp_path):
    out = {}
    for launcher in ("basic", "joblib"):
        said = _sweep(tmp_path / launcher, launcher, "output.tables=csv.gz")
        out[launcher] = _tables(tmp_path / launcher)
        # one line per job from the sweep, not the launcher's list of jobs first
        assert "#0 :" not in said and said.count("[4/4]") == 1, said
        report = (tmp_path / launcher / "comparison.md").read_text()
        assert f"python run.py -m hydra/launcher={launcher} " in report  # the command made it
    assert len(out["basic"]) == 4 and all(k.endswith(".csv.gz") for k in out["basic"])
    assert out["basic"] == out["joblib"]


def test_ray_gives_the_same_jobs_as_basic_and_resumes(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    basic, ray = tmp_path / "basic", tmp_path / "ray"
    _sweep(basic, "basic")
    _sweep(ray, "ray_local")
    assert len(_tables(ray)) == 4
    assert _tables(basic) == _tables(ray)
    assert (basic / "comparison.csv").read_bytes() == (ray / "comparison.csv").read_bytes()

    before = {p: p.stat().st_mtime_ns for p in ray.glob("*/timeseries.csv")}
    output = _sweep(ray, "ray_local")
    assert output.count("already done, kept") == 4
    assert before == {p: p.stat().st_mtime_ns for p in ray.glob("*/timeseries.csv")}
