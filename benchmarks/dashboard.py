"""How fast the classroom dashboard (sim/dashboard/app.py) renders a step.

Server side: for each population, a whole run week by week, timing the model's
step and the work the page does for it (the KPI table, the network PNG, the six
Vega-Lite specs), as the components do it. In the browser: the dashboard
served and driven in headless Chromium (tests/browser.py), the time from
pressing Step to the new week on the page. With --screenshot, it then loads a
lesson, plays it to --weeks and saves a picture of the page.

usage: python benchmarks/dashboard.py [--n 1000 3000 10000] [--weeks 156]
                                      [--browser-steps 20] [--screenshot docs/dashboard.png]
                                      [--lesson "the expectation trap"]
(needs `pip install -e ".[test,dashboard]"` and Chromium for the browser part)
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.dashboard.controls import NETWORK_NODES, DashboardModel  # noqa: E402
from sim.dashboard.views import LIVE_CHARTS, chart_spec, key_figures  # noqa: E402
from sim.runs import charts  # noqa: E402
from tests import browser  # noqa: E402


def render(model: DashboardModel, sample: charts.NetworkSample) -> None:
    """What the page's components compute for one week (sim/dashboard/app.py)."""
    key_figures(model)
    png = io.BytesIO()
    charts.network(model, sample, size=(7.2, 6)).savefig(png, format="png", dpi=72)
    for name in LIVE_CHARTS:
        json.dumps(chart_spec(name, model))  # as the widget sends it


def server_side(n: int, weeks: int) -> None:
    started = time.perf_counter()
    model = DashboardModel(consumers=n, weeks=weeks)
    sample = charts.NetworkSample.of(model, NETWORK_NODES)
    build = time.perf_counter() - started
    step, draw = [], []
    for _ in range(weeks):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        render(model, sample)
        step.append(t1 - t0)
        draw.append(time.perf_counter() - t1)
    total = np.add(step, draw)
    print(
        f"{n:>7,} consumers: build + network layout {build:.2f} s; a week: model step "
        f"{1000 * np.mean(step):.0f} ms, page work {1000 * np.mean(draw):.0f} ms, "
        f"together mean {1000 * total.mean():.0f} ms, 95th percentile "
        f"{1000 * np.percentile(total, 95):.0f} ms, slowest {1000 * total.max():.0f} ms"
    )


def in_browser(steps: int, screenshot: Path | None, lesson: str, weeks: int) -> None:
    reason = browser.missing()
    if reason:
        print(f"browser part skipped: {reason}")
        return
    log = Path(tempfile.mkdtemp()) / "server.log"
    with browser.dashboard(log) as url, browser.page(url) as tab:
        latency = [browser.step(tab, week) for week in range(steps)]
        print(
            f"in Chromium, {steps} steps of the default dashboard (3,000 consumers): "
            f"Step pressed to new week shown, median {statistics.median(latency):.2f} s, "
            f"slowest {max(latency):.2f} s"
        )
        if screenshot is None:
            return
        tab.set_viewport_size({"width": 1600, "height": 2250})
        tab.get_by_role("button", name="lesson").click()
        tab.get_by_role("option", name=lesson).click()
        browser.week(tab, 0, timeout=60)
        tab.get_by_role("button", name="▶").click()
        browser.week(tab, weeks, timeout=30 + 2 * weeks, at_least=True)
        tab.get_by_role("button", name="❚❚").click()
        time.sleep(3)  # the last charts drawn
        tab.screenshot(path=screenshot)
        shown = tab.locator(".week-counter").inner_text()
        print(f"screenshot of {lesson!r} at {shown.lower()}: {screenshot}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 3000, 10_000])
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--browser-steps", type=int, default=20)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--lesson", default="the expectation trap")
    args = parser.parse_args()
    for n in args.n:
        server_side(n, args.weeks)
    if args.browser_steps:
        in_browser(args.browser_steps, args.screenshot, args.lesson, min(args.weeks, 104))


if __name__ == "__main__":
    main()
