"""What a run leaves behind: timeseries.csv, summary.json and plots/*.png."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from sim.codes import FOCAL
from sim.engine.economics import MONEY
from sim.interventions.survey import survey
from sim.runs import charts

SURVEY_SAMPLE = 1000
"""Customers asked at the end of a run (the key-experience survey, step 2)."""


def write_tables(timeseries: pd.DataFrame, summary: dict, model, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = model.config.output.tables
    # gzip without a timestamp: the same run gives the same bytes, whatever launched it
    compression = {"method": "gzip", "mtime": 0} if suffix.endswith(".gz") else None
    tables = {
        "timeseries": (timeseries, False),
        "firms": (model.firm_table(), False),
        "flows": (model.flow_table(), True),
    }
    if (model.consumers.provider == FOCAL).any():
        answers = survey(model.consumers, model.segments, SURVEY_SAMPLE, model.rng)
        tables["key_experience"] = (answers, False)
    for name, (table, index) in tables.items():
        table.to_csv(out_dir / f"{name}.{suffix}", index=index, compression=compression)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def write_plots(timeseries: pd.DataFrame, model, out_dir: Path) -> list[Path]:
    """The standard charts of a run, and a picture of the network."""
    plots = out_dir / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    ts = timeseries.iloc[1:] if len(timeseries) > 1 else timeseries
    sample = charts.NetworkSample.of(model, model.config.output.network_plot_max_nodes)
    figures = {
        "customers_and_share": charts.customers(ts),
        "acquisition_and_churn": charts.acquisition_and_churn(ts),
        "satisfaction_and_nps": charts.satisfaction(ts),
        "economics": charts.economics(ts),
        "service_profit_chain": charts.service_profit_chain(ts),
        "market_shares": charts.market_shares(model.firm_table()),
        "complaints": charts.complaints(ts),
        "flows": charts.flows(model.flow_table()),
        "network": charts.network(model, sample),
    }
    return [_save(fig, plots / f"{name}.png") for name, fig in figures.items()]


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


# --- comparisons of strategies (sim/comparison.py) ------------------------------

COMPARED = (  # KPI, label, scale for display (negative: lower is better)
    ("profit", f"profit vs baseline ({MONEY})", 1.0),
    ("annual_churn_rate", "annual churn vs baseline (points)", -100.0),
    ("mean_nps", "mean NPS vs baseline", 1.0),
)


def write_comparison(table: pd.DataFrame, out_dir: Path, command: str) -> list[Path]:
    """comparison.csv (every number), comparison.png (the paired differences)
    and comparison.md (a short ranked report with the command that made it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir / "comparison.csv"
    table.to_csv(csv, index=False)
    chart = _save(_comparison_chart(table), out_dir / "comparison.png")
    report = out_dir / "comparison.md"
    report.write_text(_comparison_report(table, command, chart.name))
    return [csv, chart, report]


def _comparison_chart(table: pd.DataFrame) -> Figure:
    groups = list(table.groupby(["scenario", "setting"], sort=False))
    height = sum(0.35 * len(g) + 1.2 for _, g in groups)
    fig = Figure(figsize=(13, max(height, 3)))
    grid = fig.add_gridspec(len(groups), len(COMPARED), height_ratios=[len(g) for _, g in groups])
    for row, ((scenario, setting), group) in enumerate(groups):
        y = np.arange(len(group))[::-1]
        for col, (kpi, label, scale) in enumerate(COMPARED):
            ax = fig.add_subplot(grid[row, col])
            diff, low, high = (
                group[f"{kpi}_diff{end}"].to_numpy() * abs(scale) for end in ("", "_low", "_high")
            )
            errors = np.nan_to_num(np.vstack([diff - low, high - diff]))
            better, worse = (low > 0, high < 0) if scale > 0 else (high < 0, low > 0)
            colours = np.where(better, "tab:green", np.where(worse, "tab:red", "tab:gray"))
            ax.barh(y, diff, xerr=errors, color=colours, capsize=2)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_yticks(y, group.strategy if col == 0 else [""] * len(group))
            ax.set_title(f"{label}\n{scenario} {setting}".strip(), fontsize=9)
            ax.tick_params(labelsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(4))  # money in the tens of thousands
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    fig.suptitle(
        "Paired difference from baseline, mean and 95 % interval over seeds "
        "(green: better beyond doubt, red: worse)",
        y=1.0,
    )
    fig.tight_layout()
    return fig


def _comparison_report(table: pd.DataFrame, command: str, chart: str) -> str:
    lines = [
        "# Strategies compared with doing nothing",
        "",
        f"Command: `{command}`",
        "",
        f"![paired differences]({chart})",
        "",
        "Each strategy is compared with the baseline under the same scenario, seed by seed",
        "(the same seed gives the same consumers, network and random draws up to rollout).",
        "Figures are for the weeks after rollout: mean paired difference and 95 % interval",
        "over seeds. ROI is the profit difference per unit the strategy invested",
        "(sim/comparison.py). Every number is in comparison.csv.",
    ]
    for (scenario, setting), group in table.groupby(["scenario", "setting"], sort=False):
        weeks, seeds = group.weeks.iloc[0], group.seeds.max()
        lines += ["", f"## scenario={scenario} {setting}".rstrip(), ""]
        lines.append(f"Weeks {weeks}, {seeds} seeds.")
        others = group[group.strategy != group.reference]
        best = others.iloc[0] if len(others) else group.iloc[0]
        if len(others) and best.profit_diff_low > 0:
            lines.append(
                f"Best: **{best.strategy}**, profit {best.profit_diff:+,.0f} "
                f"(95 % CI {best.profit_diff_low:+,.0f} to {best.profit_diff_high:+,.0f})."
            )
        else:
            lines.append(
                "No strategy raised profit over the baseline beyond doubt (every interval "
                "for the profit difference includes zero or lies below it)."
            )
        lines += [
            "",
            "| rank | strategy | profit vs baseline | ROI | churn (points) | NPS | "
            "customers at end | investment |",
            "|---:|:---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in group.itertuples():
            row = r._asdict()
            cells = [_interval(row, kpi, fmt, scale) for kpi, fmt, scale in REPORTED]
            lines.append(
                f"| {r.rank} | {r.strategy} | {' | '.join(cells)} | {r.strategy_investment:,.0f} |"
            )
    return "\n".join(lines) + "\n"


REPORTED = (  # comparison.md columns: KPI difference (or ROI), format, scale
    ("profit_diff", "{:+,.0f}", 1.0),
    ("roi", "{:+.2f}", 1.0),
    ("annual_churn_rate_diff", "{:+.1f}", 100.0),
    ("mean_nps_diff", "{:+.1f}", 1.0),
    ("customers_diff", "{:+,.0f}", 1.0),
)


def _interval(row: dict, kpi: str, fmt: str, scale: float) -> str:
    mean, low, high = (scale * row[kpi + end] for end in ("", "_low", "_high"))
    if mean != mean:
        return "-"
    if low != low:
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"
