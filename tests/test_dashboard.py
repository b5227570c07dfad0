"""The classroom dashboard: its model and controls, and end to end in a real
browser (headless Chromium driven by Playwright, tests/browser.py).

These tests are skipped where the dashboard extra or Chromium is missing,
unless LOYALTY_SIM_BROWSER=require (as in CI), where a skip would hide a
broken dashboard: there they fail instead.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from tests import browser

REQUIRED = os.environ.get("LOYALTY_SIM_BROWSER") == "require"
if not REQUIRED:
    pytest.importorskip("solara", reason='the dashboard extra: pip install -e ".[dashboard]"')

from sim.dashboard.controls import (  # noqa: E402
    CONTROLS,
    DEFAULTS,
    DashboardModel,
    config_value,
    lesson_settings,
    setting,
)
from sim.dashboard.lessons import LESSONS  # noqa: E402
from sim.dashboard.views import (  # noqa: E402
    LIVE_CHARTS,
    REASON_LABELS,
    TIME_SERIES,
    changes,
    chart_spec,
    key_figures,
)
from sim.model import LoyaltyModel  # noqa: E402
from sim.runs.cli import compose_config  # noqa: E402 (after the skip above)


def test_a_dashboard_run_is_the_run_of_its_command_line():
    model = DashboardModel(consumers=800, seed=4, strategy="price_cut", price=1.1, rollout_week=3)
    assert model.command == [
        "python run.py",
        "population.n=800",
        "seed=4",
        "strategy=price_cut",
        "strategy.rollout_step=3",
        "firm.price=1.1",
    ]
    twin = LoyaltyModel(compose_config(model.command[1:]))
    for _ in range(6):
        model.step()
        twin.step()
    np.testing.assert_array_equal(model.consumers.provider, twin.consumers.provider)
    assert model.kpis == twin.kpis


def test_every_control_reaches_its_config_key():
    changed = {
        "consumers": 700,
        "seed": 3,
        "weeks": 104,
        "strategy": "staff_training",
        "rollout_week": 10,
        "market": "price_war",
        "scenario_week": 20,
        "price": 0.9,
        "pay": 1.2,
        "training": 0.5,
        "complaint_ease": 4.0,
        "recovery_quality": 0.5,
        "follow_up": 0.2,
        "advertising_reach": 0.05,
        "promise_premium": 2.0,
        "unhappy_tell": 0.5,
    }
    assert set(changed) == set(CONTROLS)
    model = DashboardModel(**changed)
    assert len(model.command) == 1 + len(changed)
    config = model.config
    assert (config.population.n, config.seed, config.steps) == (700, 3, 104)
    assert config.strategy.name == "staff_training" and config.scenario.name == "price_war"
    assert (config.firm.price, config.employees.pay, config.complaints.follow_up) == (0.9, 1.2, 0.2)
    assert config.word_of_mouth.unhappy_tie_probability == 0.5


def test_bad_overrides_are_named_and_left_out():
    model = DashboardModel(consumers=500, overrides="churn.switching_cost=-1 seed=5")
    assert model.problem == "churn.switching_cost=-1.0 is not allowed: expected a number >= 0"
    assert model.config.churn.switching_cost == 0.0 and model.config.seed == 0
    model = DashboardModel(consumers=500, overrides="churn.nonsense=1")
    assert "'churn.nonsense' is not a config key" in model.problem
    model = DashboardModel(consumers=500, overrides="strategy.price_cut.price=0.8")
    assert "changes nothing: strategy price_cut is not switched on" in model.problem
    model = DashboardModel(
        consumers=500, strategy="price_cut", overrides="strategy.price_cut.price=0.8"
    )
    assert model.problem is None and model.command[-1] == "strategy.price_cut.price=0.8"


@pytest.mark.parametrize(
    "typed, refused",
    [
        ("network=file network.path=/etc/passwd", "reaches the server's files"),
        ("network.path=/etc/passwd", "reaches the server's files"),
        ("hydra.run.dir=/tmp/x", "reaches the server's files"),
        ("seed=${oc.env:HOME}", "interpolations are not available here"),
        ("firm.name=${oc.env:HOME}", "interpolations are not available here"),
        ("population.n=100000000", "population.n=100000000 is not available here: at most 10,000"),
        ("steps=100000000", "steps=100000000 is not available here: at most 520"),
        ("burn_in=100000", "at most 520"),
        ("x=" + "1" * 1_000_000, "1,000,002 characters, at most 400"),
        ("scenario=price_war scenario.rival=7", "scenario.rival=7"),  # refused as it is built
    ],
)
def test_the_overrides_box_is_untrusted_and_a_refusal_stays_in_the_page(typed, refused):
    started = time.perf_counter()
    model = DashboardModel(consumers=500, overrides=typed)
    assert refused in model.problem and len(model.problem.splitlines()) == 1
    assert "root:" not in model.problem and os.environ["HOME"] not in model.problem
    assert model.command == ["python run.py", "population.n=500"]  # the controls ran
    assert model.config.firm.name != os.environ["HOME"]
    assert time.perf_counter() - started < 30


def test_controls_that_cannot_run_fall_back_to_the_defaults():
    model = DashboardModel(weeks=52, strategy="price_cut", rollout_week=100)
    assert "strategy.rollout_step=100 is not allowed: expected at most steps = 52" in model.problem
    assert model.command == ["python run.py", f"population.n={DEFAULTS['consumers']}"]
    model.step()  # and it runs


def test_charts_mark_the_week_a_strategy_or_scenario_starts_once_it_has():
    model = DashboardModel(consumers=500, strategy="price_cut", rollout_week=2)
    model.step()
    assert chart_spec("customers", model)["datasets"]["changes"] == []
    model.step()
    marks = [chart_spec(name, model)["datasets"]["changes"] for name in LIVE_CHARTS]
    assert all(m == [{"step": 2, "change": "price_cut from here"}] for m in marks)
    both = DashboardModel(consumers=500, strategy="price_cut", rollout_week=0, market="downturn")
    both.run_for(52)
    assert [c["step"] for c in changes(both)] == [0, 52]


def test_the_setting_line_names_what_changes_and_when():
    assert setting(DashboardModel(consumers=500).config) == (
        "strategy **baseline**, scenario **stable**"
    )
    config = DashboardModel(consumers=500, strategy="price_cut", market="downturn").config
    assert setting(config) == (
        "strategy **price_cut** from week 52, scenario **downturn** from week 52"
    )


def test_the_model_stops_at_its_horizon():
    model = DashboardModel(consumers=500, weeks=52)
    model.run_for(51)
    assert model.running
    model.step()
    assert not model.running


@pytest.mark.parametrize("title", list(LESSONS))
def test_every_lesson_builds_and_its_charts_draw(title):
    lesson = LESSONS[title]
    settings = {**lesson_settings(lesson), "consumers": 600}
    model = DashboardModel(overrides=" ".join(lesson.overrides), **settings)
    assert model.problem is None
    for name, value in lesson.settings.items():
        assert config_value(CONTROLS[name].key, model.config) == value
    model.run_for(3)
    for name in LIVE_CHARTS:
        spec = chart_spec(name, model)
        rows = [row for key, data in spec["datasets"].items() if key != "changes" for row in data]
        assert {row["step"] for row in rows} == {1, 2, 3}
        assert {row["series"] for row in rows} == _labels(name)
        assert all(v is None or np.isfinite(v) for v in (row["value"] for row in rows))
    assert [row[0] for row in key_figures(model)][:3] == ["customers", "market share", "NPS"]


@pytest.mark.parametrize("title", [t for t, lesson in LESSONS.items() if lesson.watch])
def test_each_lesson_shows_what_its_card_says_on_its_default_seed(title):
    lesson = LESSONS[title]
    model = DashboardModel(overrides=" ".join(lesson.overrides), **lesson_settings(lesson))
    model.run_for(model.config.steps)
    ts = model.datacollector.get_model_vars_dataframe()
    start = model.config.strategy.rollout_step
    changes = {f"{w.column} {w.since}->{w.until}": w.change(ts, start) for w in lesson.watch}
    assert all(change > 0 for change in changes.values()), changes


def _labels(name: str) -> set[str]:
    if name == "churn":
        return set(REASON_LABELS.values())
    chart = TIME_SERIES[name]
    return {*chart.left.values(), *(chart.right or {}).values()}


def test_defaults_are_the_models_own_but_a_teaching_population():
    assert DashboardModel().command == ["python run.py", f"population.n={DEFAULTS['consumers']}"]


# --- in the browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard's URL, and its server's log."""
    reason = browser.missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"LOYALTY_SIM_BROWSER=require, but {reason}")
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with browser.dashboard(log) as url:
        yield url, log


