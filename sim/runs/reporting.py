"""What a run leaves behind: timeseries.csv, summary.json and plots/*.png."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from sim.codes import FOCAL
from sim.engine.economics import MONEY
from sim.interventions.survey import survey
from sim.runs import charts
from sim.runs.comparison import chance_correlation, verdict
from sim.runs.files import Writer, write_atomically, write_text

SURVEY_SAMPLE = 1000
"""Customers asked at the end of a run (the key-experience survey, step 2)."""


def run_outputs(timeseries: pd.DataFrame, model, plots: bool) -> dict[str, Writer]:
    """Every file of a run but summary.json, by its path in the run's folder:
    the tables, and (if `plots`) the standard charts and a picture of the
    network. Each is drawn only when it is written, so a run stopped part way
    through its plots has spent no time on the rest."""
    suffix = model.config.output.tables
    # gzip without a timestamp: the same run gives the same bytes, whatever launched it
    compression = {"method": "gzip", "mtime": 0} if suffix.endswith(".gz") else None
    tables = {
        "timeseries": (lambda: timeseries, False),
        "firms": (model.firm_table, False),
        "flows": (model.flow_table, True),
    }
    if (model.consumers.provider == FOCAL).any():
        answers = survey(model.consumers, model.segments, SURVEY_SAMPLE, model.rng)
        tables["key_experience"] = (lambda: answers, False)
    outputs: dict[str, Writer] = {
        f"{name}.{suffix}": functools.partial(_write_table, table, index, compression)
        for name, (table, index) in tables.items()
    }
    if not plots:
        return outputs
    ts = timeseries.iloc[1:] if len(timeseries) > 1 else timeseries
    figures = {
        "customers_and_share": lambda: charts.customers(ts),
        "acquisition_and_churn": lambda: charts.acquisition_and_churn(ts),
        "satisfaction_and_nps": lambda: charts.satisfaction(ts),
        "economics": lambda: charts.economics(ts),
        "service_profit_chain": lambda: charts.service_profit_chain(ts),
        "market_shares": lambda: charts.market_shares(model.firm_table()),
        "complaints": lambda: charts.complaints(ts),
        "flows": lambda: charts.flows(model.flow_table()),
        "network": lambda: charts.network(
            model, charts.NetworkSample.of(model, model.config.output.network_plot_max_nodes)
        ),
    }
    return outputs | {
        f"plots/{name}.png": functools.partial(_write_figure, draw)
        for name, draw in figures.items()
    }


def _write_table(table: Callable[[], pd.DataFrame], index: bool, compression, path: Path) -> None:
    table().to_csv(path, index=index, compression=compression)


def _write_figure(draw: Callable[[], Figure], path: Path) -> None:
    draw().savefig(path, dpi=110, bbox_inches="tight", format="png")


def _save(fig: Figure, path: Path) -> Path:
    return write_atomically(path, functools.partial(_write_figure, lambda: fig))


# --- comparisons of strategies (sim/comparison.py) ------------------------------

COMPARED = (  # KPI, label, scale for display (negative: lower is better)
    ("profit", f"profit vs baseline ({MONEY})", 1.0),
    ("annual_churn_rate", "annual churn vs baseline (points)", -100.0),
    ("mean_nps", "mean NPS vs baseline", 1.0),
)


def write_comparison(table: pd.DataFrame, out_dir: Path, command: str) -> list[Path]:
    """comparison.csv (every number), comparison.png (the paired differences)
    and comparison.md (a short ranked report with the command that made it)."""
    csv = write_atomically(out_dir / "comparison.csv", lambda p: table.to_csv(p, index=False))
    chart = _save(_comparison_chart(table), out_dir / "comparison.png")
    report = _comparison_report(table, command, chart.name)
    return [csv, chart, write_text(out_dir / "comparison.md", report)]


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
            where = textwrap.fill(f"{scenario} {setting}".strip(), 48)  # a long setting wraps
            ax.set_title(f"{label}\n{where}", fontsize=9)
            ax.tick_params(labelsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(4))  # money in the tens of thousands
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    over = "parameter draws x seeds" if "draws" in table else "seeds"
    fig.suptitle(
        f"Paired difference from baseline, mean and 95 % interval over {over} "
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
        lines += _robustness(group)
    return "\n".join(lines) + "\n"


def _robustness(group: pd.DataFrame) -> list[str]:
    """comparison.md's account of an ensemble (`uncertainty=ensemble`): which
    strategies win whatever the uncertain parameters, which depend on one, and
    which lose (sim/comparison.py: across_draws, verdict)."""
    if "p_better" not in group or group.p_better.isna().all():
        return []
    draws = int(group.draws.max())
    lines = [
        "",
        f"Across {draws} parameter draws (accepted calibration trials and the ranges of the "
        "uncertain parameters; docs/ODD.md, Uncertainty analysis): p_better is the share of "
        "draws in which the strategy's mean profit difference over seeds is above zero; "
        "p5 and p95 are its 5th and 95th percentiles across draws. A strategy that neither "
        "wins in 90 % of draws nor loses in 90 % depends on the uncertain parameter most "
        "rank-correlated with its profit difference across draws (Spearman's rho); with "
        f"{draws} draws one parameter reaches |rho| {chance_correlation(draws):.2f} by chance "
        "one time in 20, and the largest of eighteen more often: more draws "
        "(`uncertainty.draws`) or `python -m sim.sensitivity compare=STRATEGY` confirm it.",
        "",
        "| strategy | p_better | profit difference p5 | p95 | verdict |",
        "|:---|---:|---:|---:|:---|",
    ]
    for r in group[group.p_better.notna()].itertuples():
        lines.append(
            f"| {r.strategy} | {r.p_better:.2f} | {r.profit_diff_p5:+,.0f} | "
            f"{r.profit_diff_p95:+,.0f} | {verdict(pd.Series(r._asdict()))} |"
        )
    return lines


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
