"""Global sensitivity analysis (`python -m sim.sensitivity`, sim/runs/sensitivity.py)
and the robust comparison across parameter draws (`uncertainty=ensemble`,
sim/runs/uncertainty.py, sim/runs/comparison.py)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import Config, SensitivityRun, free_parameters, uncertain_parameters
from sim.runs.cli import problem
from sim.runs.comparison import across_draws, verdict
from sim.runs.sensitivity import analyse, design, noise_floor
from sim.runs.uncertainty import accepted_trials, draw_parameters, drawn

TINY = ["population.n=300", "steps=12", "burn_in=0", "network.mean_degree=6"]
THREE = "parameters=[churn.base_logit,churn.loyalty_weight,experience.loss_aversion]"


def sensitivity(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.sensitivity", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_at_least_twelve_parameters_are_uncertain_each_with_a_range():
    ranges = uncertain_parameters()
    assert len(ranges) >= 12
    assert set(free_parameters()) <= set(ranges)
    for key, prior in ranges.items():
        value = Config()
        for part in key.split("."):
            value = getattr(value, part)
        assert prior.low <= value <= prior.high, key


def test_the_design_is_the_seeds_and_holds_fixed_what_the_command_line_sets():
    run = SensitivityRun(trajectories=4)
    first, again = design(run), design(run)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(design(SensitivityRun(trajectories=4, seed=1)))
    assert len(first) == 4 * (len(uncertain_parameters()) + 1)
    held = design(run, fixed={"churn.base_logit"})
    assert "churn.base_logit" not in held.columns
    for key, prior in uncertain_parameters().items():
        assert first[key].between(prior.low, prior.high).all(), key


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_the_analysis_ranks_parameters_by_their_effect(method):
    """On a known function, y = 10 a + 2 b (c inert), both methods rank a, b, c."""
    run = SensitivityRun(
        method=method,
        trajectories=20,
        samples=256,
        parameters=["churn.attitude_weight", "churn.loyalty_weight", "experience.loss_aversion"],
    )
    table = design(run)
    scaled = {k: (table[k] - p.low) / (p.high - p.low) for k, p in run.varied().items()}
    y = 10 * scaled["churn.attitude_weight"] + 2 * scaled["churn.loyalty_weight"]
    indices = analyse(run, table, pd.DataFrame({"profit": y}), run.varied())
    assert list(indices.sort_values("rank").parameter) == list(run.varied())
    if method == "morris":
        assert indices.mu_star.iloc[0] == pytest.approx(10, rel=0.01)
        assert indices.mu_star.iloc[2] == pytest.approx(0, abs=1e-9)
    else:
        assert indices.ST.iloc[0] == pytest.approx(100 / 104, abs=0.05)
        assert indices.ST.iloc[2] == pytest.approx(0, abs=0.02)


def test_the_noise_floor_is_the_mu_star_of_pure_seed_noise():
    """Outputs that are only noise of standard error 3: every parameter's mu*
    comes out near the floor sensitivity.md quotes."""
    run = SensitivityRun(
        trajectories=200,
        parameters=["churn.attitude_weight", "churn.loyalty_weight", "experience.loss_aversion"],
    )
    table = design(run)
    noise = np.random.default_rng(0).normal(0, 3.0, len(table))
    indices = analyse(run, table, pd.DataFrame({"nps": noise}), run.varied())
    assert indices.mu_star.mean() == pytest.approx(noise_floor(3.0, run.levels), rel=0.1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("parameters=[churn.happiness]", "parameters='churn.happiness' is not allowed"),
        ("+ranges.churn.loyalty_weight=[4,2]", "[low, high] with low < high"),
        ("+ranges.churn.loyalty_weight=[2,2]", "[low, high] with low < high"),
        ("+ranges.churn.loyalty_weight=[2]", "[low, high], two numbers"),
        ("+ranges.churn.loyalty_weight=[-1,2]", "ranges.churn.loyalty_weight=-1 is not"),
        ("+ranges.complaints.voice_rate=[0,0.1]", "low > 0"),
        ("+ranges.churn.happiness=[0,1]", "ranges.churn.happiness=[0, 1] is not allowed"),
        ("ranges.churn.loyalty_weight=[1,2]", "with a plus: +ranges.churn.loyalty_weight"),
        ("method=fast", "method='fast' is not allowed: expected one of morris, sobol"),
        ("trajectories=2", "trajectories=2 is not allowed: expected an integer >= 4"),
        ("levels=3", "an even number of levels"),
        ("method=sobol samples=100", "a power of 2"),
        ("compare=discounts", "compare='discounts' is not allowed"),
        ("steps=40", "strategy.rollout_step=52 is not allowed: expected at most steps = 40"),
        ("strategy.price_cut.price=0.9", "strategy price_cut is not switched on (add compare="),
    ],
)
def test_bad_input_gets_one_line(override, message):
    found = problem(override.split(), "sensitivity", multirun=True)
    assert found is not None and message in found
    assert "\n" not in found


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["seed=1,2"], "seed=1,2 is several values: the sensitivity design sets the points"),
        (["parameters=[churn.base_logit]"], "expected at least 2 parameters to vary"),
        (  # a key set on the command line is held fixed, leaving one to vary
            ["parameters=[churn.base_logit,churn.loyalty_weight]", "churn.loyalty_weight=2"],
            "expected at least 2 parameters to vary",
        ),
    ],
)
def test_a_design_that_cannot_be_made_gets_one_line(argv, message, capsys):
    from sim.sensitivity import check

    with pytest.raises(SystemExit) as stopped:
        check(argv)
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error


def test_a_morris_analysis_writes_its_outputs_and_resumes(tmp_path):
    sweep = tmp_path / "sensitivity"
    two = "parameters=[churn.base_logit,experience.loss_aversion]"
    args = [*TINY, two, "trajectories=4", "seeds=1", "strategy.rollout_step=4"]
    args += ["hydra/launcher=basic", f"hydra.sweep.dir={sweep}"]
    first = sensitivity(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout.count("(run)") == 12  # 4 trajectories of 2 + 1 points
    indices = pd.read_csv(sweep / "sensitivity.csv")
    assert list(indices.columns[:4]) == ["output", "parameter", "mu_star", "sigma"]
    outputs = {"annual_churn", "nps", "profit", "profit_difference"}
    assert set(indices.output) == outputs
    assert len(indices) == 4 * 2
    for output in outputs:
        assert (sweep / f"sensitivity_{output}.png").exists()
    assert "python -m sim.sensitivity" in (sweep / "sensitivity.md").read_text()

    for lost in ("3", "11"):  # as if cut short: two points never finished
        (sweep / lost / "point.json").unlink()
    again = sensitivity(*args, cwd=tmp_path)  # the same command: the rest kept, two run
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.count("already done, kept") == 10
    assert again.stdout.count("(run)") == 2
    # the same seed makes the same points again: the same indices
    pd.testing.assert_frame_equal(pd.read_csv(sweep / "sensitivity.csv"), indices)


def test_a_draw_is_the_same_for_every_seed_and_strategy_and_lies_in_its_ranges():
    config = Config()
    config.uncertainty.draw = 3
    values = draw_parameters(config)
    assert set(values) == set(uncertain_parameters())
    other = Config(seed=9)
    other.uncertainty.draw = 3
    other.strategy.price_cut.enabled = True
    assert draw_parameters(other) == values
    config.uncertainty.draw = 4
    assert draw_parameters(config) != values
    trials = accepted_trials(Config().uncertainty.trials, 1.0)
    free = list(free_parameters())
    picked = [values[k] for k in free]
    assert (trials[free].to_numpy() == picked).all(axis=1).any()  # an accepted trial's
    for key, prior in uncertain_parameters().items():
        assert prior.low <= values[key] <= prior.high or key in free, key
    assert drawn(Config()) == Config()  # no draw: the config as it is


def test_across_draws_counts_the_draws_a_strategy_wins_and_names_what_decides():
    rng = np.random.default_rng(0)
    rows = []
    for draw in range(20):
        weight = 1 + 4 * draw / 19  # 15 of 20 draws above 2
        for seed in range(3):
            gain = 1000 * (weight - 2) + rng.normal(0, 10)  # pays where loyalty_weight > 2
            rows.append(
                {
                    "draw": draw,
                    "seed": seed,
                    "profit": 5000 + gain,
                    "profit_ref": 5000.0,
                    "parameter:churn.loyalty_weight": weight,
                    "parameter:experience.loss_aversion": rng.uniform(1.5, 2.5),
                }
            )
    found = across_draws(pd.DataFrame(rows))
    by_draw = pd.DataFrame(rows).groupby("draw")
    expected = ((by_draw.profit.mean() - 5000) > 0).mean()
    assert found["p_better"] == pytest.approx(expected) == 0.75
    assert found["decided_by"] == "churn.loyalty_weight" and found["rho"] > 0.9
    assert found["profit_diff_p5"] < 0 < found["profit_diff_p95"]
    assert verdict(pd.Series(found)).startswith("depends on churn.loyalty_weight")
    assert verdict(pd.Series({**found, "p_better": 0.95})) == "robust winner"
    assert verdict(pd.Series({**found, "p_better": 0.05})) == "loses"


def test_bad_ensemble_input_gets_one_line(tmp_path):
    bad = tmp_path / "trials.csv"
    bad.write_text("trial,distance\n0,0.5\n")
    found = problem(["uncertainty=ensemble", f"uncertainty.trials={bad}"], multirun=True)
    assert found is not None and "it lacks experience.failure_severity" in found
    found = problem(["uncertainty=ensemble", "uncertainty.accept=0.001"], multirun=True)
    assert found is not None and "uncertainty.accept=0.001 is not allowed" in found


def test_an_ensemble_sweep_reports_how_often_a_strategy_beats_baseline(tmp_path):
    from tests.helpers import run_py

    sweep = tmp_path / "ensemble"
    result = run_py(
        "-m",
        "strategy=baseline,price_cut",
        "seed=0,1",
        "uncertainty=ensemble",
        "uncertainty.draws=3",
        *TINY,
        "strategy.rollout_step=4",
        "output.plots=false",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sweep: 12 jobs" in result.stdout
    table = pd.read_csv(sweep / "comparison.csv")
    cut = table.set_index("strategy").loc["price_cut"]
    assert cut.draws == 3 and cut.seeds == 2 and cut.paired_seeds == 6
    assert 0 <= cut.p_better <= 1 and cut.profit_diff_p5 <= cut.profit_diff_p95
    assert cut.decided_by in uncertain_parameters()
    report = (sweep / "comparison.md").read_text()
    assert "Across 3 parameter draws" in report and "| price_cut |" in report
