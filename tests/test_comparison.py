"""Comparing strategies: the key-experience method, paired differences with
intervals, ROI, and sweeps that resume."""

import json
import signal
import subprocess
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.codes import DIMENSIONS
from sim.interventions.survey import key_dimension, key_experience_table, survey
from sim.model import LoyaltyModel
from sim.runs.comparison import collect_runs, compare, mean_interval, paired_bootstrap
from sim.runs.summary import evaluate
from tests.helpers import small_config, start_run_py


def _scores(**by_dimension: float) -> np.ndarray:
    return np.array([by_dimension[d] for d in DIMENSIONS], dtype=float)


def test_key_experience_reproduces_seed_001_worked_example():
    """美苏电器: experience price 7, brand 7, service 6, product 6, convenience 5,
    relationship 4; expectation 7 on product, price, convenience and brand (met
    elsewhere); convenience matters most (9)."""
    experience = _scores(price=7, brand=7, service=6, product=6, convenience=5, relationship=4)
    expectation = _scores(price=7, brand=7, service=6, product=7, convenience=7, relationship=4)
    importance = _scores(price=7, brand=7, service=5, product=5, convenience=9, relationship=3)
    table = key_experience_table(experience, expectation, importance).set_index("dimension")

    assert key_dimension(table.reset_index()) == "convenience"
    assert table.loc["convenience", "gap"] == -2
    assert table.loc["product", "gap"] == -1
    assert table.loc["convenience", "weighted_gap"] == -18
    assert table.loc["convenience", "ideal_experience"] == 10
    assert table.loc["convenience", "experience_gap"] == -5
    others = table.drop(index="convenience")
    assert (others.experience_gap == 0).all() and not others.key.any()


def test_survey_asks_the_focal_firms_customers(baseline_run):
    model = baseline_run
    table = survey(model.consumers, model.segments, 500, np.random.default_rng(0))
    assert list(table.dimension) == list(DIMENSIONS)
    assert table.key.sum() == 1
    assert (table.importance <= 10).all() and table.importance.max() > 5
    segment = survey(
        model.consumers, model.segments, 500, np.random.default_rng(0), "convenience_seekers"
    )
    # convenience seekers weigh convenience most: it scores 10 for every one of them
    assert segment.set_index("dimension").loc["convenience", "importance"] == pytest.approx(10)


def _runs(strategy_kpis: dict[str, np.ndarray], seeds: int) -> pd.DataFrame:
    rows = []
    for strategy, profit in strategy_kpis.items():
        for seed in range(seeds):
            rows.append(
                {
                    "seed": seed,
                    "strategy": strategy,
                    "scenario": "stable",
                    "setting": "",
                    "annual_churn_rate": 0.1,
                    "mean_nps": 5.0,
                    "revenue": 1e6,
                    "profit": profit[seed],
                    "customer_lifetime_value": 1000.0,
                    "customers": 3000,
                    "market_share": 0.4,
                    "strategy_investment": 0.0 if strategy == "baseline" else 1000.0,
                    "weeks": "52-156",
                }
            )
    return pd.DataFrame(rows)


def _real_runs(
    seeds: int, strategy: str, rollout: int | None = None, price: float = 0.9
) -> pd.DataFrame:
    rows = []
    for seed in range(seeds):
        config = small_config(n=600, seed=seed, steps=20)
        config.strategy.rollout_step = 10
        if strategy != "baseline":
            getattr(config.strategy, strategy).enabled = True
            getattr(config.strategy, strategy).rollout_step = rollout
            config.strategy.price_cut.price = price
        ts = LoyaltyModel(config).run_for(config.steps)
        rows.append(
            {
                "seed": seed,
                "strategy": strategy,
                "scenario": "stable",
                "setting": "",
                "weeks": "10-20",
                **evaluate(ts, config),
            }
        )
    return pd.DataFrame(rows)


def test_identical_configs_give_zero_difference():
    """A strategy that changes no lever is the baseline, seed for seed: its draws
    are the baseline's (a stream per mechanism)."""
    runs = pd.concat([_real_runs(3, "baseline"), _real_runs(3, "price_cut", price=1.0)])
    table = compare(runs).set_index("strategy")
    row = table.loc["price_cut"]
    for kpi in ("profit", "annual_churn_rate", "mean_nps", "revenue", "customers"):
        assert row[f"{kpi}_diff"] == 0
        assert row[f"{kpi}_diff_low"] == 0 and row[f"{kpi}_diff_high"] == 0
    assert np.isnan(row.roi)  # nothing invested


def test_paired_difference_uses_common_seeds():
    """Seed-to-seed noise shared by both arms cancels in the paired difference."""
    noise = np.random.default_rng(1).normal(0, 1000, 8)
    runs = _runs({"baseline": 10_000 + noise, "a": 10_500 + noise + np.arange(8)}, 8)
    row = compare(runs).set_index("strategy").loc["a"]
    assert row.profit_diff == pytest.approx(503.5)
    assert row.profit_diff_high - row.profit_diff_low < 10  # noise of 1000 cancelled
    assert row.profit_high - row.profit_low > 500  # but not in the arm's own interval
    assert row.roi == pytest.approx(503.5 / 1000)


