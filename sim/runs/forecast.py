"""Forecasting a firm's repeat purchases from its transaction log
(`python -m sim.forecast`; docs/ODD.md, "Forecasting a log").

The model replays the log's cohort from its first day (population=log_cohort:
each customer enters in the week of their first purchase) and is calibrated on
the first `data.calibration_weeks` weeks: its targets are what the log says
about the cohort in them (weekly repeat transactions, how many customers made
0, 1, 2, ... repeat purchases, how long ago the repeaters last bought). Then
the calibrated model simulates the whole log over `forecast_seeds` seeds, and
its holdout weeks are held against the log and against BG/NBD
(sim/runs/bgnbd.py), the field's standard, as Fader, Hardie & Lee (2005) do:
the cohort's cumulative repeat transactions week by week (the tracking plot),
the weekly ones, and each customer's holdout purchases.

A week in the model holds at most one visit; a customer whose purchases come at
rate r a week (population.purchase_rate_*) visits with probability
1 - exp(-r), and a week with a visit holds a Poisson(r) number of purchases
given at least one, drawn from the run's seed (the purchase process BG/NBD
assumes, counted as the log counts transactions: one a day).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra.experimental.callback import Callback
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf
from scipy import stats
from scipy.spatial import cKDTree

from sim.config import (
    Config,
    ConfigError,
    ForecastRun,
    TargetConfig,
    TransactionLogConfig,
    assign,
    lookup,
)
from sim.model import LoyaltyModel
from sim.runs.calibration import calibrated_yaml, fit, fit_chart, model_config
from sim.runs.cli import command_line, without_hydra
from sim.runs.files import read_kept, write_json, write_text
from sim.runs.simulation import code_version, config_hash
from sim.transactions import WEEK, read_transaction_log

MOST_REPEATS = 7  # the repeat-count distribution's last class: 7 or more
PURCHASES = (0xF0CA57, 1)  # spawn key of the purchases-per-visit stream
TRIAL_FILE = "trial.json"


# --- a cohort's repeat transactions -------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """A cohort's repeat transactions (every purchase after a customer's first),
    by customer and week since the log's first day."""

    first_week: np.ndarray  # per customer: the week of their first purchase
    customer: np.ndarray  # per customer-week with repeat transactions: who
    week: np.ndarray  # which week
    transactions: np.ndarray  # how many
    spend: np.ndarray  # what they spent in that week's repeat purchases
    weeks: int  # the weeks observed

    @property
    def size(self) -> int:
        return len(self.first_week)

    def weekly(self) -> np.ndarray:
        """Repeat transactions in each week."""
        return np.bincount(self.week, self.transactions, minlength=self.weeks)[: self.weeks]

    def per_customer(self, start: int, end: int) -> np.ndarray:
        """Each customer's repeat transactions in weeks start..end-1."""
        inside = (self.week >= start) & (self.week < end)
        return np.bincount(self.customer[inside], self.transactions[inside], minlength=self.size)

    def last_repeat(self, end: int) -> np.ndarray:
        """Each customer's last week with a repeat purchase before `end`, -1 none."""
        last = np.full(self.size, -1)
        inside = self.week < end
        np.maximum.at(last, self.customer[inside], self.week[inside])
        return last

    def summary(self, end: int) -> np.ndarray:
        """(customers, 3): repeat transactions, weeks from first to last
        purchase, weeks from first purchase to `end` (BG/NBD's x, t_x, T in
        whole weeks)."""
        last = self.last_repeat(end)
        recency = np.where(last >= 0, last - self.first_week, 0)
        return np.column_stack([self.per_customer(0, end), recency, end - self.first_week])


