"""Pattern-oriented calibration (`python -m sim.calibrate`, sim/runs/calibration.py):
its targets files, its outputs and resumption, and that it finds parameters back."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.config import Config, free_parameters
from sim.runs.calibration import statistics
from sim.runs.simulation import replicate
from tests.helpers import ROOT

TINY = ["population.n=1500", "steps=40", "burn_in=26", "network.mean_degree=8"]


def calibrate(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.calibrate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _value(config: object, key: str) -> float:
    for part in key.split("."):
        config = getattr(config, part)
    return config


def test_the_shipped_defaults_are_the_calibration_to_the_source_texts():
    shipped = yaml.safe_load((ROOT / "configs" / "calibration" / "seeds.yaml").read_text())
    flat = {f"{a}.{b}": v for a, values in shipped.items() for b, v in values.items()}
    assert set(flat) == set(free_parameters())
    for key, value in flat.items():
        assert _value(Config(), key) == pytest.approx(value), key


def test_every_free_parameter_lies_in_its_prior():
    for key, prior in free_parameters().items():
        assert prior.low < _value(Config(), key) < prior.high, key


def test_every_target_names_a_statistic_of_the_run_summary():
    targets = yaml.safe_load((ROOT / "configs" / "targets" / "seeds.yaml").read_text())
    assert {t["statistic"] for t in targets.values()} <= set(statistics())


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "statistic: happiness\n  value: 1\n  tolerance: 0.1",
            "targets.broken.statistic='happiness'",
        ),
        (
            "statistic: annual_churn_rate\n  value: 0.1\n  tolerance: -0.1",
            "targets.broken.tolerance=-0.1 is not allowed: expected a number > 0",
        ),
        ("statistic: annual_churn_rate\n  tolerance: 0.1", "targets.broken.value"),
    ],
)
def test_a_bad_targets_file_gets_one_line(tmp_path, body, message):
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "bad.yaml").write_text(f"# @package targets\nbroken:\n  {body}\n")
    result = calibrate("targets=bad", f"hydra.searchpath=[file://{tmp_path}]", *TINY, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_an_unknown_free_parameter_gets_one_line(tmp_path):
    result = calibrate("free=[churn.happiness]", *TINY, cwd=tmp_path)
    assert result.returncode == 2
    assert "free='churn.happiness' is not allowed" in result.stderr.strip()


def test_a_calibration_writes_its_outputs_and_resumes(tmp_path):
    sweep = tmp_path / "calibration"
    tinier = ["population.n=600", "steps=30", "burn_in=10", "network.mean_degree=6"]
    args = ["trials=3", "seeds=2", *tinier, f"hydra.sweep.dir={sweep}"]
    first = calibrate(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    for name in ("fit.csv", "fit.png", "validation.csv", "trials.csv", "calibrated.yaml"):
        assert (sweep / name).exists(), name
    fitted = pd.read_csv(sweep / "fit.csv")
    assert list(fitted.columns[:6]) == ["target", "observed", "simulated", "low", "high", "within"]
    assert len(fitted) == len(yaml.safe_load((ROOT / "configs/targets/seeds.yaml").read_text()))
    validation = pd.read_csv(sweep / "validation.csv")
    assert list(validation.columns) == list(fitted.columns)
    assert len(pd.read_csv(sweep / "trials.csv")) == 3
    calibrated = yaml.safe_load((sweep / "calibrated.yaml").read_text())
    assert {f"{a}.{b}" for a, v in calibrated.items() for b in v} == set(free_parameters())

    more = calibrate(*args[1:], "trials=4", cwd=tmp_path)  # resumed with a bigger budget
    assert more.returncode == 0, more.stderr[-2000:]
    assert more.stdout.count("already done, kept") == 3
    assert len(pd.read_csv(sweep / "trials.csv")) == 4


def _in_prior_scale(value: float, prior) -> float:
    return np.log(value) if prior.log else value


def test_the_calibration_finds_known_parameters_back(tmp_path):
    """Targets simulated from a perturbed parameter set are calibrated back to
    within a tenth of each parameter's prior (on the prior's own scale)."""
    true = {"word_of_mouth.promoter_tie_rate": 0.08, "word_of_mouth.unhappy_tie_probability": 0.5}
    base = Config(seed=0, steps=40, burn_in=26)
    base.population.n = 1500
    base.network.mean_degree = 8
    perturbed = dataclasses.replace(
        base,
        word_of_mouth=dataclasses.replace(
            base.word_of_mouth, promoter_tie_rate=0.08, unhappy_tie_probability=0.5
        ),
    )
    rates = [s["rates"] for s in replicate(perturbed, 2)]
    stats = {
        "positive_to_negative": ("positive_to_negative_word_of_mouth", 0.2),
        "told": ("told_per_unhappy_customer", 0.3),
    }
    targets = {
        name: {
            "statistic": stat,
            "value": float(np.mean([r[stat] for r in rates])),
            "tolerance": tol,
        }
        for name, (stat, tol) in stats.items()
    }
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "known.yaml").write_text(
        "# @package targets\n" + yaml.safe_dump(targets)
    )
    sweep = tmp_path / "recovery"
    result = calibrate(
        "targets=known",
        f"hydra.searchpath=[file://{tmp_path}]",
        f"free=[{','.join(true)}]",
        "trials=30",
        "seeds=2",
        *TINY,
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    calibrated = yaml.safe_load((sweep / "calibrated.yaml").read_text())
    priors = free_parameters()
    for key, value in true.items():
        group, name = key.split(".")
        prior = priors[key]
        found = _in_prior_scale(calibrated[group][name], prior)
        tenth = (_in_prior_scale(prior.high, prior) - _in_prior_scale(prior.low, prior)) / 10
        assert abs(found - _in_prior_scale(value, prior)) < tenth, (key, calibrated)


@pytest.mark.parametrize(
    "launcher, target", [("basic", "BasicLauncher"), ("ray_local", "RayLauncher")]
)
def test_a_calibration_composes_on_other_launchers(tmp_path, launcher, target):
    """The app's own launcher settings must not name keys only joblib has."""
    result = calibrate(f"hydra/launcher={launcher}", "--cfg", "hydra", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{target}\n" in result.stdout
