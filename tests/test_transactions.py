"""Reading a firm's transaction log (sim/transactions.py): the CDNOW sample as
the paper counts it, same-day purchases as one visit, and one-line errors for
logs that cannot be read."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.codes import FOCAL, PROSPECT
from sim.config import ConfigError, TransactionLogConfig
from sim.model import LoyaltyModel
from sim.runs.bgnbd import first_weeks, fit_bgnbd
from sim.runs.cli import compose_config, problem
from sim.runs.forecast import log_cohort
from sim.transactions import (
    LogError,
    customer_summary,
    read_transaction_log,
)
from tests.helpers import ROOT

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"
CDNOW_COLUMNS = dict(
    separator="whitespace",
    header=False,
    customer="1",
    date="2",
    amount="4",
    quantity="3",
    date_format="%Y%m%d",
)


def _log(path: Path, **columns) -> TransactionLogConfig:
    return TransactionLogConfig(path=str(path), **columns)


def test_the_cdnow_sample_reads_as_the_paper_counts_it():
    visits = read_transaction_log(_log(CDNOW, **CDNOW_COLUMNS))
    assert visits["customer"].nunique() == 2357
    assert visits["date"].min() == pd.Timestamp("1997-01-01")
    assert visits["date"].max() == pd.Timestamp("1998-06-30")
    summary = customer_summary(visits, pd.Timestamp("1997-09-30"))  # 39 weeks
    # as lifetimes' load_cdnow_summary (the paper's calibration period): 2,357
    # customers, 1,411 with no repeat purchase, 2,457 repeat purchases, T <= 38.86
    assert len(summary) == 2357
    assert (summary["frequency"] == 0).sum() == 1411
    assert summary["frequency"].sum() == 2457
    assert summary["T"].max() == pytest.approx(38.857, abs=1e-3)


def test_same_day_purchases_are_one_visit(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "customer,date,amount\na,2024-01-01,10\na,2024-01-01,5\na,2024-01-09,7\nb,2024-01-02,3\n"
    )
    visits = read_transaction_log(_log(log))
    assert visits[["customer", "amount"]].values.tolist() == [["a", 15.0], ["a", 7.0], ["b", 3.0]]
    summary = customer_summary(visits, pd.Timestamp("2024-01-14"))
    assert summary.loc["a", "frequency"] == 1 and summary.loc["b", "frequency"] == 0
    assert summary.loc["a", "recency"] == pytest.approx(8 / 7)


def test_a_log_that_is_not_there_or_a_separator_not_known_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"log.path='.*nothing.csv' is not allowed"):
        read_transaction_log(_log(tmp_path / "nothing.csv"))
    with pytest.raises(
        ConfigError, match=re.escape("log.separator='|' is not allowed: expected one of")
    ):
        read_transaction_log(_log(CDNOW, separator="|"))


@pytest.mark.parametrize(
    "text, columns, message",
    [
        ("", {}, "a log with at least one purchase"),
        ("customer,date,amount\n", {}, "a log with at least one purchase"),
        (
            "id,date,amount\na,2024-01-01,3\n",
            {},
            "log.customer='customer' is not allowed: expected a column of the log (id, date,",
        ),
        ("customer,date,amount\na,2024-13-01,3\n", {}, "line 2: log.date='2024-13-01'"),
        (
            "customer,date,amount\na,2024-01-01,3\nb,2024-01-02,-1\n",
            {},
            "line 3: log.amount='-1' is not allowed: expected a number >= 0",
        ),
        (
            "customer,date,amount\na,2024-01-01,3\ncustomer,date,amount\n",
            {},
            "line 3: log.header=True is not allowed: expected the header once, at the top",
        ),
        ("customer,date,amount\na,2024-01-01\n", {}, "line 2: log.amount=None"),
        ("customer,date,amount\na,2024-01-01,3\nb,2024-01-02,3,4\n", {}, "Expected 3 fields"),
        (
            "a;2024-01-01;3\n",
            {"separator": "whitespace", "header": False},
            "a column of the log (0)",
        ),
    ],
    ids=[
        "empty",
        "header only",
        "missing column",
        "bad date",
        "negative amount",
        "repeated header",
        "short line",
        "long line",
        "wrong separator",
    ],
)
def test_a_bad_log_is_one_line_naming_where_and_what(tmp_path, text, columns, message):
    log = tmp_path / "log.csv"
    log.write_text(text)
    with pytest.raises(LogError) as err:
        read_transaction_log(_log(log, **columns))
    line = str(err.value)
    assert "\n" not in line and message in line, line
    assert str(log) in line


def test_bgnbd_on_the_cdnow_sample_gives_the_papers_parameters_and_tracks_the_holdout():
    """Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426 on the
    39-week calibration period; the cumulative repeat transactions it expects
    stay within a few % of the actual over the 39 holdout weeks."""
    visits = read_transaction_log(_log(CDNOW, **CDNOW_COLUMNS))
    start = visits["date"].min()
    summary = customer_summary(visits, start + pd.Timedelta(weeks=39) - pd.Timedelta(days=1))
    fitted = fit_bgnbd(summary)
    paper = (0.243, 4.414, 0.793, 2.426)
    assert np.allclose((fitted.r, fitted.alpha, fitted.a, fitted.b), paper, atol=0.001)
    expected = fitted.cumulative_repeat_transactions(first_weeks(summary, start), 78)
    actual = np.cumsum(log_cohort(visits, 39).weekly())
    assert actual[38] == 2457  # the calibration period's repeat transactions
    holdout = slice(39, 78)
    error = np.mean(np.abs(expected[holdout] - actual[holdout]) / actual[holdout])
    assert 0.01 < error < 0.03


FROM_CDNOW = [
    "population=from_log",
    "population/log=cdnow",
    f"population.log.path={CDNOW}",
    "population.n=3000",
]


def test_a_population_from_the_log_starts_from_its_customers_as_the_log_leaves_them():
    """population=from_log: one consumer per customer of the log, as customers of
    the firm with their tenure and their own habits on the log's last day; the
    rest prospects with their segment's habits; no burn-in before the log's state."""
    config = compose_config([*FROM_CDNOW, "steps=4"])
    assert config.burn_in == 0
    model = LoyaltyModel(config)
    c, k = model.consumers, 2357
    assert (c.provider[:k] == FOCAL).all() and (c.provider[k:] == PROSPECT).all()
    visits = read_transaction_log(_log(CDNOW, **CDNOW_COLUMNS))
    record = customer_summary(visits, visits["date"].max())
    assert np.array_equal(c.tenure[:k], np.floor(record["T"]).astype(int))
    assert np.allclose(c.spend_per_visit[:k], record["monetary"])
    repeats, p = record["frequency"].to_numpy(), c.visit_probability[:k]
    assert p[repeats >= 5].mean() > 5 * p[repeats == 0].mean()  # each their own habit
    assert np.array_equal(c.visit_probability[k:], model.segments.visit_probability[c.segment[k:]])
    model.run_for(config.steps)
    assert model.kpis["customers"] > 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (["population.n=1000"], "population.n=1000 is not allowed: expected at least the log's"),
        (["population.log_date=1990-01-01"], "expected a date from 1997-01-01 on"),
        (["population.log.path=null"], "population.log.path=None is not allowed"),
    ],
)
def test_a_population_the_log_cannot_make_is_one_line(extra, message):
    assert message in problem([*FROM_CDNOW, *extra])