def log_cohort(visits: pd.DataFrame, calibration_weeks: int) -> Cohort:
    """The cohort of a log (sim.transactions.read_transaction_log): the
    customers whose first purchase falls in its first `calibration_weeks`
    weeks, in the order of their ids (as population=log_cohort makes them)."""
    start = visits["date"].min()
    week = ((visits["date"] - start) // WEEK).to_numpy()
    first_date = visits.groupby("customer")["date"].transform("min")
    in_cohort = (first_date < start + calibration_weeks * WEEK).to_numpy()
    visits, week, first_date = visits[in_cohort], week[in_cohort], first_date[in_cohort]
    customer = visits.groupby("customer", sort=True).ngroup().to_numpy()
    first_week = np.zeros(customer.max() + 1, dtype=np.int64)
    is_first = (visits["date"] == first_date).to_numpy()
    first_week[customer[is_first]] = week[is_first]
    repeat = (visits["date"] > first_date).to_numpy()
    table = pd.DataFrame(
        {"customer": customer[repeat], "week": week[repeat], "spend": visits["amount"][repeat]}
    )
    cells = table.groupby(["customer", "week"], sort=True).agg(
        transactions=("spend", "size"), spend=("spend", "sum")
    )
    return Cohort(
        first_week=first_week,
        customer=cells.index.get_level_values("customer").to_numpy(),
        week=cells.index.get_level_values("week").to_numpy(),
        transactions=cells["transactions"].to_numpy(dtype=np.int64),
        spend=cells["spend"].to_numpy(dtype=float),
        weeks=int(week.max()) + 1,
    )


# --- the model's cohort ---------------------------------------------------------------


def cohort_config(run: ForecastRun, weeks: int, seed: int) -> Config:
    """The model's config that replays the log's cohort for `weeks` weeks."""
    config = model_config(run)
    columns = dataclasses.fields(TransactionLogConfig)
    log_fields = {f.name: getattr(run.data, f.name) for f in columns}
    visits = read_log(run)
    start = visits["date"].min()
    last_day = start + run.data.calibration_weeks * WEEK - pd.Timedelta(days=1)
    customers = visits.loc[visits.groupby("customer")["date"].transform("min") <= last_day]
    config.population.source = "log_cohort"
    config.population.log = TransactionLogConfig(**log_fields)
    config.population.log_date = f"{last_day:%Y-%m-%d}"
    config.population.n = customers["customer"].nunique() + run.data.prospects
    config.burn_in, config.steps, config.seed = 0, weeks, seed
    return config


_LOGS: dict[tuple, pd.DataFrame] = {}


def read_log(run: ForecastRun) -> pd.DataFrame:
    """The log of `run.data`, read once per process."""
    path = Path(run.data.path or "")
    key = (dataclasses.astuple(run.data), path.stat().st_mtime if path.is_file() else None)
    if key not in _LOGS:
        _LOGS[key] = read_transaction_log(run.data, "data")
    return _LOGS[key]


def simulate(config: Config) -> Cohort:
    """Run the model on a log_cohort population for `config.steps` weeks and
    take its cohort's repeat transactions: every visit to the focal firm after
    a customer's first, each holding a Poisson number of purchases given one
    at least (one fewer in the week of the first)."""
    model = LoyaltyModel(config)
    size = int((model.arrival >= 0).sum())
    rate = -np.log1p(-model.consumers.visit_probability[:size].astype(float))
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=PURCHASES))
    spent = model.consumers.spend[:size].copy()
    records = []
    for week in range(config.steps):
        model.step()
        events = model.events
        who = events.encounters.visitors[events.focal_visit]
        who = who[who < size]
        lam = np.maximum(rate[who], 1e-9)
        none = np.exp(-lam)
        quantile = np.minimum(none + rng.random(len(who)) * (1.0 - none), 1.0 - 1e-12)
        purchases = np.maximum(stats.poisson.ppf(quantile, lam), 1.0)
        first = model.arrival[who] == week
        purchases = purchases - first
        # each purchase of a week is worth what the model books for its visit
        spend = np.where(first, 0.0, (model.consumers.spend[who] - spent[who]) * purchases)
        spent[who] = model.consumers.spend[who]
        keep = purchases > 0
        records.append((who[keep], np.full(keep.sum(), week), purchases[keep], spend[keep]))
    customer, week, transactions, spend = (
        np.concatenate(parts) for parts in zip(*records, strict=True)
    )
    return Cohort(
        first_week=model.arrival[:size].astype(np.int64),
        customer=customer,
        week=week,
        transactions=transactions.astype(np.int64),
        spend=spend,
        weeks=config.steps,
    )


# --- what the calibration fits ----------------------------------------------------