@pytest.fixture(scope="module")
def tab(server):
    with browser.page(server[0]) as page:
        yield page


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_page_fits_a_laptop_and_a_full_hd_screen(server, width, height, tmp_path):
    with browser.page(server[0], {"width": width, "height": height}) as page:
        browser.step(page, 0)
        for name in LIVE_CHARTS:  # each chart inside its card, its second axis included
            chart = page.locator(f".chart-{name}")
            chart.scroll_into_view_if_needed()
            drawn = chart.locator("canvas, svg").first
            drawn.wait_for(timeout=30_000)
            card = chart.locator("xpath=ancestor::div[contains(@class, 'vue-grid-item')]")
            right, limit = _right(drawn), min(_right(card), width)
            assert right <= limit + 1, f"{name}: drawn to {right:.0f} px, card ends at {limit:.0f}"
        assert not page.locator(".v-tabs-bar").first.is_visible()  # no lone "PAGE 0" tab
        assert not page.get_by_text("This website runs on").is_visible()
        values = page.locator(".v-slider__thumb-label").all_inner_texts()
        assert str(DEFAULTS["consumers"]) in values and str(DEFAULTS["seed"]) in values
        page.screenshot(path=tmp_path / f"dashboard-{width}.png")
    log = server[1].read_text()
    assert "Warning" not in log and "Traceback" not in log, log


