"""The dashboard's model, built from the sidebar's controls.

Each control is one config key, so every dashboard run is the run of
`python run.py <overrides>` (same seed, same config, same numbers), and the
page shows that command. What the page shows of the model each week is in
sim/dashboard/views.py.
"""

from __future__ import annotations

import operator
import shlex
from dataclasses import dataclass
from typing import Any

from sim.config import Config, ConfigError
from sim.dashboard.lessons import Lesson
from sim.model import LoyaltyModel
from sim.runs.cli import checked_config, group_options

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
    "unhappy_tell": Control(
        "word_of_mouth.unhappy_tie_probability",
        "share of friends an unhappy customer tells",
        _slider(0.0, 1.0, 0.05),
    ),
}
"""The sidebar's controls, by model parameter: the main levers and market conditions
(docs/ODD.md 7.6b, 7.9)."""


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


BOX_LIMIT = 400
"""Characters the *More overrides* box takes: enough for a dozen overrides."""

LIMITS = {"population.n": 10_000, "steps": 520, "burn_in": 520, "network.mean_degree": 50}
"""What one page may ask of the server (the sliders' ranges): a market of
10,000 consumers takes about 40 MB and a tenth of a second a week."""


class Refused(ValueError):
    """What the dashboard will not run, in one line."""


def box_overrides(text: str) -> list[str]:
    """The overrides typed in *More overrides*, treated as untrusted: the page
    may be open to a class. No interpolations (they read the server's
    environment), no Hydra settings, no files of the server."""
    if len(text) > BOX_LIMIT:
        raise Refused(f"more overrides: {len(text):,} characters, at most {BOX_LIMIT}")
    if "${" in text:
        raise Refused("more overrides: ${...} interpolations are not available here")
    try:
        overrides = shlex.split(text)
    except ValueError as err:  # unbalanced quotes
        raise Refused(f"more overrides: {err}") from None
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key.startswith("hydra") or key == "network.path" or (key, value) == ("network", "file"):
            raise Refused(f"{override} is not available here: it reaches the server's files")
        if key in LIMITS and value.isdigit() and int(value) > LIMITS[key]:
            raise Refused(f"{key}={value} is not available here: at most {LIMITS[key]:,}")
    return overrides


def within_limits(config: Config) -> None:
    for key, limit in LIMITS.items():
        value = operator.attrgetter(key)(config)
        if value > limit:
            raise Refused(f"{key}={value} is not available here: at most {limit:,}")


class DashboardModel(LoyaltyModel):
    """The loyalty model, built from the dashboard's controls (SolaraViz
    re-creates it from them on reset). `overrides` are further Hydra
    overrides, as typed on the command line. A setting that cannot run is
    left out and named in `problem`: the controls without the overrides run
    instead, or else the defaults; an error never reaches the session."""

    def __init__(self, overrides: str = "", scenario: Any = None, **kwargs: Any) -> None:
        # The controls arrive as **kwargs: Mesa 3.3's SolaraViz accepts no other name.
        # Mesa 3.4+ passes its own experiment `scenario` on reset; the market
        # scenario here is the `market` control (a config group), so it is not used.
        controls = overrides_for({**DEFAULTS, **kwargs})
        self.problem = None
        try:
            attempts = [controls + box_overrides(overrides), controls]
        except Refused as err:
            self.problem, attempts = str(err), [controls]
        attempts.append(overrides_for(DEFAULTS))
        for args in attempts:
            try:
                config = checked_config(args)  # CommandLineError: one line
                within_limits(config)
                super().__init__(config)
            except Exception as err:  # any failure: say it, and run the next
                self.problem = self.problem or str(err).splitlines()[0][:300]
                continue
            self.command = ["python run.py", *args]
            return
        raise RuntimeError(f"the dashboard's defaults do not build a model: {self.problem}")

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
