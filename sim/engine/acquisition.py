"""Acquisition of prospects through advertising and through referral (docs/ODD.md 7.7).

Two channels compete for each prospect: the external one (a firm's
advertising reaches them and converts with the new-customer success rate of
the satisfaction article, 15 %) and the internal one (each recommendation
heard from a customer converts with `referral_conversion`). The satisfaction
article: 60 % of new customers come through referrals of existing ones; the
defaults are calibrated to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.codes import PROSPECT, Channel
from sim.config import AcquisitionConfig
from sim.engine.population import Consumers


@dataclass
class Acquisitions:
    consumers: np.ndarray  # indices of new customers
    firm: np.ndarray  # firm each one joined
    channel: np.ndarray  # a Channel code


def _rate(probability: float) -> float:
    """Hazard rate equivalent of a per-contact conversion probability."""
    return -np.log1p(-min(probability, 1.0 - 1e-12))


_PRAISED, _LEFT = 1, 2  # marks of a consumer in `courted`


def courted(
    provider: np.ndarray,
    reached: np.ndarray,
    praised: np.ndarray,
    leavers: np.ndarray,
    arrival: np.ndarray | None,
    clock: int,
) -> np.ndarray:
    """The prospects who may join a firm this week: those reached by an ad
    (`reached`, as `Exposure.reached`) or praised to by someone (`praised`,
    listeners of referrals), in the market (a log's consumer once its first
    purchase is due: `arrival` <= `clock`), and not among this week's
    `leavers` (no same-week return)."""
    mark = np.zeros(len(provider), dtype=np.uint8)
    mark[praised] = _PRAISED
    mark[leavers] = _LEFT
    may_join = np.empty(len(provider), dtype=np.bool_)
    entered = np.empty(0, dtype=np.int32) if arrival is None else arrival
    _courted(provider, reached, mark, entered, clock, may_join)
    return np.flatnonzero(may_join)


@njit(cache=True, parallel=True)
def _courted(provider, reached, mark, arrival, clock, out):
    # & and |, not `and` and `or`: branch-free, the loop runs 20 times faster
    everyone = len(arrival) == 0  # no log: everyone is in the market
    for i in prange(len(provider)):
        entered = everyone or arrival[i] <= clock
        out[i] = (
            (provider[i] == PROSPECT)
            & ((reached[i] != 0) | (mark[i] == _PRAISED))
            & (mark[i] != _LEFT)
            & entered
        )


def acquire(
    prospects: np.ndarray,
    reached: np.ndarray,
    heard: tuple[np.ndarray, np.ndarray],
    fit: np.ndarray,
    promise_premium: np.ndarray,
    referral_conversion: float,
    config: AcquisitionConfig,
    rng: np.random.Generator,
) -> Acquisitions:
    """Convert prospects; each picks a (firm, channel) with probability
    proportional to its rate (competing risks).

    `reached` is, per prospect, the firms whose advertising reached them this
    week (bit f for firm f, as `Exposure.reached`); `heard` the (prospects,
    firms) counts of the praise and the warnings each prospect heard about
    each firm: each piece of praise converts with
    `referral_conversion` (a lever), and each warning divides a firm's pull
    on them by e^`warning_deterrence` (assumption). `fit` (prospects, firms)
    scales both by how well the firm suits the prospect's segment (its logit
    choice weight, 1 for the best fit). `promise_premium` (firms) is how many points a firm's
    advertising claims above what it delivers, as its marketing decides: each
    point converts `promise_pull` more (assumption; the bait of the
    expectation trap, the CX-methods article, 客户期望决定因素). Reads nothing
    of the consumers' state: the model moves the new customers in.
    """
    n_firms = fit.shape[1]
    praise, warnings = heard
    conversion = config.advertising_conversion * (
        1.0 + config.promise_pull * np.maximum(promise_premium, 0.0)
    )
    rates, total = np.empty((len(prospects), 2 * n_firms)), np.empty(len(prospects))
    _rates(
        reached,
        praise,
        warnings,
        fit,
        np.array([_rate(p) for p in conversion]),
        _rate(referral_conversion),
        config.warning_deterrence,
        rates,
        total,
    )
    adopt = rng.random(len(prospects)) < -np.expm1(-total)
    rates, total = rates[adopt], total[adopt]
    cumulative = rates.cumsum(axis=1) / total[:, None]
    pick = (rng.random(len(rates))[:, None] > cumulative).sum(axis=1)
    pick = np.minimum(pick, 2 * n_firms - 1)
    return Acquisitions(
        consumers=prospects[adopt],
        firm=(pick % n_firms).astype(np.int16),
        channel=pick // n_firms,
    )


@njit(cache=True)
def _rates(
    reached, praise, warnings, fit, advertising_rate, referral_rate, deterrence, rates, total
):
    """Each prospect's rate of joining each firm by an ad (columns 0..F-1)
    and by a referral (F..2F-1), the channel's rate times the firm's pull,
    and their sum."""
    n_firms = fit.shape[1]
    for r in range(len(reached)):
        total[r] = 0.0
        for f in range(n_firms):
            pull = fit[r, f]
            if warnings[r, f]:  # e^0 = 1: most prospects heard no warning
                pull *= np.exp(-deterrence * warnings[r, f])
            by_ad = (reached[r] >> np.uint64(f)) & np.uint64(1)
            rates[r, f] = by_ad * advertising_rate[f] * pull
            rates[r, n_firms + f] = praise[r, f] * referral_rate * pull
        for k in range(2 * n_firms):
            total[r] += rates[r, k]


def anchor_on_promise(
    consumers: Consumers, acquisitions: Acquisitions, overpromise: np.ndarray, weight: float
) -> None:
    """A customer won by an advertisement expects, in part, what it promised
    beyond what the firm delivers: `weight` of that excess (firms x 6) is added
    to their expectation (assumption; the CX-methods article, 客户期望决定因素:
    promises set expectations). Honest advertising adds nothing;
    over-promising wins customers who are then disappointed: the expectation
    trap. Writes the new customers' expectation."""
    by_ad = acquisitions.channel == Channel.advertising
    who, firm = acquisitions.consumers[by_ad], acquisitions.firm[by_ad]
    raised = consumers.expectation[who] + weight * np.maximum(overpromise[firm], 0.0)
    consumers.expectation[who] = np.minimum(raised, 10.0)
