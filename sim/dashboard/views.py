"""What the classroom dashboard shows of its model each week: the key
figures, and the live charts as Vega-Lite specs (Altair), drawn in the
browser. The KPIs are those of a run's summary (sim/runs/summary.py) over the
last 13 weeks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import altair as alt
import pandas as pd
from matplotlib.colors import to_hex

from sim.codes import REASONS
from sim.engine.economics import MONEY
from sim.engine.observation import ratio
from sim.model import LoyaltyModel
from sim.runs import charts
from sim.runs.summary import summarise


def key_figures(model: LoyaltyModel) -> list[tuple[str, str, str]]:
    """(KPI, now, at week 0); churn and complaints over the last 13 weeks."""
    ts = model.datacollector.get_model_vars_dataframe()
    now, start = ts.iloc[-1], ts.iloc[0]
    quarter = summarise(ts.iloc[-14:], model.config)
    totals, rates = quarter["totals"], quarter["rates"]
    negative, complaints = totals["dissatisfied"], totals["complaints"]
    return [
        ("customers", f"{now.customers:,.0f}", f"{start.customers:,.0f}"),
        ("market share", f"{now.market_share:.1%}", f"{start.market_share:.1%}"),
        ("NPS", f"{now.nps:+.0f}", f"{start.nps:+.0f}"),
        ("staff engagement", f"{now.employee_engagement:.2f}", f"{start.employee_engagement:.2f}"),
        ("annual churn, last 13 weeks", f"{rates['annual_churn_rate']:.1%}", ""),
        ("negative experiences, 13 weeks", f"{negative:,}", ""),
        (
            "complaints (% of negative experiences)",
            f"{complaints:,} ({ratio(complaints, negative):.1%})",
            "",
        ),
        ("customers lost in silence, 13 weeks", f"{totals['silent_losses']:,}", ""),
        ("profit this week", f"{now.profit:,.0f}", ""),
        ("cumulative profit", f"{now.cumulative_profit:,.0f}", ""),
    ]


# --- live charts ----------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = "container", 210  # as wide as its card: 1,280 px screens up
WEEKS = alt.X("step:Q", title="week", axis=alt.Axis(format="d", tickMinStep=1))


@dataclass(frozen=True)
class TimeSeries:
    """A live chart: columns of the time series (sim/metrics.py) as lines,
    `left` on the left axis and `right` (dashed) on their own axis."""

    title: str
    left: dict[str, str]  # column: label
    left_axis: str
    right: dict[str, str] | None = None
    right_axis: str = ""
    right_scale: float = 1.0  # e.g. 100 for a share shown in %
    colours: list[str] | None = None  # of the left lines; Vega's palette if None


TIME_SERIES = {
    "customers": TimeSeries(
        "Customers and market share",
        {
            "customers": "focal firm's customers",
            "competitor_customers": "rivals' customers",
            "prospects": "prospects",
        },
        "consumers",
        {"market_share": "focal market share (%)"},
        "market share (%)",
        100.0,
    ),
    "satisfaction": TimeSeries(
        "NPS and satisfaction",
        {"nps": "NPS (promoters - detractors)"},
        "NPS",
        {"mean_satisfaction": "satisfaction (Delta law)", "mean_attitude": "attitude"},
        "satisfaction, attitude",
    ),
    "complaints": TimeSeries(
        "Complaints against true dissatisfaction",
        {
            "dissatisfied": "negative experiences (true)",
            "silent_dissatisfied": "of which silent",
            "complaints": "complaints (what the firm sees)",
        },
        "a week",
        colours=["#d62728", "#ff7f0e", "#1f77b4"],  # as in plots/complaints.png
    ),
    "economics": TimeSeries(
        "Revenue and profit",
        {"revenue": "revenue", "costs": "costs", "profit": "profit"},
        f"{MONEY} a week",
        {"cumulative_profit": "cumulative profit"},
        f"cumulative profit ({MONEY})",
    ),
    "employees": TimeSeries(
        "Employee engagement and service (the service-profit chain)",
        {"employee_engagement": "engagement", "employee_skill": "skill"},
        "0 - 1",
        {"service_quality": "service quality"},
        "service quality (0-10)",
    ),
}


def history(model: LoyaltyModel) -> pd.DataFrame:
    """The weeks so far; week 0 is the initial state, which has no flows."""
    ts = model.datacollector.get_model_vars_dataframe()
    return ts.iloc[1:] if len(ts) > 1 else ts


def _long(ts: pd.DataFrame, series: dict[str, str], scale: float = 1.0) -> list[dict]:
    """Rows of (step, series label, value) for Vega-Lite; a missing value is null."""
    wide = ts.set_index("step")[list(series)].mul(scale).rename(columns=series)
    long = wide.reset_index().melt("step", var_name="series", value_name="value")
    return long.astype(object).where(long.notna(), None).to_dict("records")


def _lines(data: str, series: dict[str, str], axis: str, palette: list[str] | None) -> alt.Chart:
    colour = alt.Scale(domain=list(series.values()), range=palette or alt.Undefined)
    return alt.Chart(alt.Data(name=data)).encode(
        x=WEEKS,
        y=alt.Y("value:Q", title=axis),
        color=alt.Color(
            "series:N",
            scale=colour,
            legend=alt.Legend(orient="top", title=None, columns=2, labelLimit=220),
        ),
        tooltip=["step:Q", "series:N", alt.Tooltip("value:Q", format=",.3~f")],
    )


RIGHT_AXIS_COLOURS = ["black", "grey"]  # dashed, so the two axes do not mix
REASON_LABELS = {f"churned_{r}": r.replace("_", " ") for r in REASONS}


def _changes() -> list[alt.Chart]:
    """A dotted rule and a label at each week a strategy or scenario started."""
    base = alt.Chart(alt.Data(name="changes")).encode(x=WEEKS)
    return [
        base.mark_rule(color="grey", strokeDash=[2, 2]),
        base.mark_text(align="left", baseline="top", dx=3, color="grey").encode(
            y=alt.value(2), text="change:N"
        ),
    ]


def _time_series(chart: TimeSeries) -> alt.TopLevelMixin:
    layers = [_lines("left", chart.left, chart.left_axis, chart.colours).mark_line()]
    if chart.right:
        right = _lines("right", chart.right, chart.right_axis, RIGHT_AXIS_COLOURS)
        layers.append(right.mark_line(strokeDash=[5, 3]))
    return (
        alt.layer(*layers, *_changes())
        .resolve_scale(y="independent", color="independent")
        .properties(title=chart.title, width=CHART_WIDTH, height=CHART_HEIGHT)
    )


def _churn() -> alt.Chart:
    """Customers lost a week, stacked by reason (the satisfaction article's eight,
    and staff leaving)."""
    colours = [to_hex(charts.REASON_COLOURS[r]) for r in REASONS]
    areas = (
        alt.Chart(alt.Data(name="reasons"))
        .mark_area()
        .encode(
            x=WEEKS,
            y=alt.Y("value:Q", stack="zero", title="customers lost a week"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=list(REASON_LABELS.values()), range=colours),
                legend=alt.Legend(orient="top", title=None, columns=3),
            ),
            tooltip=["step:Q", "series:N", "value:Q"],
        )
    )
    return alt.layer(areas, *_changes()).properties(
        title="Churn by reason", width=CHART_WIDTH, height=CHART_HEIGHT
    )


LIVE_CHARTS = ("customers", "satisfaction", "complaints", "churn", "economics", "employees")


@functools.cache
def chart_template(name: str) -> dict:
    """A live chart's Vega-Lite spec without its data, built with Altair (and
    checked against the schema) once: each week only the data changes."""
    chart = _churn() if name == "churn" else _time_series(TIME_SERIES[name])
    return chart.to_dict()


def chart_spec(name: str, model: LoyaltyModel) -> dict:
    """The Vega-Lite spec of live chart `name` (one of LIVE_CHARTS) for the
    weeks so far, with the weeks the strategy and the scenario started."""
    ts = history(model)
    if name == "churn":
        datasets = {"reasons": _long(ts, REASON_LABELS)}
    else:
        chart = TIME_SERIES[name]
        datasets = {"left": _long(ts, chart.left)}
        if chart.right:
            datasets["right"] = _long(ts, chart.right, chart.right_scale)
    return {**chart_template(name), "datasets": {**datasets, "changes": changes(model)}}


def changes(model: LoyaltyModel) -> list[dict]:
    """The strategy's rollout and the scenario's start, once they have happened."""
    config = model.config
    return [
        {"step": start, "change": f"{name} from here"}
        for name, start in (
            (config.strategy.name, config.strategy.rollout_step),
            (config.scenario.name, config.scenario.start_step),
        )
        if name not in ("baseline", "stable") and start <= model.steps
    ]
