"""Strategies compared with doing nothing, over seeds (docs/ODD.md 7.11).

Each job of a sweep leaves a summary.json whose `evaluation` holds the KPIs
over the weeks after rollout (sim/runs/summary.py). Jobs that differ only in
`seed` are one *arm*. Each arm is compared with its reference arm, the
baseline strategy under the same scenario and other overrides, seed by seed:
the same seed gives the same consumers, network and random draws up to the
rollout (common random numbers), so the paired difference has far less noise
than the difference of means. Intervals are 95 % Student t intervals over
seeds, but the profit difference's: it and ROI = paired profit difference /
strategy investment (both summed over seeds) have 95 % percentile bootstrap
intervals over seeds from the same resamples, so that they agree on sign
(with 3 seeds or more).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import stdtrit

from sim.runs.summary import KPIS

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BASELINE = "baseline"
NO_DRAW = -1  # a run at the parameters as configured (no `uncertainty.draw`)
PARAMETER = "parameter:"  # collect_runs' columns of a draw's parameter values
WINS, LOSES = 0.9, 0.1  # p_better at least WINS: a robust winner; at most LOSES: a loser


def mean_interval(values: np.ndarray | pd.Series) -> tuple[float, float, float]:
    """Mean and its 95 % Student t interval (NaN bounds with fewer than 2 values)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, np.nan, np.nan
    # Student's t quantile (scipy.stats.t.ppf without importing scipy.stats: start-up)
    half = (
        stdtrit(len(values) - 1, 0.5 + CONFIDENCE / 2) * values.std(ddof=1) / np.sqrt(len(values))
    )
    return mean, float(mean - half), float(mean + half)


def collect_runs(sweep_dir: Path) -> pd.DataFrame:
    """One row per finished job under `sweep_dir`: its overrides, arm and KPIs.
    Jobs that were interrupted are left out."""
    rows = []
    for summary_path in sorted(sweep_dir.glob("*/summary.json")):
        summary = json.loads(summary_path.read_text())
        if summary.get("interrupted", True) or "evaluation" not in summary:
            continue
        enabled, window = summary["strategy"].split("+"), summary["evaluation"]
        strategy_options, setting = _split(_overrides(summary_path.parent), enabled)
        draw = summary.get("uncertainty") or {"draw": NO_DRAW, "parameters": {}}
        rows.append(
            {
                "job": summary_path.parent.name,
                "config_hash": summary.get("config_hash"),
                "seed": summary["seed"],
                "draw": draw["draw"],
                **{PARAMETER + k: v for k, v in draw["parameters"].items()},
                "strategy": " ".join([summary["strategy"], *strategy_options]),
                "scenario": summary["scenario"],
                "setting": " ".join(setting),
                **{k: summary["evaluation"][k] for k in KPIS},
                "weeks": f"{window['from_step'] + 1}-{window['to_step']}",
            }
        )
    runs = pd.DataFrame(rows)
    return runs.drop_duplicates("config_hash", keep="last") if len(runs) else runs


def _split(overrides: list[str], enabled: list[str]) -> tuple[list[str], list[str]]:
    """A job's overrides, less seed, choice of strategy and scenario and output
    switches: the parameters of the strategies in force (part of the arm's
    strategy label; those of strategies switched off are moot) and the rest
    (the setting under which strategies are compared)."""
    options, setting = [], []
    for override in overrides:
        key = override.split("=", 1)[0]
        if key in ("seed", "strategy", "scenario", "uncertainty.draw") or key.startswith("output."):
            continue
        if key.startswith("strategy.") and key != "strategy.rollout_step":
            if key.split(".")[1] in enabled:
                options.append(override)
        else:
            setting.append(override)
    return options, setting


def _overrides(job_dir: Path) -> list[str]:
    path = job_dir / ".hydra" / "overrides.yaml"
    return yaml.safe_load(path.read_text()) or [] if path.exists() else []


