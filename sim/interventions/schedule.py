"""Changes that start at a given week: market scenarios
(sim/interventions/scenarios.py) and CX strategies
(sim/interventions/strategies.py) share this timing."""

from __future__ import annotations

from sim.interventions.world import World


class FromStep:
    """`start` once at `first_step()`, then `every_week` from that week on.
    `apply` is called at the start of every week."""

    started = False

    def first_step(self) -> int:
        raise NotImplementedError

    def apply(self, world: World, step: int) -> None:
        if step < self.first_step():
            return
        if not self.started:
            self.started = True
            self.start(world)
        self.every_week(world)

    def start(self, world: World) -> None:
        """What changes at the first step."""

    def every_week(self, world: World) -> None:
        """What changes every week from the first step on."""
