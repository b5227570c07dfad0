"""Customer-experience strategies: lever changes from a rollout step on (MODEL.md §9).

A strategy is a class with a name in STRATEGIES, picked by the `strategy`
config group. `baseline` (do nothing) is the reference every other strategy
is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import ConfigError, StrategyConfig

if TYPE_CHECKING:
    from sim.model import LoyaltyModel


@dataclass
class Baseline:
    """Do nothing: the firm keeps the levers it has."""

    rollout_step: int = 0

    def apply(self, model: LoyaltyModel) -> None:
        """Change the model's levers at this step (nothing, for the baseline)."""

    def cost(self, model: LoyaltyModel) -> float:
        """What the strategy costs this step, on top of the firm's running costs."""
        return 0.0


STRATEGIES = {"baseline": Baseline}


def build(config: StrategyConfig) -> Baseline:
    if config.name not in STRATEGIES:
        raise ConfigError("strategy", config.name, f"one of {', '.join(STRATEGIES)}")
    return STRATEGIES[config.name](rollout_step=config.rollout_step)
