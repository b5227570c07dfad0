"""Canned lessons for the classroom dashboard (sim/dashboard/app.py).

A lesson is a prepared setting of the dashboard's controls, and a few
sentences on what to watch and what to try next. Each one shows a classic
finding of the source articles (docs/ODD.md, "Sources") in one run: the week
a strategy rolls out splits the run into a before and an after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

WINDOWS = ("before", "after", "last")
"""Spans of 26 weeks a lesson compares: before the strategy starts, its first
half year, and the last half year of the run."""


@dataclass(frozen=True)
class Watch:
    """What the card tells the class to watch, as a check: the weekly mean of a
    KPI column (sim/engine/observation.py) goes `direction` (+1 up, -1 down)
    from one span of 26 weeks to another (WINDOWS). tests/test_dashboard.py runs
    each lesson on its default seed and checks them."""

    column: str
    direction: int
    since: str = "before"
    until: str = "after"

    def change(self, timeseries: pd.DataFrame, start: int) -> float:
        """The change of the weekly mean, signed so that > 0 is what the card says."""
        weeks = {
            "before": (start - 26, start),
            "after": (start, start + 26),
            "last": (timeseries.step.max() - 25, timeseries.step.max() + 1),
        }
        means = [
            timeseries[timeseries.step.between(low, high - 1)][self.column].mean()
            for low, high in (weeks[self.since], weeks[self.until])
        ]
        return self.direction * (means[1] - means[0])


@dataclass(frozen=True)
class Lesson:
    title: str
    story: str  # Markdown: what happens, what to watch, what to try
    settings: dict[str, Any] = field(default_factory=dict)  # sidebar controls (controls.py)
    overrides: tuple[str, ...] = ()  # further Hydra overrides, as on `python run.py`
    watch: tuple[Watch, ...] = ()  # what the story says will show


FREE_PLAY = "free play"

LESSONS = {
    lesson.title: lesson
    for lesson in (
        Lesson(
            FREE_PLAY,
            "The default market: the focal firm and two rivals, nothing changes. "
            "Move the levers, press **reset**, then **play**.",
        ),
        Lesson(
            "the silent dissatisfied",
            "The CX-methods article: of customers with a negative experience only about 2 % "
            "complain; "
            "the rest say nothing, and nearly half of them leave. **Watch** the complaints "
            "chart: the firm sees the blue line, the truth is the red one, and most "
            "customers lost are lost in silence. From week 26 the firm makes complaining "
            "easy (5× easier, no reward for few complaints): complaints jump, yet the "
            "negative experiences were there all along. **Try** `follow up` at 0.3 "
            "(proactive follow-up finds the silent ones) and compare churn.",
            settings={"strategy": "easy_complaints", "rollout_week": 26},
            watch=(Watch("complaints", +1),),
        ),
        Lesson(
            "loyal staff, loyal customers",
            "The satisfaction and employee-loyalty articles (the service-profit chain): "
            "loyal employees make loyal "
            "customers. Pay starts at 80 % of the market: engagement is low, more staff "
            "quit, new hires are unskilled, service and satisfaction suffer, customers leave. "
            "From week 52 the firm invests in its people (pay 1.1, recognition, "
            "empowerment). **Watch** the service-profit chain: engagement turns first, "
            "then service and satisfaction, and retention by the last months. Profit "
            "drops with the pay rise "
            "and climbs back as customers stay, though within these three years not to "
            "where it was (experiments/results/service_profit_chain: the net profit). "
            "**Try** pay 1.0 and compare the cumulative profit.",
            settings={"pay": 0.8, "strategy": "employee_engagement", "rollout_week": 52},
            watch=(
                *(Watch(c, +1) for c in ("employee_engagement", "service_quality")),
                Watch("mean_satisfaction", +1),
                Watch("churned", -1, until="last"),
                Watch("profit", -1),
                Watch("profit", +1, since="after", until="last"),
            ),
        ),
        Lesson(
            "the expectation trap",
            "The CX-methods article: advertising raises expectations toward what it "
            "promises, and "
            "satisfaction is experience minus expectation (the Delta law). From week 52 "
            "the firm advertises to 5 % of consumers a week and promises 3 points more "
            "than it delivers. **Watch** new customers surge, then visits below "
            "expectation and churn rise. "
            "**Try** `strategy.advertising_push.promise_premium=0` in *more overrides* "
            "and press reset: honest advertising wins fewer customers, and keeps more of "
            "them (experiments/results/expectation_trap).",
            settings={"strategy": "advertising_push", "rollout_week": 52},
            overrides=("strategy.advertising_push.promise_premium=3",),
            watch=(*(Watch(c, +1) for c in ("acquired", "below_expectation_share", "churned")),),
        ),
    )
}