def compare(runs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """One row per arm: each KPI's mean and interval, the paired difference
    from the reference arm and its interval, ROI, and the arm's rank by profit
    difference within its scenario and setting."""
    if runs.empty:
        return pd.DataFrame()
    if "draw" not in runs:
        runs = runs.assign(draw=NO_DRAW)
    arm_keys = ["scenario", "setting", "strategy"]
    rows = []
    for (scenario, setting, strategy), arm in runs.groupby(arm_keys, sort=False):
        reference = _reference(runs, scenario, setting)
        row = {
            "scenario": scenario,
            "setting": setting,
            "strategy": strategy,
            "reference": reference.strategy.iloc[0],
            "seeds": arm.seed.nunique(),
        }
        paired = arm.merge(reference, on=["seed", "draw"], suffixes=("", "_ref"))
        row["paired_seeds"] = len(paired)
        for kpi in KPIS:
            row[kpi], row[f"{kpi}_low"], row[f"{kpi}_high"] = mean_interval(arm[kpi])
            diff = paired[kpi] - paired[f"{kpi}_ref"]
            row[f"{kpi}_diff"], row[f"{kpi}_diff_low"], row[f"{kpi}_diff_high"] = mean_interval(
                diff
            )
        profit, roi = paired_bootstrap(
            (paired.profit - paired.profit_ref).to_numpy(),
            (paired.strategy_investment - paired.strategy_investment_ref).to_numpy(),
            seed,
        )
        if not np.isnan(profit[1]):  # the profit difference's interval from ROI's resamples
            row["profit_diff_low"], row["profit_diff_high"] = profit[1], profit[2]
        row["roi"], row["roi_low"], row["roi_high"] = roi
        if arm.draw.nunique() > 1 and strategy != row["reference"]:
            row.update(across_draws(paired))
        row["weeks"] = arm.weeks.iloc[0]
        rows.append(row)
    table = pd.DataFrame(rows)
    table["rank"] = (
        table.groupby(["scenario", "setting"])["profit_diff"]
        .rank(ascending=False, method="min")
        .astype("Int64")
    )
    return table.sort_values(["scenario", "setting", "rank"], kind="stable").reset_index(drop=True)


def across_draws(paired: pd.DataFrame) -> dict[str, float | str]:
    """How a strategy fares across parameter draws (`uncertainty=ensemble`):
    its mean paired profit difference in each draw, the share of draws in
    which it beats the reference (`p_better`), the 5th and 95th percentiles
    of that difference across draws, and the uncertain parameter it depends
    on most (`decided_by`: the largest Spearman rank correlation between a
    parameter's drawn value and the draw's profit difference, `rho`)."""
    paired = paired.assign(profit_difference=paired.profit - paired.profit_ref)
    parameters = [c for c in paired.columns if c.startswith(PARAMETER) and not c.endswith("_ref")]
    by_draw = paired.groupby("draw")[["profit_difference", *parameters]].mean()
    effect = by_draw.profit_difference
    varied = [p for p in parameters if by_draw[p].nunique() > 1]
    if effect.nunique() > 1 and varied:
        correlations = by_draw[varied].corrwith(effect, method="spearman").dropna()
    else:
        correlations = pd.Series(dtype=float)
    top = correlations.abs().idxmax() if len(correlations) else None
    return {
        "draws": len(by_draw),
        "p_better": float((effect > 0).mean()),
        "profit_diff_p5": float(np.percentile(effect, 5)),
        "profit_diff_p95": float(np.percentile(effect, 95)),
        "decided_by": top.removeprefix(PARAMETER) if top else "",
        "rho": float(correlations[top]) if top else np.nan,
    }


def chance_correlation(draws: int) -> float:
    """The |Spearman rho| one parameter reaches by chance with 5 % probability
    across `draws` draws (two-sided; the t approximation)."""
    if draws < 4:
        return np.nan
    t = stdtrit(draws - 2, 0.975)
    return float(t / np.sqrt(draws - 2 + t**2))


def verdict(row: pd.Series) -> str:
    """A strategy's standing across parameter draws, in words."""
    if row.p_better >= WINS:
        return "robust winner"
    if row.p_better <= LOSES:
        return "loses"
    direction = "higher" if row.rho > 0 else "lower"
    return f"depends on {row.decided_by} (pays more where it is {direction}; rho {row.rho:+.2f})"


def _reference(runs: pd.DataFrame, scenario: str, setting: str) -> pd.DataFrame:
    """The arm every other is compared with: the baseline strategy under the
    same scenario and setting, or, if the sweep has none, the first arm run."""
    same = runs[(runs.scenario == scenario) & (runs.setting == setting)]
    baseline = same[same.strategy == BASELINE]
    if baseline.empty:
        baseline = same[same.strategy == same.strategy.iloc[0]]
    return baseline


Interval = tuple[float, float, float]


def paired_bootstrap(
    profit_difference: np.ndarray, investment: np.ndarray, seed: int = 0
) -> tuple[Interval, Interval]:
    """The mean paired profit difference and ROI = summed profit difference /
    summed investment, each with a 95 % percentile bootstrap interval over
    seeds, from the same resamples: in each resample ROI has the sign of the
    profit difference, so the two intervals always agree on sign. NaN bounds
    with fewer than 3 seeds; NaN ROI without investment."""
    nothing = (np.nan, np.nan, np.nan)
    if len(profit_difference) == 0:
        return nothing, nothing
    mean = float(profit_difference.mean())
    spent_total = investment.sum()
    roi = float(profit_difference.sum() / spent_total) if spent_total > 0 else np.nan
    if len(profit_difference) < 3:
        return (mean, np.nan, np.nan), (roi, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(profit_difference), (BOOTSTRAP_RESAMPLES, len(profit_difference)))
    quantiles = [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)]
    low, high = np.percentile(profit_difference[picks].mean(axis=1), quantiles)
    if not spent_total > 0:
        return (mean, float(low), float(high)), nothing
    spent = investment[picks].sum(axis=1)
    ratios = profit_difference[picks].sum(axis=1)[spent > 0] / spent[spent > 0]
    roi_low, roi_high = np.percentile(ratios, quantiles)
    return (mean, float(low), float(high)), (roi, float(roi_low), float(roi_high))