def _right(locator) -> float:
    """Where an element ends on the page (a chart is redrawn each step: wait for it)."""
    for _ in range(40):
        box = locator.bounding_box()
        if box:
            return box["x"] + box["width"]
        time.sleep(0.25)
    raise AssertionError(f"{locator} is not on the page")


def test_stepping_in_the_browser_advances_the_week_and_redraws_the_charts(tab, tmp_path):
    before = browser.chart_image(tab, "customers")
    network_before = tab.locator(".network img").first.get_attribute("src")
    latency = [browser.step(tab, week) for week in range(3)]
    deadline = time.monotonic() + 20
    while browser.chart_image(tab, "customers") == before:
        assert time.monotonic() < deadline, "the customers chart did not change after 3 steps"
        time.sleep(0.5)
    assert tab.locator(".network img").first.get_attribute("src") != network_before
    print(f"\nstep to new week shown: {', '.join(f'{s:.2f} s' for s in latency)}")

    screenshot = Path(os.environ.get("LOYALTY_SIM_SCREENSHOT", tmp_path / "dashboard.png"))
    tab.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")


def test_play_runs_on_and_reset_starts_over_with_the_same_seed(tab):
    tab.get_by_role("button", name="▶").click()
    browser.week(tab, 8, timeout=60, at_least=True)
    tab.get_by_role("button", name="❚❚").click()
    runs = []
    for _ in range(2):
        tab.get_by_role("button", name="Reset").click()
        browser.week(tab, 0)
        for week in range(2):
            browser.step(tab, week)
        runs.append(tab.locator(".key-figures").inner_text())
    assert runs[0] == runs[1]
    assert "Week 2 of 156" in runs[0]


def test_a_lesson_sets_the_controls(tab):
    tab.get_by_role("button", name="lesson").click()
    tab.get_by_role("option", name="the expectation trap").click()
    browser.week(tab, 0, timeout=60)
    tab.get_by_text("strategy.advertising_push.promise_premium=3").wait_for(timeout=30_000)
    assert "advertising_push" in tab.locator(".key-figures").inner_text()
