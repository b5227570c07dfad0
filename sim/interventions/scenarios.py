"""Market conditions a strategy is tested against (docs/ODD.md 7.6b).

A scenario is a class with a name in SCENARIOS, picked by the `scenario`
config group (`python run.py scenario=price_war`). Each starts at
`scenario.start_step` (week 52 by default: a year of stable market first),
reads its parameters from `scenario.*` in sim/config.py, and sees the market
only through `World`: the firms' table, the segments and the levers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.codes import FOCAL, Dimension
from sim.config import ConfigError, FirmConfig, ScenarioConfig
from sim.interventions.schedule import FromStep
from sim.interventions.world import World


@dataclass
class Scenario(FromStep):
    """Market conditions from `scenario.start_step` on: `start` acts once,
    `every_week` after. The base class changes nothing."""

    config: ScenarioConfig
    parameters: ClassVar[tuple[str, ...]] = ()  # the `scenario.*` keys it reads

    def entrants(self) -> list[FirmConfig]:
        """Firms that are not in the market at first but may enter."""
        return []

    def first_step(self) -> int:
        return self.config.start_step


class Stable(Scenario):
    """A stable market: offerings, prices and expectations change only through
    the model's own dynamics (rivals' adaptation included)."""


class PriceWar(Scenario):
    """Rival number `scenario.rival` cuts its price by `scenario.price_cut`
    (default 20 %) at `start_step`."""

    parameters = ("rival", "price_cut")

    def start(self, world: World) -> None:
        world.market.price[self.config.rival] *= 1.0 - self.config.price_cut


class NewEntrant(Scenario):
    """A new firm or substitute, `scenario.entrant` (default: very convenient
    and cheap, weak on relationship, advertising hard), enters at `start_step`."""

    parameters = ("entrant",)

    def entrants(self) -> list[FirmConfig]:
        return [self.config.entrant]

    def start(self, world: World) -> None:
        world.enter(world.market.n_firms - 1)


class BrandScandal(Scenario):
    """An ethics shock: the focal firm's brand level drops by `scenario.brand_drop`
    points at `start_step`, then recovers `scenario.brand_recovery` of the gap a
    week (the satisfaction article: an ethical issue is a reason customers
    leave). The scandal is public: what the firm's ads can claim for its brand
    falls and recovers with it, so the ads do not overclaim (and convince no
    more) than before."""

    parameters = ("brand_drop", "brand_recovery")

    def start(self, world: World) -> None:
        self.brand_before = world.market.offering[FOCAL, Dimension.brand]
        self._move_brand(world, -min(self.config.brand_drop, self.brand_before))

    def every_week(self, world: World) -> None:
        gap = self.brand_before - world.market.offering[FOCAL, Dimension.brand]
        self._move_brand(world, self.config.brand_recovery * gap)

    @staticmethod
    def _move_brand(world: World, points: float) -> None:
        for levels in (world.market.offering, world.market.promise):
            levels[FOCAL, Dimension.brand] = np.clip(
                levels[FOCAL, Dimension.brand] + points, 0.0, 10.0
            )


class LabourShortage(Scenario):
    """From `start_step`, employees quit more and vacancies take longer to fill:
    the labour market's tightness becomes `scenario.labour_market_tightness`."""

    parameters = ("labour_market_tightness",)

    def start(self, world: World) -> None:
        world.levers.staff.labour_market_tightness = self.config.labour_market_tightness


class Downturn(Scenario):
    """From `start_step`, consumers are more price sensitive (x
    `scenario.price_sensitivity_factor`) and spend less per visit (x
    `scenario.spend_factor`)."""

    parameters = ("price_sensitivity_factor", "spend_factor")

    def start(self, world: World) -> None:
        world.segments.price_sensitivity *= self.config.price_sensitivity_factor
        world.consumers.spend_per_visit *= self.config.spend_factor


class RisingExpectations(Scenario):
    """From `start_step`, segment baseline expectations rise by
    `scenario.expectation_drift` points a week (consumption trends, the
    employee-loyalty article, 消费因素)."""

    parameters = ("expectation_drift",)

    def start(self, world: World) -> None:
        world.levers.expectation_drift = self.config.expectation_drift


SCENARIOS: dict[str, type[Scenario]] = {
    "stable": Stable,
    "price_war": PriceWar,
    "new_entrant": NewEntrant,
    "brand_scandal": BrandScandal,
    "labour_shortage": LabourShortage,
    "downturn": Downturn,
    "rising_expectations": RisingExpectations,
}


def build(config: ScenarioConfig) -> Scenario:
    if config.name not in SCENARIOS:
        raise ConfigError("scenario", config.name, f"one of {', '.join(SCENARIOS)}")
    return SCENARIOS[config.name](config)
