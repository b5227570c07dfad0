"""Forecasting a transaction log (`python -m sim.forecast`, sim/runs/forecast.py):
the cohort counted as the log counts it, customers entering at their first
purchase, the model's conditional expectation, and the command's outputs,
resumption and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.codes import FOCAL, PROSPECT
from sim.config import ForecastData, ForecastRun
from sim.forecast import check
from sim.model import LoyaltyModel
from sim.runs.cli import compose_config
from sim.runs.forecast import (
    Cohort,
    check_log,
    cohort_config,
    conditional_holdout,
    log_cohort,
    read_log,
    simulate,
    statistics,
)
from sim.transactions import WEEK
from tests.helpers import ROOT
from tests.test_transactions import CDNOW, CDNOW_COLUMNS

FREE = {"churn": {"base_logit": [-9.0, -3.0]}}


def _run(path: Path = CDNOW, weeks: int = 39, **options) -> ForecastRun:
    data = ForecastData(path=str(path), calibration_weeks=weeks, **CDNOW_COLUMNS)
    return ForecastRun(data=data, free=FREE, **options)


def _subset(tmp_path: Path, customers: int) -> Path:
    """The CDNOW sample's first `customers` customers (by sample id)."""
    lines = CDNOW.read_text().splitlines()
    kept = [line for line in lines if int(line.split()[1]) <= customers]
    path = tmp_path / "subset.txt"
    path.write_text("\n".join(kept) + "\n")
    return path


