"""The firms of the market as a table: row 0 the focal firm, rows 1.. its rivals.

What a customer of each firm experiences, and how attractive each firm looks
to each segment, are small (segment x firm) tables, so that per-consumer work
is one gather, never a loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.codes import FOCAL, N_DIMS, Dimension
from sim.config import FirmConfig
from sim.engine.draws import log_miss, next_success
from sim.engine.population import Segments


@dataclass
class Market:
    """Every firm's offering and levers; row FOCAL is the focal firm. Its
    price, reach, promise and offering are levers that strategies, scenarios
    and rivals' adaptation change."""

    names: list[str]
    offering: np.ndarray  # (firms, 6) levels delivered at the reference price
    price: np.ndarray  # price index, 1 = market reference
    advertising_reach: np.ndarray  # share of consumers reached per step
    promise: np.ndarray  # (firms, 6) what its advertising claims on each dimension
    promise_premium: np.ndarray  # points claimed above delivery, as marketing decides
    failure_probability: np.ndarray  # chance an encounter is a service failure
    active: np.ndarray  # in the market now (an entrant waits until it enters)
    focal_segment_bonus: np.ndarray  # (segments, 6) extra the focal firm gives a segment

    @classmethod
    def from_config(
        cls,
        focal: FirmConfig,
        rivals: list[FirmConfig],
        n_segments: int,
        entrants: list[FirmConfig] = (),
    ) -> Market:
        firms = [focal, *rivals, *entrants]
        offering = np.array([f.offering.as_array() for f in firms])
        premium = np.array([f.promise_premium for f in firms])
        return cls(
            names=[f.name for f in firms],
            offering=offering,
            price=np.array([f.price for f in firms]),
            advertising_reach=np.array([f.advertising_reach for f in firms]),
            promise=np.clip(offering + premium[:, None], 0.0, 10.0),
            promise_premium=premium,
            failure_probability=np.array([f.service_failure_probability for f in firms]),
            active=np.array([True] * (1 + len(rivals)) + [False] * len(entrants)),
            focal_segment_bonus=np.zeros((n_segments, N_DIMS)),
        )

    @property
    def n_firms(self) -> int:
        return len(self.names)

    def delivered_levels(self, segments: Segments, price_points_per_index: float) -> np.ndarray:
        """(segments, firms, 6): mean experience a segment gets from each firm.

        The price dimension is perceived value for money: a price index above
        the reference lowers it in proportion to the segment's price
        sensitivity (price as an experience dimension, the CX-methods article).
        """
        levels = np.repeat(self.offering[None], len(segments.names), axis=0)
        levels[:, FOCAL] += self.focal_segment_bonus  # strategies aimed at some segments
        levels[:, :, Dimension.price] -= (
            segments.price_sensitivity[:, None]
            * price_points_per_index
            * (self.price[None, :] - 1.0)
        )
        return np.clip(levels, 0.0, 10.0)

    def attractiveness(self, levels: np.ndarray, segments: Segments) -> np.ndarray:
        """(segments, firms): importance-weighted level, the utility of a choice;
        minus infinity for a firm not (yet) in the market."""
        utility = np.einsum("sfd,sd->sf", levels, segments.importance)
        utility[:, ~self.active] = -np.inf
        return utility

    @staticmethod
    def fit(utility: np.ndarray, sharpness: float) -> np.ndarray:
        """(segments, firms): how well each firm fits a segment, as a logit
        choice weighs it: exp(sharpness x (U - the best U)), 1 for the best
        firm, 0 for a firm not in the market. Leavers choose their next firm
        by it, and prospects convert by it (docs/ODD.md 7.6, 7.7)."""
        best = utility.max(axis=1, keepdims=True)
        return np.exp(sharpness * (utility - best))

    def reach(self) -> np.ndarray:
        """Advertising reach of each firm now (zero for a firm not in the market)."""
        return self.advertising_reach * self.active

    @staticmethod
    def shares(customers: np.ndarray) -> np.ndarray:
        """Each firm's share of all consumers who have a provider, from its customers."""
        return customers / max(customers.sum(), 1)

    def best_alternative(self) -> np.ndarray:
        """(firms + 1, 6): per dimension, the best level among *other* firms.

        Row f + 1 is for a customer of firm f, row 0 for a prospect (all firms):
        competitors' levels raise the bar (the CX-methods article, 客户期望决定因素).
        """
        offering = np.where(self.active[:, None], self.offering, -np.inf)
        table = np.empty((self.n_firms + 1, N_DIMS))
        table[0] = offering.max(axis=0)
        for f in range(self.n_firms):
            others = np.delete(offering, f, axis=0)
            best = others.max(axis=0) if len(others) else np.full(N_DIMS, -np.inf)
            table[f + 1] = np.where(np.isfinite(best), best, self.offering[f])
        return table


@dataclass
class Exposure:
    """Whom each firm's advertising reached this week: per consumer, the set of
    firms as bits (bit f for firm f), and how many each firm reached."""

    reached: np.ndarray  # per consumer, an unsigned int of as many bits as firms (8 or more)
    count: np.ndarray  # per firm

    @classmethod
    def draw(cls, n: int, reach: np.ndarray, key: np.uint64) -> Exposure:
        """Each firm reaches each consumer with its reach, independently. Drawn
        as geometric gaps between the consumers reached (a Bernoulli process),
        so the work is the reach, not the market (sim/engine/draws.py)."""
        # the narrowest integer that holds a bit per firm: it is read every week
        reached = np.zeros(n, dtype=np.min_scalar_type((1 << len(reach)) - 1))
        count = np.zeros(len(reach), dtype=np.int64)
        _reach(reached, np.asarray(reach, dtype=np.float64), key, count)
        return cls(reached, count)


@njit(cache=True)
def _reach(reached, reach, key, count):
    n = len(reached)
    for f in range(len(reach)):
        if reach[f] <= 0.0:
            continue
        bit = np.uint64(1) << np.uint64(f)
        miss = log_miss(reach[f])
        counter = f * (n + 1)  # a firm draws at most n + 1 times
        i = next_success(key, counter, -1, miss)
        while i < n:
            reached[i] |= bit
            count[f] += 1
            i = next_success(key, counter + count[f], i, miss)
