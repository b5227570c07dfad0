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

from sim.codes import Channel
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


def acquire(
    prospects: np.ndarray,
    exposure: np.ndarray,
    heard: tuple[np.ndarray, np.ndarray],
    fit: np.ndarray,
    promise_premium: np.ndarray,
    referral_conversion: float,
    config: AcquisitionConfig,
    rng: np.random.Generator,
) -> Acquisitions:
    """Convert prospects; each picks a (firm, channel) with probability
    proportional to its rate (competing risks).

    `exposure` is (prospects, firms) bool, advertising reach this week;
    `heard` the (prospects, firms) counts of the praise and the warnings each
    prospect heard about each firm: each piece of praise converts with
    `referral_conversion` (a lever), and each warning divides a firm's pull
    on them by e^`warning_deterrence` (assumption). `fit` (prospects, firms)
    scales both by how well the firm suits the prospect's segment (its logit
    choice weight, 1 for the best fit). `promise_premium` (firms) is how many points a firm's
    advertising claims above what it delivers, as its marketing decides: each
    point converts `promise_pull` more (assumption; the bait of the
    expectation trap, the CX-methods article, 客户期望决定因素). Reads nothing
    of the consumers' state: the model moves the new customers in.
    """
    n_firms = exposure.shape[1]
    praise, warnings = heard
    conversion = config.advertising_conversion * (
        1.0 + config.promise_pull * np.maximum(promise_premium, 0.0)
    )
    pull = fit * np.exp(-config.warning_deterrence * warnings)
    rates = np.concatenate(
        [
            exposure * np.array([_rate(p) for p in conversion]) * pull,
            praise * _rate(referral_conversion) * pull,
        ],
        axis=1,
    )
    total = rates.sum(axis=1)
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
