"""The world as strategies and scenarios see it: a narrow interface onto the
model, so that an intervention says exactly what it may touch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.firms import Market
from sim.engine.levers import Levers
from sim.engine.population import Consumers, Segments


@dataclass
class World:
    """What a strategy or scenario may read and change, and nothing else.

    `consumers`, `segments` and `market` are the engine's own tables (changes
    take effect at once); `levers` the levers they move (sim/engine/levers.py);
    `rng` the model's random stream; `enter(index)` brings firm `index` of the
    market table into the market (a new entrant)."""

    consumers: Consumers
    segments: Segments
    market: Market
    levers: Levers
    rng: np.random.Generator
    enter: Callable[[int], None]
