"""The charts of one run: drawn to files at the end of a run (sim/reporting.py)
and live, week by week, in the dashboard (sim/app.py).

Each function takes the run's time series (one row per week, sim/metrics.py)
or the model and returns a matplotlib Figure; `size` is the figure size in
inches (the dashboard draws them smaller than the files).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import StrMethodFormatter
from scipy.sparse.csgraph import breadth_first_order

from sim.codes import ACQUIRED_BY, FOCAL, PROSPECT, REASONS, Reason
from sim.engine.economics import MONEY, visit_revenue

Size = tuple[float, float]

REASON_COLOURS = {
    Reason.price.name: "#1f77b4",
    Reason.service_irritation.name: "#ff7f0e",
    Reason.missing_features.name: "#2ca02c",
    Reason.negative_encounter.name: "#d62728",
    Reason.complaint_response.name: "#9467bd",
    Reason.competitor_action.name: "#8c564b",
    Reason.ethics.name: "#e377c2",
    Reason.involuntary.name: "#7f7f7f",
    Reason.employee_departure.name: "#bcbd22",
}
"""One colour per churn reason, the same in every chart and every week; a new
reason needs its colour here (tests/test_charts.py checks)."""


def customers(ts: pd.DataFrame, size: Size = (8, 4.5)) -> Figure:
    fig = Figure(figsize=size)
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


def acquisition_and_churn(ts: pd.DataFrame, size: Size = (8, 7)) -> Figure:
    fig = Figure(figsize=size)
    top, bottom = fig.subplots(2, 1, sharex=True)
    new = {f"acquired_{way}": way for way in ACQUIRED_BY}
    _stacked(top, ts, new, None, "new customers per week")
    top.set_title("Acquisition by channel")
    reasons = [r for r in REASONS if ts[f"churned_{r}"].sum() > 0] or list(REASONS[:1])
    lost = {f"churned_{r}": r.replace("_", " ") for r in reasons}
    _stacked(bottom, ts, lost, [REASON_COLOURS[r] for r in reasons], LOST_A_WEEK)
    bottom.set_xlabel("week")
    bottom.set_title("Churn by reason (the satisfaction article's eight, and staff leaving)")
    return fig


LOST_A_WEEK = "customers lost per week"


def _stacked(
    ax: Axes, ts: pd.DataFrame, series: dict[str, str], colours: list | None, ylabel: str
) -> None:
    """Weekly counts stacked: `series` maps a column to its label."""
    ax.stackplot(
        ts.step,
        *(ts[column] for column in series),
        labels=list(series.values()),
        colors=colours,
        alpha=0.8,
    )
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8)


def satisfaction(ts: pd.DataFrame, size: Size = (8, 7)) -> Figure:
    fig = Figure(figsize=size)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(ts.step, ts.mean_satisfaction, label="mean encounter satisfaction (Delta law)")
    top.plot(ts.step, ts.mean_attitude, label="mean attitude")
    top.plot(ts.step, ts.mean_loyalty, label="mean loyalty")
    top.axhline(0, color="grey", lw=0.5)
    top.set_ylabel("mean per customer")
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


def economics(ts: pd.DataFrame, size: Size = (8, 7)) -> Figure:
    fig = Figure(figsize=size)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for col in ("revenue", "costs", "profit"):
        top.plot(ts.step, ts[col], label=col)
    top.set_ylabel(f"{MONEY} a week")
    top.set_title("Focal firm: revenue, costs and profit")
    top.legend(fontsize=8)
    bottom.plot(ts.step, ts.cumulative_profit, color="tab:green")
    bottom.axhline(0, color="grey", lw=0.5)
    bottom.set_ylabel(f"cumulative profit ({MONEY})")
    for ax in (top, bottom):
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    bottom.set_xlabel("week")
    return fig


def service_profit_chain(ts: pd.DataFrame, size: Size = (8, 9)) -> Figure:
    """Each link of the chain on a shared time axis (Heskett et al. 1994; seeds 003, 004)."""
    links = [
        ("employee_engagement", "employee\nengagement"),
        ("service_quality", "service\nquality (0-10)"),
        ("mean_satisfaction", "customer\nsatisfaction"),
        ("retention_rate", "retention\n(13-week mean)"),
        ("profit", "profit\nper week"),
    ]
    fig = Figure(figsize=size)
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


def complaints(ts: pd.DataFrame, size: Size = (8, 7)) -> Figure:
    """What the firm sees (complaints) against the truth (negative experiences)."""
    fig = Figure(figsize=size)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(ts.step, ts.dissatisfied, color="tab:red", label="negative experiences (true)")
    top.plot(ts.step, ts.silent_dissatisfied, color="tab:orange", ls="--", label="of which silent")
    top.plot(ts.step, ts.complaints, color="tab:blue", label="complaints (what the firm sees)")
    top.set_ylabel("per week")
    top.set_title("Observed complaints against true dissatisfaction")
    top.legend(fontsize=8)
    losses = {"complaint_losses": "lost after complaining", "silent_losses": "lost in silence"}
    _stacked(bottom, ts, losses, ["tab:blue", "tab:orange"], LOST_A_WEEK)
    bottom.set_xlabel("week")
    return fig


def market_shares(firms: pd.DataFrame, size: Size = (8, 4.5)) -> Figure:
    fig = Figure(figsize=size)
    ax = fig.subplots()
    for name, rows in firms.groupby("firm", sort=False):
        ax.plot(rows.step, 100 * rows.market_share, label=name)
    ax.set_xlabel("week")
    ax.set_ylabel("market share (% of consumers with a provider)")
    ax.set_title("Market share by firm")
    ax.legend(fontsize=8)
    return fig


def flows(table: pd.DataFrame) -> Figure:
    """Who moved where over the run, as an annotated matrix."""
    fig = Figure(figsize=(1.6 * len(table) + 2, 1.2 * len(table) + 1.5))
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), cmap="Blues")
    dark = table.to_numpy().max() / 2
    for (i, j), count in np.ndenumerate(table.to_numpy()):
        colour = "white" if count > dark else "black"
        ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(table)), table.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(table)), table.index, fontsize=8)
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    ax.set_title("Flows of consumers between firms over the run")
    fig.colorbar(image, ax=ax, shrink=0.7)
    return fig


# --- the word-of-mouth network ------------------------------------------------

ATTITUDE = mpl.cm.ScalarMappable(mpl.colors.Normalize(-1.0, 1.0), "RdYlGn")
"""Fill colour of a consumer: attitude toward their provider."""

PROVIDER_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
"""Marker of the focal firm's customers, then of each rival's (in market order)."""


@dataclass
class NetworkSample:
    """The consumers drawn, where, and the ties among them. A large market is
    drawn as the neighbourhood of one customer (breadth first), so that the
    ties a message travels along stay visible."""

    nodes: np.ndarray  # consumer indices, sorted
    positions: np.ndarray  # (len(nodes), 2)
    ties: np.ndarray  # (2, 3 x ties): x and y of both ends of each tie, then NaN

    @classmethod
    def of(cls, model, max_nodes: int) -> NetworkSample:
        net, c = model.network, model.consumers
        start = int(np.flatnonzero(c.provider == FOCAL)[0]) if (c.provider == FOCAL).any() else 0
        order = breadth_first_order(net, start, directed=False, return_predecessors=False)
        nodes = np.sort(order[:max_nodes])
        graph = nx.from_scipy_sparse_array(net[nodes][:, nodes])
        layout = nx.spring_layout(graph, seed=model.config.seed)
        positions = np.array([layout[i] for i in range(len(nodes))])
        edges = np.array(graph.edges(), dtype=int).reshape(-1, 2)
        ends = positions[edges]  # (ties, 2 ends, xy)
        gaps = np.full((len(edges), 1, 2), np.nan)  # one polyline, broken between ties
        ties = np.concatenate([ends, gaps], axis=1).reshape(-1, 2).T
        return cls(nodes, positions, ties)


def network(model, sample: NetworkSample, size: Size = (7.5, 7.5)) -> Figure:
    """The sampled consumers: shape and outline by provider, fill by attitude
    toward the provider (detractor red, promoter green), area by value (what
    they spend a week, more when loyal: sim/economics.py)."""
    c = model.consumers
    nodes = sample.nodes
    provider = c.provider[nodes]
    weekly = c.spend_per_visit[nodes] * c.visit_probability[nodes]
    uplift = model.config.economics.loyalty_spend_uplift
    value = visit_revenue(weekly, c.loyalty[nodes], 1.0, uplift)
    area = 10 + 110 * value / max(float(value.max()), 1e-9)

    fig = Figure(figsize=size)
    ax = fig.subplots()
    ax.plot(*sample.ties, color="black", alpha=0.12, linewidth=0.5)
    x, y = sample.positions.T
    waiting = provider == PROSPECT
    ax.scatter(x[waiting], y[waiting], s=8, c="lightgrey", zorder=2)
    legend = [Line2D([], [], ls="", marker="o", ms=4, color="lightgrey", label="prospects")]
    for firm, name in enumerate(model.market.names):
        mine = provider == firm
        marker = PROVIDER_MARKERS[firm % len(PROVIDER_MARKERS)]
        edge, width = ("navy", 1.0) if firm == FOCAL else ("dimgrey", 0.4)
        ax.scatter(
            x[mine],
            y[mine],
            s=area[mine],
            c=c.attitude[nodes[mine]],
            cmap=ATTITUDE.cmap,
            norm=ATTITUDE.norm,
            marker=marker,
            edgecolors=edge,
            linewidths=width,
            zorder=3 if firm == FOCAL else 2,
        )
        label = f"{name} customers" if firm else "focal firm's customers"
        # the legend is about shape; fill is attitude
        legend.append(Line2D([], [], ls="", marker=marker, mfc="white", mec=edge, label=label))
    fig.colorbar(ATTITUDE, ax=ax, shrink=0.6, label="attitude (detractor -1 .. +1 promoter)")
    ax.legend(handles=legend, loc="lower left", fontsize=8)
    ax.set_title(f"Word-of-mouth network: {len(nodes)} of {c.n} consumers, week {model.steps}")
    ax.autoscale_view()
    ax.axis("off")
    return fig


def _legend(*axes: Axes) -> None:
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    axes[0].legend(handles, labels, loc="best", fontsize=8)
