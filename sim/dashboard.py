"""What the classroom dashboard (sim/app.py) shows, apart from the page itself.

The dashboard's model is the loyalty model built from the sidebar's controls:
each control is one config key, so every dashboard run is the run of
`python run.py <overrides>` (same seed, same config, same numbers), and the
page shows that command. The live charts are Vega-Lite specs (Altair), drawn
in the browser; the KPIs are those of a run's summary (sim/metrics.py) over
the last 13 weeks.
"""

from __future__ import annotations

import functools
import operator
import shlex
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
from hydra.errors import HydraException
from matplotlib.colors import to_hex

from sim import charts
from sim.churn import REASONS
from sim.cli import compose_config, group_options, problem
from sim.config import Config, ConfigError
from sim.lessons import Lesson
from sim.metrics import summarise
from sim.model import LoyaltyModel

TEACHING_POPULATION = 3000  # consumers: a few thousand keep every step well under a second
NETWORK_NODES = 400  # consumers drawn in the network view


@dataclass(frozen=True)
class Control:
    """A control of the sidebar and the config key it sets (sim/config.py)."""

    key: str
    label: str
    widget: dict[str, Any]  # a Mesa user-parameter spec, without its value


def _slider(low: float, high: float, step: float) -> dict[str, Any]:
    kind = "SliderInt" if all(isinstance(v, int) for v in (low, high, step)) else "SliderFloat"
    return {"type": kind, "min": low, "max": high, "step": step}


CONTROLS = {
    "consumers": Control("population.n", "consumers", _slider(500, 10_000, 500)),
    "seed": Control("seed", "seed", _slider(0, 99, 1)),
    "weeks": Control("steps", "weeks to run", _slider(52, 520, 52)),
    "strategy": Control(
        "strategy", "strategy", {"type": "Select", "values": group_options("strategy")}
    ),
    "rollout_week": Control("strategy.rollout_step", "strategy from week", _slider(0, 156, 1)),
    "market": Control(
        "scenario", "scenario", {"type": "Select", "values": group_options("scenario")}
    ),
    "scenario_week": Control("scenario.start_step", "scenario from week", _slider(0, 156, 1)),
    "price": Control("firm.price", "price index", _slider(0.7, 1.3, 0.05)),
    "pay": Control("employees.pay", "staff pay (1 = market)", _slider(0.6, 1.4, 0.05)),
    "training": Control("employees.training", "staff training", _slider(0.0, 1.0, 0.05)),
    "complaint_ease": Control("complaints.ease", "ease of complaining", _slider(0.5, 10.0, 0.5)),
    "recovery_quality": Control(
        "complaints.recovery_quality", "complaint recovery quality", _slider(0.0, 1.0, 0.02)
    ),
    "follow_up": Control(
        "complaints.follow_up", "follow up (share of visits)", _slider(0.0, 1.0, 0.05)
    ),
    "advertising_reach": Control(
        "firm.advertising_reach", "advertising reach a week", _slider(0.0, 0.1, 0.005)
    ),
    "promise_premium": Control(
        "firm.promise_premium", "ads promise above delivery", _slider(0.0, 4.0, 0.5)
    ),
    "negative_reach": Control(
        "word_of_mouth.negative_reach", "people a detractor tells", _slider(0.0, 20.0, 1.0)
    ),
}
"""The sidebar's controls, by model parameter: the main levers of MODEL.md §9-10."""


def config_value(key: str, config: Config) -> Any:
    """What `config` holds at `key`; a config group answers with its option's name."""
    if key in ("strategy", "scenario"):
        return getattr(config, key).name
    return operator.attrgetter(key)(config)


DEFAULTS = {name: config_value(c.key, Config()) for name, c in CONTROLS.items()}
DEFAULTS["consumers"] = TEACHING_POPULATION