def statistics(cohort: Cohort, split: int) -> dict[str, float]:
    """What a cohort's first `split` weeks say: repeat transactions by the end
    of each week (the tracking curve),
    the share of customers with 0, 1, ... repeat purchases, the share of the
    repeaters who last bought in each third of the period, and the spend per
    repeat purchase (after the week of the first)."""
    cumulative = np.cumsum(cohort.weekly())
    out = {f"repeat_transactions_by_week_{w + 1}": float(cumulative[w]) for w in range(split)}
    x = cohort.per_customer(0, split)
    for k in range(MOST_REPEATS):
        out[f"customers_with_{k}_repeats"] = float(np.mean(x == k))
    out[f"customers_with_{MOST_REPEATS}+_repeats"] = float(np.mean(x >= MOST_REPEATS))
    last = cohort.last_repeat(split)
    last = last[last >= 0]
    for third, (low, high) in enumerate(_thirds(split)):
        share = np.mean((last >= low) & (last < high)) if len(last) else 0.0
        out[f"repeaters_last_buying_in_third_{third + 1}"] = float(share)
    spend, purchases = _repeat_spend(cohort, split)
    out["spend_per_repeat_purchase"] = float(spend.sum() / max(purchases.sum(), 1))
    return out


def _repeat_spend(cohort: Cohort, split: int) -> tuple[np.ndarray, np.ndarray]:
    """The spend and the purchases of each week with repeat purchases before
    `split`, after the week of the customer's first."""
    later = (cohort.week < split) & (cohort.week > cohort.first_week[cohort.customer])
    return cohort.spend[later], cohort.transactions[later]


def _thirds(split: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, split, 4).round().astype(int)
    return list(itertools.pairwise(edges))


BLOCKS = ("repeat_transactions_by_week_", "customers_with_", "repeaters_last_buying_")
"""The fitted statistics, by kind; each kind weighs the same in the distance.
The spend per repeat purchase is only checked (nothing is fitted to it)."""


def targets(cohort: Cohort, split: int, source: str) -> dict[str, TargetConfig]:
    """The log's statistics as targets, each with a tolerance of twice its
    sampling error (Poisson for counts, binomial for shares)."""
    observed = statistics(cohort, split)
    repeaters = max(int((cohort.last_repeat(split) >= 0).sum()), 1)
    out = {}
    for name, value in observed.items():
        if name.startswith(BLOCKS[0]):
            tolerance = 2.0 * math.sqrt(max(value, 1.0))
        elif name.startswith(BLOCKS[1]) or name.startswith(BLOCKS[2]):
            n = cohort.size if name.startswith(BLOCKS[1]) else repeaters
            tolerance = 2.0 * math.sqrt(max(value * (1 - value), 1.0 / n) / n)
        else:
            spend, purchases = _repeat_spend(cohort, split)
            per_purchase = spend / np.maximum(purchases, 1)
            tolerance = 2.0 * float(per_purchase.std() / math.sqrt(max(purchases.sum(), 1)))
        out[name] = TargetConfig(statistic=name, value=value, tolerance=tolerance, source=source)
    return out


def distance(rates: list[dict[str, float]], goals: dict[str, TargetConfig]) -> float:
    """The mean over kinds of statistic of their calibration distance
    (sim.runs.calibration.fit): each kind weighs the same, whatever its count."""
    return float(
        np.mean(
            [
                fit(rates, {k: t for k, t in goals.items() if k.startswith(block)}).distance
                for block in BLOCKS
            ]
        )
    )


# --- one trial -------------------------------------------------------------------


def evaluate(run: ForecastRun, job_dir: Path) -> dict[str, Any]:
    """One trial: the calibration-period statistics of `run.seeds` replays at
    this job's parameters and their distance to the log's. Kept in
    `job_dir`/trial.json; a trial already there for the same config, made by the
    same code, is read, not run again."""
    split = run.data.calibration_weeks
    configs = [cohort_config(run, split, run.seed + k) for k in range(run.seeds)]
    key = f"{config_hash(configs[0])}:{run.seeds}:{code_version()}"
    path = job_dir / TRIAL_FILE
    if trial := read_kept(path, key):
        return {**trial, "reused": True}
    goals = targets(log_cohort(read_log(run), split), split, str(run.data.path))
    rates = [statistics(simulate(config), split) for config in configs]
    trial = {
        "key": key,
        "parameters": {k: lookup(configs[0], k) for k in run.search_space()},
        "rates": rates,
        "distance": distance(rates, goals),
    }
    job_dir.mkdir(parents=True, exist_ok=True)
    write_json(path, trial)
    trial["reused"] = False
    return trial


