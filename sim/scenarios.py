"""Market conditions a strategy is tested against (MODEL.md §10).

A scenario is a class with a name in SCENARIOS, picked by the `scenario`
config group (`python run.py scenario=price_war`). Each starts at
`scenario.start_step` (week 52 by default: a year of stable market first) and
reads its parameters from `scenario.*` in sim/config.py. A scenario changes
the model's own copy of the market and config, never the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import ConfigError, FirmConfig, ScenarioConfig
from sim.firms import BRAND
from sim.schedule import FromStep

if TYPE_CHECKING:
    from sim.model import LoyaltyModel

FOCAL = 0


@dataclass
class Stable(FromStep):
    """A stable market: offerings, prices and expectations change only through
    the model's own dynamics (rivals' adaptation included). A scenario's
    `start` and `every_week` act from `scenario.start_step` on."""

    config: ScenarioConfig

    def entrants(self) -> list[FirmConfig]:
        """Firms that are not in the market at first but may enter."""
        return []

    def first_step(self) -> int:
        return self.config.start_step


class PriceWar(Stable):
    """Rival number `scenario.rival` cuts its price by `scenario.price_cut`
    (default 20 %) at `start_step`."""

    def start(self, model: LoyaltyModel) -> None:
        model.market.price[self.config.rival] *= 1.0 - self.config.price_cut


class NewEntrant(Stable):
    """A new firm or substitute, `scenario.entrant` (default: very convenient
    and cheap, weak on relationship, advertising hard), enters at `start_step`."""

    def entrants(self) -> list[FirmConfig]:
        return [self.config.entrant]

    def start(self, model: LoyaltyModel) -> None:
        index = model.market.n_firms - 1
        model.market.active[index] = True
        model.add_competitor(index)


class BrandScandal(Stable):
    """An ethics shock: the focal firm's brand level drops by `scenario.brand_drop`
    points at `start_step`, then recovers `scenario.brand_recovery` of the gap a
    week (seed 003: an ethical issue is a reason customers leave)."""

    def start(self, model: LoyaltyModel) -> None:
        self.brand_before = model.market.offering[FOCAL, BRAND]
        model.market.offering[FOCAL, BRAND] = max(0.0, self.brand_before - self.config.brand_drop)

    def every_week(self, model: LoyaltyModel) -> None:
        gap = self.brand_before - model.market.offering[FOCAL, BRAND]
        model.market.offering[FOCAL, BRAND] += self.config.brand_recovery * gap


class LabourShortage(Stable):
    """From `start_step`, employees quit more and vacancies take longer to fill:
    `employees.labour_market_tightness` becomes `scenario.labour_market_tightness`."""

    def start(self, model: LoyaltyModel) -> None:
        model.config.employees.labour_market_tightness = self.config.labour_market_tightness


class Downturn(Stable):
    """From `start_step`, consumers are more price sensitive (x
    `scenario.price_sensitivity_factor`) and spend less per visit (x
    `scenario.spend_factor`)."""

    def start(self, model: LoyaltyModel) -> None:
        model.segments.price_sensitivity *= self.config.price_sensitivity_factor
        model.segments.spend_per_visit *= self.config.spend_factor


class RisingExpectations(Stable):
    """From `start_step`, segment baseline expectations rise by
    `scenario.expectation_drift` points a week (consumption trends, seed 004
    "消费因素")."""

    def start(self, model: LoyaltyModel) -> None:
        model.config.expectation.drift = self.config.expectation_drift


SCENARIOS = {
    "stable": Stable,
    "price_war": PriceWar,
    "new_entrant": NewEntrant,
    "brand_scandal": BrandScandal,
    "labour_shortage": LabourShortage,
    "downturn": Downturn,
    "rising_expectations": RisingExpectations,
}


def build(config: ScenarioConfig, n_rivals: int) -> Stable:
    if config.name not in SCENARIOS:
        raise ConfigError("scenario", config.name, f"one of {', '.join(SCENARIOS)}")
    if config.name == "price_war" and config.rival > n_rivals:
        raise ConfigError("scenario.rival", config.rival, f"a rival number in 1..{n_rivals}")
    return SCENARIOS[config.name](config)