def test_intervals_shrink_with_more_seeds():
    """Twelve seeds against each third of them (the mean width of the three
    four-seed intervals: any one set of four may happen to agree closely)."""
    runs = pd.concat([_real_runs(12, "baseline"), _real_runs(12, "price_cut")])
    thirds = [
        compare(runs[runs.seed // 4 == k]).set_index("strategy").loc["price_cut"] for k in range(3)
    ]
    many = compare(runs).set_index("strategy").loc["price_cut"]
    for kpi in ("profit", "profit_diff", "revenue_diff"):
        width_few = np.mean([few[f"{kpi}_high"] - few[f"{kpi}_low"] for few in thirds])
        width_many = many[f"{kpi}_high"] - many[f"{kpi}_low"]
        assert width_many < width_few


def test_mean_interval_is_a_student_t_interval():
    mean, _low, high = mean_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    # t(0.975, 3) = 3.182, sem = 0.6455
    assert mean == 2.5 and high - mean == pytest.approx(3.1824 * 0.6455, rel=1e-3)
    assert np.isnan(mean_interval(np.array([1.0]))[1])


def test_roi_interval_brackets_the_estimate():
    gain = np.array([100.0, 150.0, 80.0, 120.0, 90.0])
    spent = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    _, (roi, low, high) = paired_bootstrap(gain, spent)
    assert roi == pytest.approx(1.08) and low < roi < high


@pytest.mark.parametrize("seed", range(20))
def test_profit_and_roi_intervals_agree_on_sign(seed):
    """The advertising_push case: a profit interval across zero next to an ROI
    interval above it, when one came from a t interval and the other from a
    bootstrap. From the same resamples they cannot disagree."""
    rng = np.random.default_rng(seed)
    gain = rng.normal(20_000, 60_000, 10)
    spent = rng.uniform(1_000, 40_000, 10)
    (_, low, high), (_, roi_low, roi_high) = paired_bootstrap(gain, spent, seed)
    assert np.sign(low) == np.sign(roi_low) and np.sign(high) == np.sign(roi_high)


# --- sweeps from the command line ----------------------------------------------

SWEEP = ["strategy=baseline,price_cut", "population.n=800", "output.plots=false"]


def _sweep(sweep_dir: Path, *extra: str, cwd: Path) -> subprocess.Popen:
    return start_run_py("-m", *SWEEP, *extra, f"hydra.sweep.dir={sweep_dir}", cwd=cwd)


def test_a_sweep_writes_the_comparison(tmp_path):
    sweep_dir = tmp_path / "sweep"
    proc = _sweep(sweep_dir, "seed=0,1,2", "steps=30", "strategy.rollout_step=10", cwd=tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "[6/6]" in out and "comparison:" in out
    table = pd.read_csv(sweep_dir / "comparison.csv")
    assert set(table.strategy) == {"baseline", "price_cut"}
    assert (table.seeds == 3).all() and (table.paired_seeds == 3).all()
    assert {"profit_diff_low", "roi", "roi_high", "rank"} <= set(table.columns)
    assert (sweep_dir / "comparison.png").stat().st_size > 10_000
    assert "price_cut" in (sweep_dir / "comparison.md").read_text()
    assert len(collect_runs(sweep_dir)) == 6


def test_an_interrupted_sweep_resumes_without_redoing_finished_jobs(tmp_path):
    sweep_dir = tmp_path / "sweep"
    long = ["seed=0,1", "steps=800"]
    proc = _sweep(sweep_dir, *long, cwd=tmp_path)
    first = sweep_dir / "population.n=800,seed=0,steps=800,strategy=baseline"
    deadline = time.time() + 120
    while not (first / "summary.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    while len(list(sweep_dir.glob("*/.hydra/config.yaml"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the second job is under way: its burn-in done, its weeks running
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert not json.loads((first / "summary.json").read_text())["interrupted"]
    kept = (first / "timeseries.csv").stat().st_mtime_ns
    unfinished = [
        p for p in sweep_dir.glob("*/summary.json") if json.loads(p.read_text())["interrupted"]
    ]
    assert unfinished, "the job under way when interrupted writes what it completed"

    proc = _sweep(sweep_dir, *long, cwd=tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.count("already done, kept") >= 1
    assert (first / "timeseries.csv").stat().st_mtime_ns == kept
    summaries = [json.loads(p.read_text()) for p in sweep_dir.glob("*/summary.json")]
    assert len(summaries) == 4 and not any(s["interrupted"] for s in summaries)
    assert len(pd.read_csv(sweep_dir / "comparison.csv")) == 2


def test_a_job_made_by_other_code_runs_again_and_the_sweep_says_why(tmp_path):
    sweep_dir = tmp_path / "sweep"
    small = ["seed=0", "steps=20", "strategy.rollout_step=5"]
    out, err = _sweep(sweep_dir, *small, cwd=tmp_path).communicate(timeout=300)
    summaries = sorted(sweep_dir.glob("*/summary.json"))
    assert len(summaries) == 2
    made_by = json.loads(summaries[0].read_text())["code_version"]
    assert made_by.startswith(version("loyalty-sim"))  # the package's, then the commit

    old = json.loads(summaries[0].read_text()) | {"code_version": "0.0.9+0ld"}
    summaries[0].write_text(json.dumps(old))
    proc = _sweep(sweep_dir, *small, cwd=tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"{summaries[0].parent.name}: running again, made by 0.0.9+0ld, this is " in out
    assert out.count("already done, kept") == 1  # the other job, made by this code
    assert json.loads(summaries[0].read_text())["code_version"] == made_by