def test_the_cohort_counts_repeat_transactions_as_the_log_does():
    run = _run()
    visits = read_log(run)
    cohort = log_cohort(visits, 39)
    assert cohort.size == 2357 and cohort.weeks == 78
    # counted here another way: every visit after the customer's first, by week
    first = visits.groupby("customer")["date"].transform("min")
    repeats = visits.loc[visits["date"] > first, "date"]
    by_week = np.bincount((repeats - visits["date"].min()) // WEEK, minlength=78)
    np.testing.assert_array_equal(cohort.weekly(), by_week)
    assert cohort.weekly()[:39].sum() == 2457  # the paper's calibration period
    x = cohort.per_customer(0, 39)
    assert (x == 0).sum() == 1411
    observed = statistics(cohort, 39)
    shares = [v for k, v in observed.items() if k.startswith("customers_with_")]
    assert sum(shares) == pytest.approx(1.0)
    thirds = [v for k, v in observed.items() if k.startswith("repeaters_last_buying")]
    assert sum(thirds) == pytest.approx(1.0)
    assert observed["repeat_transactions_by_week_39"] == 2457


def test_a_short_calibration_keeps_only_customers_seen_in_it():
    cohort = log_cohort(read_log(_run()), 4)
    assert cohort.size < 2357 and cohort.first_week.max() == 3


def test_customers_enter_the_market_in_the_week_of_their_first_purchase():
    config = cohort_config(_run(weeks=12), weeks=12, seed=3)
    model = LoyaltyModel(config)
    arrival = model.arrival[model.arrival >= 0]  # the log's customers come first
    assert (model.consumers.provider[: len(arrival)] == PROSPECT).all()
    for week in range(12):
        model.step()
        visited = model.events.encounters.visitors[model.events.focal_visit]
        arriving = np.flatnonzero(arrival == week)
        assert np.isin(arriving, visited).all()  # their first purchase
        waiting = arrival > week
        assert (model.consumers.provider[: len(arrival)][waiting] == PROSPECT).all()
        assert (model.consumers.provider[arriving] != PROSPECT).sum() >= 0.9 * len(arriving)
    assert (model.consumers.provider == FOCAL).sum() > 0


def test_the_model_cohort_counts_only_purchases_after_the_first():
    config = cohort_config(_run(weeks=20), weeks=20, seed=1)
    cohort = simulate(config)
    assert (cohort.week >= cohort.first_week[cohort.customer]).all()
    assert (cohort.transactions >= 1).all()
    assert cohort.weekly().sum() > 0
    again = simulate(config)  # same seed, same cohort
    np.testing.assert_array_equal(cohort.customer, again.customer)
    np.testing.assert_array_equal(cohort.transactions, again.transactions)


def test_the_conditional_expectation_averages_similar_simulated_customers():
    # simulated customers whose holdout purchases are twice their calibration ones
    rng = np.random.default_rng(0)
    n, split = 400, 10
    x = rng.integers(0, 5, n)
    first = rng.integers(0, 3, n)
    customer = np.concatenate([np.arange(n), np.arange(n)])
    week = np.concatenate([np.full(n, split - 1), np.full(n, split + 1)])
    sims = [Cohort(first, customer, week, np.concatenate([x, 2 * x]), np.zeros(2 * n), 20)]
    actual = Cohort(first[:50], np.arange(50), np.full(50, split - 1), x[:50], np.zeros(50), 20)
    expected = conditional_holdout(sims, actual, split, k=5)
    np.testing.assert_allclose(expected[x[:50] > 0], 2 * x[:50][x[:50] > 0], rtol=0.3)


def forecast(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.forecast", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_forecast_writes_its_outputs_and_resumes(tmp_path):
    log = _subset(tmp_path, 300)
    sweep = tmp_path / "forecast"
    args = [
        f"data.path={log}",
        "data.calibration_weeks=26",
        "trials=3",
        "seeds=1",
        "forecast_seeds=2",
        "hydra/launcher=basic",  # trials this small: worker processes would cost more
        f"hydra.sweep.dir={sweep}",
    ]
    first = forecast(*args, cwd=ROOT)
    assert first.returncode == 0, first.stderr[-2000:]
    for name in ("forecast.csv", "forecast.json", "forecast.png", "fit.csv", "fit.png"):
        assert (sweep / name).exists(), name
    table = pd.read_csv(sweep / "forecast.csv")
    assert list(table.columns[:6]) == ["week", "actual", "simulated", "low", "high", "bgnbd"]
    assert len(table) == 78 and (table.low <= table.simulated).all()
    assert (table.simulated <= table.high).all() and table.actual.is_monotonic_increasing
    scores = json.loads((sweep / "forecast.json").read_text())
    for key in ("mape_abm", "mape_bgnbd", "weekly_mape_abm", "weekly_mape_bgnbd"):
        assert 0 <= scores[key] < 1, key
    assert -1 <= scores["correlation_abm"] <= 1 and scores["customers"] <= 300
    assert "cumulative MAPE" in first.stdout

    more = forecast(*args[:-5], "trials=4", *args[-4:], cwd=ROOT)
    assert more.returncode == 0, more.stderr[-2000:]
    assert more.stdout.count("already done, kept") == 3
    assert len(pd.read_csv(sweep / "trials.csv")) == 4


@pytest.mark.parametrize(
    "override, message",
    [
        ("data.calibration_weeks=90", "data.calibration_weeks=90 is not allowed"),
        ("data.path=nowhere.txt", "data.path='nowhere.txt' is not allowed"),
        ("+free.churn.happiness=[0,1]", "free.churn.happiness"),
        ("free.churn.base_logit=[-3,-9]", "low < high"),
    ],
)
def test_a_forecast_that_cannot_run_gets_one_line(tmp_path, override, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        check([override, "trials=1", f"hydra.sweep.dir={tmp_path}"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1


def test_the_command_line_refuses_before_any_trial(tmp_path):
    result = forecast("data.calibration_weeks=90", f"hydra.sweep.dir={tmp_path}", cwd=ROOT)
    assert result.returncode == 2 and "data.calibration_weeks=90" in result.stderr
    assert not tmp_path.joinpath("0").exists()


def test_any_log_with_its_columns_mapped_makes_a_cohort(tmp_path):
    """A CSV customer,date,amount log (population/log@data=csv) reads as the
    whitespace CDNOW sample does: the calibration never asks which log it is."""
    visits = read_log(_run(_subset(tmp_path, 300), weeks=20))
    sales = tmp_path / "sales.csv"
    visits.assign(date=visits["date"].dt.strftime("%Y-%m-%d"))[
        ["customer", "date", "amount"]
    ].to_csv(sales, index=False)
    run = compose_config(
        ["population/log@data=csv", f"data.path={sales}", "data.calibration_weeks=20"], "forecast"
    )
    check_log(run)
    assert log_cohort(read_log(run), 20).size == log_cohort(visits, 20).size
    cohort = simulate(cohort_config(run, weeks=20, seed=0))
    assert cohort.size == log_cohort(visits, 20).size
