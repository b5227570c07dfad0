"""What a run leaves behind: timeseries.csv, summary.json and plots/*.png."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.sparse.csgraph import breadth_first_order

from sim.acquisition import CHANNELS
from sim.churn import REASONS
from sim.population import PROSPECT
from sim.survey import survey

SURVEY_SAMPLE = 1000  # customers asked at the end of a run (seed 001's survey, step 2)


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
    if (model.consumers.provider == 0).any():
        tables["key_experience"] = (survey(model, SURVEY_SAMPLE), False)
    for name, (table, index) in tables.items():
        table.to_csv(out_dir / f"{name}.{suffix}", index=index, compression=compression)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def write_plots(timeseries: pd.DataFrame, model, out_dir: Path) -> list[Path]:
    """The standard charts of a run, and a picture of the network."""
    plots = out_dir / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    ts = timeseries.iloc[1:] if len(timeseries) > 1 else timeseries
    drawn = [
        _save(_customers(ts), plots / "customers_and_share.png"),
        _save(_acquisition_and_churn(ts), plots / "acquisition_and_churn.png"),
        _save(_satisfaction(ts), plots / "satisfaction_and_nps.png"),
        _save(_economics(ts), plots / "economics.png"),
        _save(_service_profit_chain(ts), plots / "service_profit_chain.png"),
        _save(_market_shares(model.firm_table()), plots / "market_shares.png"),
        _save(_complaints(ts), plots / "complaints.png"),
        _save(_flows(model.flow_table()), plots / "flows.png"),
    ]
    drawn.append(
        _save(
            _network(model, model.config.output.network_plot_max_nodes),
            plots / "network.png",
        )
    )
    return drawn


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _customers(ts: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for col, label in (
        ("customers", "focal firm's customers"),
        ("competitor_customers", "rivals' customers"),
        ("prospects", "prospects (no provider)"),
    ):
        ax.plot(ts.step, ts[col], label=label)
    ax.set_xlabel("week")
    ax.set_ylabel("consumers")
    share = ax.twinx()
    share.plot(ts.step, 100 * ts.market_share, color="black", ls="--", label="market share")
    share.set_ylabel("focal market share (%)")
    _legend(ax, share)
    ax.set_title("Customers and market share")
    return fig


def _acquisition_and_churn(ts: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(8, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    channels = (*CHANNELS, "switching")
    top.stackplot(
        ts.step,
        *(ts[f"acquired_{c}"] for c in channels),
        labels=[f"{c}" for c in channels],
        alpha=0.8,
    )
    top.set_ylabel("new customers per week")
    top.set_title("Acquisition by channel")
    top.legend(loc="upper left", fontsize=8)
    reasons = [r for r in REASONS if ts[f"churned_{r}"].sum() > 0] or list(REASONS[:1])
    bottom.stackplot(
        ts.step,
        *(ts[f"churned_{r}"] for r in reasons),
        labels=[r.replace("_", " ") for r in reasons],
        alpha=0.8,
    )
    bottom.set_ylabel("customers lost per week")
    bottom.set_xlabel("week")
    bottom.set_title("Churn by reason (seed 003)")
    bottom.legend(loc="upper left", fontsize=8)
    return fig


def _satisfaction(ts: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(8, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(ts.step, ts.mean_satisfaction, label="mean encounter satisfaction (Delta law)")
    top.plot(ts.step, ts.mean_attitude, label="mean attitude")
    top.plot(ts.step, ts.mean_loyalty, label="mean loyalty")
    top.axhline(0, color="grey", lw=0.5)
    share = top.twinx()
    share.plot(
        ts.step,
        100 * ts.below_expectation_share,
        color="tab:red",
        ls=":",
        label="visits below expectation (%)",
    )
    share.set_ylabel("visits below expectation (%)")
    _legend(top, share)
    top.set_title("Satisfaction of the focal firm's customers")
    bottom.plot(ts.step, ts.nps, color="tab:purple")
    bottom.axhline(0, color="grey", lw=0.5)
    bottom.set_ylabel("NPS (promoters - detractors, %)")
    bottom.set_xlabel("week")
    bottom.set_title("Net Promoter Score")
    return fig


def _economics(ts: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(8, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    for col in ("revenue", "costs", "profit"):
        top.plot(ts.step, ts[col], label=col)
    top.set_ylabel("per week")
    top.set_title("Focal firm: revenue, costs and profit")
    top.legend(fontsize=8)
    bottom.plot(ts.step, ts.cumulative_profit, color="tab:green")
    bottom.set_ylabel("cumulative profit")
    bottom.set_xlabel("week")
    return fig


def _service_profit_chain(ts: pd.DataFrame) -> Figure:
    """Each link of the chain on a shared time axis (Heskett et al. 1994; seeds 003, 004)."""
    links = [
        ("employee_engagement", "employee\nengagement"),
        ("service_quality", "service\nquality (0-10)"),
        ("mean_satisfaction", "customer\nsatisfaction"),
        ("retention_rate", "retention\n(13-week mean)"),
        ("profit", "profit\nper week"),
    ]
    fig = Figure(figsize=(8, 9))
    axes = fig.subplots(len(links), 1, sharex=True)
    for ax, (col, label) in zip(axes, links, strict=True):
        series = ts[col].rolling(13, min_periods=1).mean() if col == "retention_rate" else ts[col]
        ax.plot(ts.step, series)
        ax.set_ylabel(label, fontsize=8)
    axes[0].set_title(
        "The service-profit chain: engagement → service → satisfaction → retention → profit"
    )
    axes[-1].set_xlabel("week")
    return fig


def _complaints(ts: pd.DataFrame) -> Figure:
    """What the firm sees (complaints) against the truth (negative experiences)."""
    fig = Figure(figsize=(8, 7))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(ts.step, ts.dissatisfied, color="tab:red", label="negative experiences (true)")
    top.plot(ts.step, ts.silent_dissatisfied, color="tab:orange", ls="--", label="of which silent")
    top.plot(ts.step, ts.complaints, color="tab:blue", label="complaints (what the firm sees)")
    top.set_ylabel("per week")
    top.set_title("Observed complaints against true dissatisfaction (seed 001)")
    top.legend(fontsize=8)
    losses = ("complaint_losses", "silent_losses")
    bottom.stackplot(
        ts.step,
        *(ts[c] for c in losses),
        labels=["lost after complaining", "lost in silence"],
        colors=["tab:blue", "tab:orange"],
        alpha=0.8,
    )
    bottom.set_ylabel("customers lost per week")
    bottom.set_xlabel("week")
    bottom.legend(loc="upper left", fontsize=8)
    return fig


def _market_shares(firms: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for name, rows in firms.groupby("firm", sort=False):
        ax.plot(rows.step, 100 * rows.market_share, label=name)
    ax.set_xlabel("week")
    ax.set_ylabel("market share (% of consumers with a provider)")
    ax.set_title("Market share by firm")
    ax.legend(fontsize=8)
    return fig


def _flows(flows: pd.DataFrame) -> Figure:
    """Who moved where over the run, as an annotated matrix."""
    fig = Figure(figsize=(1.6 * len(flows) + 2, 1.2 * len(flows) + 1.5))
    ax = fig.subplots()
    image = ax.imshow(flows.to_numpy(), cmap="Blues")
    dark = flows.to_numpy().max() / 2
    for (i, j), count in np.ndenumerate(flows.to_numpy()):
        colour = "white" if count > dark else "black"
        ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(flows)), flows.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(flows)), flows.index, fontsize=8)
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    ax.set_title("Flows of consumers between firms over the run")
    fig.colorbar(image, ax=ax, shrink=0.7)
    return fig


def _network(model, max_nodes: int) -> Figure:
    """The network around one consumer, coloured by attitude toward their provider."""
    net, c = model.network, model.consumers
    start = int(np.flatnonzero(c.provider == 0)[0]) if (c.provider == 0).any() else 0
    order = breadth_first_order(net, start, directed=False, return_predecessors=False)
    nodes = np.sort(order[:max_nodes])
    graph = nx.from_scipy_sparse_array(net[nodes][:, nodes])
    layout = nx.spring_layout(graph, seed=model.config.seed)
    fig = Figure(figsize=(7.5, 7.5))
    ax = fig.subplots()
    nx.draw_networkx_edges(graph, layout, ax=ax, alpha=0.15, width=0.5)
    provider = c.provider[nodes]
    marker_of = {"focal firm's": provider == 0, "rivals'": provider > 0}
    for (label, mask), marker in zip(marker_of.items(), ("o", "s"), strict=True):
        idx = np.flatnonzero(mask)
        drawn = nx.draw_networkx_nodes(
            graph,
            layout,
            nodelist=idx.tolist(),
            node_color=c.attitude[nodes[idx]],
            cmap="RdYlGn",
            vmin=-1,
            vmax=1,
            node_size=25,
            node_shape=marker,
            ax=ax,
            label=f"{label} customers",
        )
    prospects = np.flatnonzero(provider == PROSPECT)
    nx.draw_networkx_nodes(
        graph,
        layout,
        nodelist=prospects.tolist(),
        node_color="lightgrey",
        node_size=12,
        ax=ax,
        label="prospects",
    )
    if drawn is not None:
        fig.colorbar(drawn, ax=ax, shrink=0.6, label="attitude (detractor -1 .. +1 promoter)")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"Word-of-mouth network: {len(nodes)} of {c.n} consumers, week {model.steps}")
    ax.axis("off")
    return fig


def _legend(*axes: Axes) -> None:
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    axes[0].legend(handles, labels, loc="best", fontsize=8)


# --- comparisons of strategies (sim/comparison.py) ------------------------------

COMPARED = (  # KPI, label, scale for display (negative: lower is better)
    ("profit", "profit vs baseline", 1.0),
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
