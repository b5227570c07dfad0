"""The classroom dashboard: a live market on Mesa's SolaraViz.

    solara run sim/dashboard/app.py          # then open http://localhost:8765

The word-of-mouth network turns from promoters to detractors while charts of
share, NPS, complaints, churn by reason, profit and staff engagement move
beside it. The sidebar holds play / step / reset and the levers; reset
starts over with the same seed, so a run can be shown twice. A lesson loads a
prepared setting (sim/dashboard/lessons.py). The model and its controls are
in sim/dashboard/controls.py, the key figures and the charts' specs in
sim/dashboard/views.py; this module lays out the page.

Needs the dashboard extra: pip install -e ".[dashboard]".
"""

from __future__ import annotations

import shutil
import warnings

import markdown
import solara
import solara.server.settings
import solara.widgets

from sim.dashboard.controls import (
    CONTROLS,
    NETWORK_NODES,
    DashboardModel,
    lesson_settings,
    setting,
)
from sim.dashboard.lessons import FREE_PLAY, LESSONS
from sim.dashboard.views import LIVE_CHARTS, chart_spec, key_figures
from sim.runs import charts

# Not the user's business, in the server's log: Solara's check of Mesa's page
# (a hook after an early return in Mesa's ComponentsView, checked as Mesa is
# imported) and its note that a session cookie over plain http on localhost
# falls back to samesite=lax.
warnings.filterwarnings("ignore", message=r"(?s).*ComponentsView: `use_state` found")
warnings.filterwarnings("ignore", message=r"Cookies with samesite=none require https")

from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402


def serve_vega_offline() -> None:
    """Solara's Vega-Lite widget loads vega@5, vega-lite@5 and vega-embed@6
    through Solara's CDN cache, which the solara-assets package fills with
    exact versions (vega@5.21.0 ...). Copy each file to the path the widget
    asks for, so that charts draw without internet access (a classroom
    network, CI)."""
    cache = solara.server.settings.assets.proxy_cache_dir
    for package, major in (("vega", 5), ("vega-lite", 5), ("vega-embed", 6)):
        wanted = cache / f"{package}@{major}" / "build" / f"{package}.min.js"
        shipped = sorted(cache.glob(f"{package}@{major}.*/build/{package}.min.js"))
        if shipped and not wanted.exists():
            try:
                wanted.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shipped[-1], wanted)
            except OSError:  # a read-only install: Solara fetches them from its CDN
                return


def _html(text: str) -> None:
    """Markdown as HTML (solara.Markdown would fetch KaTeX from a CDN)."""
    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]))


# --- components: each one a card of the page, redrawn every step ---------------

lesson = solara.reactive(FREE_PLAY)


@solara.component
def KeyFigures(model: DashboardModel) -> None:
    update_counter.get()
    config = model.config
    with solara.Column(classes=["key-figures"], gap="4px"):
        solara.Text(
            f"Week {model.steps} of {config.steps}",
            classes=["week-counter"],
            style={"font-size": "1.4em", "font-weight": "bold"},
        )
        _html(setting(config))
        rows = "".join(
            f"<tr><td>{kpi}</td><td align='right'>{now}</td><td align='right'>{then}</td></tr>"
            for kpi, now, then in key_figures(model)
        )
        solara.HTML(
            tag="table",
            unsafe_innerHTML="<tr><th></th><th>now</th><th>week 0</th></tr>" + rows,
            style={"font-size": "0.9em", "line-height": "1.25"},
        )


@solara.component
def LessonPanel(model: DashboardModel) -> None:
    update_counter.get()
    with solara.Column(classes=["lesson"], gap="4px"):
        solara.Select("lesson", value=lesson, values=list(LESSONS))
        _html(LESSONS[lesson.value].story)
        _html("The same run from the command line:\n\n    " + " ".join(model.command))
        if model.problem:
            solara.Error(f"not run: {model.problem}")


@solara.component
def NetworkView(model: DashboardModel) -> None:
    update_counter.get()
    sample = solara.use_memo(lambda: charts.NetworkSample.of(model, NETWORK_NODES), [model])
    with solara.Div(classes=["network"]):
        solara.FigureMatplotlib(charts.network(model, sample, size=(7.2, 6)), format="png", dpi=72)


def _live_chart(name: str):
    @solara.component
    def LiveChart(model: DashboardModel) -> None:
        update_counter.get()
        with solara.Div(classes=[f"chart-{name}"]):
            # the spec's data changes each week, not its form (sim/dashboard/views.py)
            solara.widgets.VegaLite.element(spec=chart_spec(name, model))

    return LiveChart


COMPONENTS = [NetworkView, KeyFigures, LessonPanel, *(_live_chart(c) for c in LIVE_CHARTS)]


def model_params(settings: dict, overrides: str) -> dict:
    """The sidebar's inputs (Mesa user parameters), set to `settings`."""
    params = {
        name: {**control.widget, "label": control.label, "value": settings[name]}
        for name, control in CONTROLS.items()
    }
    params["overrides"] = {"type": "InputText", "label": "more overrides", "value": overrides}
    return params


PAGE_STYLE = """
/* each slider's value, always shown, in small print under its knob */
.v-slider__thumb-label-container { display: block !important; }
.v-slider .v-slider__thumb-label.primary {
  transform: translate(-50%, 28px) !important; height: auto !important; width: auto !important;
  background-color: transparent !important; border-radius: 0 !important; white-space: nowrap;
  color: rgba(0, 0, 0, 0.7) !important; font-size: 11px;
}
.v-slider__thumb-label > div { transform: none !important; }
.v-tabs-bar { display: none !important; }  /* Mesa's tab bar: this dashboard has one page */
.network img { max-width: 100%; height: auto; }  /* the network fits its card */
"""
"""The page from 1,280 x 720 up: charts are as wide as their cards (sim/dashboard/views.py)."""


@solara.component
def Page() -> None:
    """Mesa's SolaraViz for the chosen lesson: choosing another lesson starts
    a new dashboard, its controls set as the lesson says."""
    chosen = LESSONS[lesson.value]
    settings, overrides = lesson_settings(chosen), " ".join(chosen.overrides)
    model = solara.use_memo(lambda: DashboardModel(overrides=overrides, **settings), [lesson.value])
    solara.Style(PAGE_STYLE)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(settings, overrides),
        name="Customer loyalty: a live market",
        play_interval=50,
    ).key(f"lesson-{lesson.value}")


serve_vega_offline()
solara.server.settings.theme.show_banner = False  # it covered a chart's title
