"""Rival firms' behaviour (docs/ODD.md 7.6a): they respond to lost share,
court the focal firm's unhappy customers, and improve over time.

The rivals' offerings, prices and reach live in the market table
(sim/firms.py); this module changes them. Every number is an assumption in
`competition.*` (sim/config.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from sim.codes import FOCAL
from sim.config import CompetitionConfig
from sim.engine.firms import Market
from sim.engine.population import Consumers


def adapt(
    market: Market, share_history: list[np.ndarray], step: int, config: CompetitionConfig
) -> None:
    """Each review period, a rival that lost share cuts price and advertises
    more; every week, each rival improves its weakest dimension a little.
    Writes the rivals' rows of the market table (price, reach, offering)."""
    rivals = np.flatnonzero(market.active)
    rivals = rivals[rivals != FOCAL]
    if not len(rivals):
        return
    weeks = config.review_weeks
    if step % weeks == 0 and len(share_history) > weeks:
        lost = share_history[-1] < share_history[-1 - weeks] - config.share_loss_threshold
        responding = rivals[lost[rivals]]
        market.price[responding] = np.maximum(
            market.price[responding] * (1.0 - config.price_response), config.min_price
        )
        market.advertising_reach[responding] = np.minimum(
            market.advertising_reach[responding] * (1.0 + config.advertising_response),
            config.max_advertising_reach,
        )
    weakest = market.offering[rivals].argmin(axis=1)
    improved = market.offering[rivals, weakest] + config.improvement_rate
    market.offering[rivals, weakest] = np.minimum(improved, 10.0)


def poach(
    consumers: Consumers, market: Market, config: CompetitionConfig, rng: np.random.Generator
) -> np.ndarray:
    """Offers rivals make to the focal firm's at-risk customers this week.

    Each rival in the market contacts each at-risk customer (attitude below
    `at_risk_attitude`) with probability `poaching_reach`; each offer adds
    `poaching_offer` to that customer's pull toward rivals.
    """
    offers = np.zeros(consumers.n, dtype=np.float32)
    n_rivals = int(market.active.sum()) - 1
    if n_rivals <= 0 or config.poaching_reach == 0:
        return offers
    unhappy = np.empty(consumers.n, dtype=np.bool_)
    threshold = np.float32(config.at_risk_attitude)  # compared as numpy would: in float32
    _at_risk(consumers.provider, consumers.attitude, threshold, unhappy)
    at_risk = np.flatnonzero(unhappy)
    contacts = (rng.random((len(at_risk), n_rivals)) < config.poaching_reach).sum(axis=1)
    offers[at_risk] = config.poaching_offer * contacts
    return offers


@njit(cache=True, parallel=True)
def _at_risk(provider, attitude, threshold, out):
    """The focal firm's customers whose attitude is below `threshold`: one
    pass over the market, branch-free."""
    for i in prange(len(provider)):
        out[i] = (provider[i] == FOCAL) & (attitude[i] < threshold)