def suggest(config: DictConfig, trial: Any) -> None:
    """The sweeper's search space (hydra.sweeper.custom_search_space): each key of `free`."""
    free = OmegaConf.to_container(config.free, resolve=True)
    for key, (low, high, log) in ForecastRun(free=free).search_space().items():
        trial.suggest_float(key, low, high, log=log)


def check_log(run: ForecastRun) -> None:
    """One ConfigError for a log that cannot be forecast: unreadable (a
    LogError), or not longer than its calibration weeks."""
    visits = read_log(run)
    weeks = int((visits["date"].max() - visits["date"].min()) // WEEK) + 1
    if run.data.calibration_weeks >= weeks:
        raise ConfigError(
            "data.calibration_weeks",
            run.data.calibration_weeks,
            f"fewer than the log's {weeks} weeks (the rest is the holdout)",
        )


# --- the forecast at the end ----------------------------------------------------------


@dataclass
class Forecast:
    """The calibrated model's replays of the whole log against the log and BG/NBD."""

    table: pd.DataFrame  # forecast.csv
    scores: dict[str, Any]  # forecast.json
    fit_table: pd.DataFrame  # fit.csv


def collect_trials(sweep_dir: Path) -> pd.DataFrame:
    """Every finished trial under `sweep_dir`: its parameters and distance."""
    rows = []
    for path in sweep_dir.glob(f"*/{TRIAL_FILE}"):
        trial = json.loads(path.read_text())
        row = {"trial": path.parent.name, **trial["parameters"], "distance": trial["distance"]}
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values("trial", key=lambda t: t.astype(int)) if len(table) else table


def conditional_holdout(sims: list[Cohort], cohort: Cohort, split: int, k: int = 100) -> np.ndarray:
    """Each customer's expected holdout transactions under the model, given what
    the calibration weeks showed of them: the mean over the `k` simulated
    customers nearest in (repeat transactions, recency, weeks since the first
    purchase), pooled over the replays. The model's conditional expectation,
    estimated from its own runs."""
    known = np.vstack([s.summary(split) for s in sims]).astype(float)
    later = np.concatenate([s.per_customer(split, s.weeks) for s in sims])
    scale = known.std(axis=0) + 1e-9
    _, nearest = cKDTree(known / scale).query(cohort.summary(split) / scale, k=min(k, len(known)))
    return later[nearest].mean(axis=1)


def mape(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Mean absolute percentage error over the weeks where `actual` is positive."""
    seen = actual > 0
    return float(np.mean(np.abs(predicted[seen] - actual[seen]) / actual[seen]))


def forecast(run: ForecastRun, parameters: dict[str, float]) -> tuple[Forecast, list[Cohort]]:
    """Replay the whole log `run.forecast_seeds` times at `parameters` (seeds
    after the calibration's) and score the holdout weeks against the log and
    against BG/NBD fitted to the calibration weeks."""
    from sim.runs.bgnbd import first_weeks, fit_bgnbd
    from sim.transactions import customer_summary

    split = run.data.calibration_weeks
    visits = read_log(run)
    cohort = log_cohort(visits, split)
    weeks = cohort.weeks
    if weeks <= split:
        raise ValueError(f"data.calibration_weeks={split}: the log has only {weeks} weeks")
    sims = []
    for k in range(run.forecast_seeds):
        config = cohort_config(run, weeks, run.seed + run.seeds + k)
        for key, value in parameters.items():
            assign(config, key, value)
        sims.append(simulate(config))
    simulated = np.array([np.cumsum(s.weekly()) for s in sims])
    actual = np.cumsum(cohort.weekly())

    start = visits["date"].min()
    last_day = start + split * WEEK - pd.Timedelta(days=1)
    summary = customer_summary(visits, last_day)  # the cohort's, as BG/NBD reads it
    bgnbd = fit_bgnbd(summary)
    expected = bgnbd.cumulative_repeat_transactions(first_weeks(summary, start), weeks)
    holdout_bgnbd = bgnbd.model.conditional_expected_number_of_purchases_up_to_time(
        weeks - split, summary["frequency"], summary["recency"], summary["T"]
    ).to_numpy()

    holdout = slice(split, weeks)
    mean = simulated.mean(axis=0)
    weekly = np.diff(np.concatenate([[0.0], actual]))
    weekly_mean = np.diff(np.concatenate([[0.0], mean]))
    weekly_bgnbd = np.diff(np.concatenate([[0.0], expected]))
    per_customer = cohort.per_customer(split, weeks)
    table = pd.DataFrame(
        {
            "week": np.arange(1, weeks + 1),
            "actual": actual,
            "simulated": mean,
            "low": np.percentile(simulated, 2.5, axis=0),
            "high": np.percentile(simulated, 97.5, axis=0),
            "bgnbd": expected,
            "weekly_actual": weekly,
            "weekly_simulated": weekly_mean,
            "weekly_bgnbd": weekly_bgnbd,
        }
    )
    scores = {
        "mape_abm": mape(mean[holdout], actual[holdout]),
        "mape_bgnbd": mape(expected[holdout], actual[holdout]),
        "weekly_mape_abm": mape(weekly_mean[holdout], weekly[holdout]),
        "weekly_mape_bgnbd": mape(weekly_bgnbd[holdout], weekly[holdout]),
        "correlation_abm": float(
            np.corrcoef(conditional_holdout(sims, cohort, split), per_customer)[0, 1]
        ),
        "correlation_bgnbd": float(np.corrcoef(holdout_bgnbd, per_customer)[0, 1]),
        "holdout_actual": float(actual[-1] - actual[split - 1]),
        "holdout_abm": float(mean[-1] - mean[split - 1]),
        "holdout_bgnbd": float(expected[-1] - expected[split - 1]),
        "customers": cohort.size,
        "calibration_weeks": split,
        "holdout_weeks": weeks - split,
        "forecast_seeds": run.forecast_seeds,
        "parameters": parameters,
        "bgnbd": {"r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b},
    }
    goals = targets(cohort, split, str(run.data.path))
    fitted = fit([statistics(s, split) for s in sims], goals).table
    fitted.insert(1, "fitted", fitted.target.str.startswith(BLOCKS))
    return Forecast(table, scores, fitted), sims


def tracking_chart(table: pd.DataFrame, split: int, title: str) -> Figure:
    """The tracking plot of Fader, Hardie & Lee (2005): the cohort's cumulative
    repeat transactions, actual, simulated (mean and 95 % band over seeds) and
    BG/NBD, with the end of the calibration weeks marked; below, the weekly ones."""
    fig = Figure(figsize=(9, 7.5))
    cumulative, weekly = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    week = table.week
    cumulative.fill_between(
        week, table.low, table.high, color="tab:blue", alpha=0.2, label="model, 95 % of runs"
    )
    cumulative.plot(week, table.simulated, color="tab:blue", label="model, mean")
    cumulative.plot(week, table.bgnbd, color="tab:orange", ls="--", label="BG/NBD")
    cumulative.plot(week, table.actual, color="black", lw=1.2, label="actual")
    weekly.plot(week, table.weekly_actual, color="black", lw=1.0, label="actual")
    weekly.plot(week, table.weekly_simulated, color="tab:blue", label="model, mean")
    weekly.plot(week, table.weekly_bgnbd, color="tab:orange", ls="--", label="BG/NBD")
    for ax in (cumulative, weekly):
        ax.axvline(split, color="grey", ls=":", lw=1)
    cumulative.text(split, 0, " end of calibration", color="grey", va="bottom", fontsize=8)
    cumulative.set_ylabel("cumulative repeat transactions")
    weekly.set_ylabel("repeat transactions a week")
    weekly.set_xlabel("week since the log's first day")
    cumulative.set_title(title, fontsize=10)
    cumulative.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


class ForecastReport(Callback):
    """Writes the forecast and the calibration's fit at the sweep root when
    the last trial is done."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        run: ForecastRun = OmegaConf.to_object(without_hydra(config))
        sweep_dir = Path(config.hydra.sweep.dir)
        report(run, sweep_dir, command_line("python -m sim.forecast", config, ("hydra.sweep.",)))


def report(run: ForecastRun, sweep_dir: Path, command: str) -> list[Path]:
    """forecast.csv, forecast.json, forecast.png, fit.csv, fit.png, trials.csv
    and calibrated.yaml at `sweep_dir`, from its trials."""
    trials = collect_trials(sweep_dir)
    if trials.empty:
        print(f"forecast: no finished trials in {sweep_dir}", file=sys.stderr)
        return []
    trials.to_csv(sweep_dir / "trials.csv", index=False)
    best = trials.loc[trials.distance.idxmin()]
    parameters = {key: float(best[key]) for key in run.search_space()}
    started = time.perf_counter()
    result, _ = forecast(run, parameters)
    split = run.data.calibration_weeks
    scores = {
        **result.scores,
        "trials": len(trials),
        "best_trial": str(best.trial),
        "distance": float(best.distance),
        "seeds_per_trial": run.seeds,
        "forecast_wall_seconds": round(time.perf_counter() - started, 1),
        "log": str(run.data.path),
        "command": command,
    }
    result.table.to_csv(sweep_dir / "forecast.csv", index=False, float_format="%.6g")
    write_json(sweep_dir / "forecast.json", scores)
    result.fit_table.to_csv(sweep_dir / "fit.csv", index=False)
    title = (
        f"{Path(str(run.data.path)).name}: {scores['customers']:,} customers, calibrated on "
        f"{split} weeks; holdout cumulative MAPE model {scores['mape_abm']:.1%}, "
        f"BG/NBD {scores['mape_bgnbd']:.1%}"
    )
    tracking_chart(result.table, split, title).savefig(
        sweep_dir / "forecast.png", dpi=110, bbox_inches="tight"
    )
    shapes = result.fit_table[~result.fit_table.target.str.startswith(BLOCKS[0])]
    fit_chart(shapes, f"Fit to the first {split} weeks, trial {best.trial}").savefig(
        sweep_dir / "fit.png", dpi=110, bbox_inches="tight"
    )
    weeks = len(result.table)
    replay = cohort_config(run, weeks, run.seed).population
    header = [
        f"Calibrated by: {command}",
        f"Best of {len(trials)} trials (trial {best.trial}), distance {best.distance:.3f}, "
        f"{run.seeds} seeds, on the first {split} weeks of {run.data.path}.",
        "To replay the cohort with it: copy it to configs/calibration/NAME.yaml, then",
        "  python run.py population=log_cohort calibration=NAME",
        f"  population.log.path={replay.log.path} population.log_date={replay.log_date}",
        f"  population.n={replay.n} steps={weeks}",
        "  (and population.log.* for the log's columns, as data.* had them).",
    ]
    write_text(sweep_dir / "calibrated.yaml", calibrated_yaml(parameters, header))
    print(summary_text(scores))
    written = [
        sweep_dir / f
        for f in (
            "forecast.csv",
            "forecast.json",
            "forecast.png",
            "fit.csv",
            "fit.png",
            "trials.csv",
            "calibrated.yaml",
        )
    ]
    print(f"forecast: {', '.join(str(p) for p in written)}", flush=True)
    return written


def summary_text(scores: dict[str, Any]) -> str:
    """What a forecast says, in a few lines."""
    return "\n".join(
        [
            f"\nbest of {scores['trials']} trials: distance {scores['distance']:.3f}",
            f"holdout ({scores['holdout_weeks']} weeks), {scores['customers']:,} customers:",
            f"  repeat transactions   actual {scores['holdout_actual']:.0f}  "
            f"model {scores['holdout_abm']:.0f}  BG/NBD {scores['holdout_bgnbd']:.0f}",
            f"  cumulative MAPE       model {scores['mape_abm']:.2%}  "
            f"BG/NBD {scores['mape_bgnbd']:.2%}",
            f"  weekly MAPE           model {scores['weekly_mape_abm']:.2%}  "
            f"BG/NBD {scores['weekly_mape_bgnbd']:.2%}",
            f"  per-customer corr.    model {scores['correlation_abm']:.3f}  "
            f"BG/NBD {scores['correlation_bgnbd']:.3f}",
        ]
    )
