"""Market conditions a strategy is tested against (MODEL.md §10).

A scenario is a class with a name in SCENARIOS, picked by the `scenario`
config group; it may change the market at given steps. `stable` is the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import ConfigError, ScenarioConfig

if TYPE_CHECKING:
    from sim.model import LoyaltyModel


@dataclass
class Stable:
    """A stable market: offerings, prices and expectations change only through
    the model's own dynamics."""

    def apply(self, model: LoyaltyModel) -> None:
        """Change market conditions at this step (nothing, in a stable market)."""


SCENARIOS = {"stable": Stable}


def build(config: ScenarioConfig) -> Stable:
    if config.name not in SCENARIOS:
        raise ConfigError("scenario", config.name, f"one of {', '.join(SCENARIOS)}")
    return SCENARIOS[config.name]()
