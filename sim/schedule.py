"""Changes that start at a given week: market scenarios (sim/scenarios.py) and
CX strategies (sim/strategies.py) share this timing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import LoyaltyModel


class FromStep:
    """`start` once at `first_step()`, then `every_week` from that week on.
    `apply` is called at the start of every week."""

    started = False

    def first_step(self) -> int:
        raise NotImplementedError

    def apply(self, model: LoyaltyModel) -> None:
        if model.steps < self.first_step():
            return
        if not self.started:
            self.started = True
            self.start(model)
        self.every_week(model)

    def start(self, model: LoyaltyModel) -> None:
        """What changes at the first step."""

    def every_week(self, model: LoyaltyModel) -> None:
        """What changes every week from the first step on."""