def overrides_for(settings: dict[str, Any]) -> list[str]:
    """The `python run.py` overrides that give these control settings, each
    one only where it differs from the model's default."""
    unknown = sorted(set(settings) - set(CONTROLS))
    if unknown:
        raise ConfigError("dashboard control", unknown[0], f"one of {', '.join(CONTROLS)}")
    base = Config()
    return [
        f"{CONTROLS[name].key}={_plain(value)}"
        for name, value in settings.items()
        if value != config_value(CONTROLS[name].key, base)
    ]


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class DashboardModel(LoyaltyModel):
    """The loyalty model, built from the dashboard's controls (SolaraViz
    re-creates it from them on reset). `overrides` are further Hydra
    overrides, as typed on the command line."""

    def __init__(self, overrides: str = "", scenario: Any = None, **kwargs: Any) -> None:
        # The controls arrive as **kwargs: Mesa 3.3's SolaraViz accepts no other name.
        # Mesa 3.4+ passes its own experiment `scenario` on reset; the market
        # scenario here is the `market` control (a config group), so it is not used.
        self.command = ["python run.py", *overrides_for({**DEFAULTS, **kwargs})]
        # a typo in the overrides box: run without them, and say why
        config = None
        try:
            extra = shlex.split(overrides)
            self.problem = problem(self.command[1:] + extra)
            if self.problem is None:
                config = compose_config(self.command[1:] + extra)
                self.command += extra
        except (ValueError, HydraException) as err:  # unbalanced quotes, a sweep
            self.problem = f"overrides={overrides!r}: {str(err).splitlines()[0]}"
        config = config or compose_config(self.command[1:])
        super().__init__(config)

    def step(self) -> None:
        super().step()
        self.running = self.steps < self.config.steps


def lesson_settings(lesson: Lesson) -> dict[str, Any]:
    """The controls as a lesson sets them; the others at their defaults."""
    return {**DEFAULTS, **lesson.settings}


def setting(config: Config) -> str:
    """The strategy and scenario in force, and the week each starts (Markdown)."""
    parts = []
    for group, name, start in (
        ("strategy", config.strategy.name, config.strategy.rollout_step),
        ("scenario", config.scenario.name, config.scenario.start_step),
    ):
        plain = name in ("baseline", "stable")  # nothing changes: no start
        parts.append(f"{group} **{name}**" + ("" if plain else f" from week {start}"))
    return ", ".join(parts)


def key_figures(model: LoyaltyModel) -> list[tuple[str, str, str]]:
    """(KPI, now, at week 0); churn and complaints over the last 13 weeks."""
    ts = model.datacollector.get_model_vars_dataframe()
    now, start = ts.iloc[-1], ts.iloc[0]
    quarter = summarise(ts.iloc[-14:], model.config)
    totals, rates = quarter["totals"], quarter["rates"]
    voiced = rates["voiced_share_of_negative_experiences"]
    return [
        ("customers", f"{now.customers:,.0f}", f"{start.customers:,.0f}"),
        ("market share", f"{now.market_share:.1%}", f"{start.market_share:.1%}"),
        ("NPS", f"{now.nps:+.0f}", f"{start.nps:+.0f}"),
        ("staff engagement", f"{now.employee_engagement:.2f}", f"{start.employee_engagement:.2f}"),
        ("annual churn, last 13 weeks", f"{rates['annual_churn_rate']:.1%}", ""),
        ("negative experiences, 13 weeks", f"{totals['dissatisfied']:,}", ""),
        ("... of which complained", f"{totals['complaints']:,} ({voiced:.1%})", ""),
        ("customers lost in silence, 13 weeks", f"{totals['silent_losses']:,}", ""),
        ("profit this week", f"{now.profit:,.0f}", ""),
        ("cumulative profit", f"{now.cumulative_profit:,.0f}", ""),
    ]


# --- live charts ----------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 440, 210
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
        "Complaints against true dissatisfaction (seed 001)",
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
        "a week",
        {"cumulative_profit": "cumulative profit"},
        "cumulative profit",
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
        color=alt.Color("series:N", scale=colour, legend=alt.Legend(orient="top", title=None)),
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
    """Customers lost a week, stacked by reason (seed 003's eight, and staff leaving)."""
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
        title="Churn by reason (seed 003)", width=CHART_WIDTH, height=CHART_HEIGHT
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
