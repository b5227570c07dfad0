"""Churn and switching: who leaves, why, and where to (docs/ODD.md 7.6; the
satisfaction article).

The hazard rises with low attitude, a better rival offer and negative word of
mouth, and falls with loyalty and tenure; a small involuntary part is always
there. Each departure records the reason that contributed most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from sim.codes import PROSPECT, REASONS, Dimension, Reason
from sim.config import ChurnConfig
from sim.engine.population import Consumers

NOT_FORCED, MAIN_REASON = -2, -1  # markers for forced departures (see `depart`)

DIMENSION_REASON = {
    Dimension.product: Reason.missing_features,
    Dimension.service: Reason.service_irritation,  # negative_encounter after a failure
    Dimension.relationship: Reason.service_irritation,
    Dimension.price: Reason.price,
    Dimension.convenience: Reason.service_irritation,
    Dimension.brand: Reason.ethics,
}
"""Which reason a shortfall on each dimension stands for (the satisfaction
article's list): product, missing key features; relationship, convenience
and service without a failure, small irritations; price, price; brand, ethics."""
_DIMENSION_REASON = np.array([DIMENSION_REASON[d] for d in Dimension])


def churn_hazard(
    attitude: np.ndarray,
    loyalty: np.ndarray,
    tenure_years: np.ndarray,
    competitor_pull: np.ndarray,
    negative_heard: np.ndarray,
    config: ChurnConfig,
    member: np.ndarray | None = None,
) -> np.ndarray:
    """Per-step probability of leaving.

    h = 1 - (1 - h_inv)(1 - sigmoid(z)), with
    z = b0 - w_a*attitude - w_l*loyalty - w_t*ln(1 + tenure_years)
        + w_p*competitor_pull + w_w*ln(1 + negative messages heard)
        - switching_cost - w_m*member.
    Signs follow docs/ODD.md 7.6; the weights are assumptions calibrated so
    that about 13 % of customers leave a year (Reichheld 1996: half in five
    years).
    """
    z = (
        config.base_logit
        - config.attitude_weight * attitude
        - config.loyalty_weight * loyalty
        - config.tenure_weight * np.log1p(tenure_years)
        + config.competitor_pull_weight * competitor_pull
        + config.negative_word_of_mouth_weight * np.log1p(negative_heard)
        - config.switching_cost
    )
    if member is not None:
        z = z - config.membership_weight * member
    h_inv = config.involuntary_probability
    return 1.0 - (1.0 - h_inv) * (1.0 - expit(z))


@dataclass
class Departures:
    leavers: np.ndarray  # consumer indices
    origin: np.ndarray  # provider they left
    destination: np.ndarray  # new provider, PROSPECT when out of the market
    reason: np.ndarray  # code into REASONS


@dataclass
class Pull:
    """What draws each consumer to another firm, and the part of it that is price."""

    total: np.ndarray
    price: np.ndarray


def competitor_pull(
    consumers: Consumers,
    levels: np.ndarray,
    utility: np.ndarray,
    importance: np.ndarray,
    praise_elsewhere: np.ndarray,
    offers: np.ndarray,
) -> Pull:
    """Advantage of the best other firm, plus praise heard for rivals and their offers.

    `levels` is (segments, firms, 6), `utility` the (segments, firms)
    attractiveness table. The price part of the advantage (a cheaper rival)
    is kept apart, so that a departure it causes is attributed to price.
    """
    n_firms = utility.shape[1]
    extra = np.log1p(praise_elsewhere) + offers
    if n_firms < 2:
        return Pull(extra, np.zeros(consumers.n))
    others = np.where(np.eye(n_firms, dtype=bool)[None], -np.inf, utility[:, None, :])
    best = others.argmax(axis=2)  # (segments, from firm)
    advantage = np.maximum(others.max(axis=2) - utility, 0.0)
    advantage[~np.isfinite(advantage)] = 0.0
    segments = np.arange(len(utility))[:, None]
    price = Dimension.price
    price_gain = importance[:, price, None] * (levels[segments, best, price] - levels[:, :, price])
    price_part = np.clip(price_gain, 0.0, advantage)
    seg, prov = consumers.segment, np.maximum(consumers.provider, 0)
    return Pull(advantage[seg, prov] + extra, price_part[seg, prov])


def depart(
    consumers: Consumers,
    utility: np.ndarray,
    pull: Pull,
    negative_heard: np.ndarray,
    config: ChurnConfig,
    steps_per_year: int,
    rng: np.random.Generator,
    forced: list[tuple[np.ndarray, int | None]] = (),
) -> Departures:
    """Draw this step's departures among all firms' customers.

    `forced` lists customers who leave for sure, each group with its reason
    code, or None for the main reason of their hazard. Examples: the followers
    of a departed employee (docs/ODD.md 7.3a), and lost complainers and
    silent defectors (7.3b). Reads the customers' attitude, loyalty, tenure,
    membership and grievance; writes nothing (the model moves the leavers).
    """
    customers = np.flatnonzero(consumers.provider != PROSPECT)
    hazard = churn_hazard(
        consumers.attitude[customers],
        consumers.loyalty[customers],
        consumers.tenure[customers] / steps_per_year,
        pull.total[customers],
        negative_heard[customers],
        config,
        member=consumers.member[customers],
    )
    u = rng.random(len(customers))
    forced_reason = np.full(consumers.n, NOT_FORCED, dtype=np.int16)
    for who, code in forced:
        forced_reason[who] = MAIN_REASON if code is None else code
    forced_reason = forced_reason[customers]
    leaving = (u < hazard) | (forced_reason != NOT_FORCED)
    leavers = customers[leaving]
    forced_reason = forced_reason[leaving]
    involuntary = (u[leaving] < config.involuntary_probability) & (forced_reason == NOT_FORCED)
    reason = np.select(
        [forced_reason >= 0, involuntary],
        [forced_reason, Reason.involuntary],
        _main_reason(consumers, leavers, pull.total[leavers], pull.price[leavers], config),
    )
    origin = consumers.provider[leavers].astype(np.int16)
    destination = _destination(consumers.segment[leavers], origin, utility, config, rng)
    destination[involuntary] = PROSPECT  # moving away, bankruptcy
    return Departures(leavers, origin, destination, reason.astype(np.int8))


def _main_reason(
    consumers: Consumers,
    leavers: np.ndarray,
    pull: np.ndarray,
    price_pull: np.ndarray,
    config: ChurnConfig,
) -> np.ndarray:
    """The reason with the largest contribution to each leaver's hazard."""
    contribution = np.zeros((len(leavers), len(REASONS)))
    by_dimension = config.attitude_weight * consumers.grievance[leavers]
    reason_of = np.broadcast_to(_DIMENSION_REASON, by_dimension.shape).copy()
    reason_of[consumers.last_failure[leavers], Dimension.service] = Reason.negative_encounter
    rows = np.repeat(np.arange(len(leavers)), by_dimension.shape[1])
    np.add.at(contribution, (rows, reason_of.ravel()), by_dimension.ravel())
    contribution[:, Reason.price] += config.competitor_pull_weight * price_pull
    contribution[:, Reason.competitor_action] = config.competitor_pull_weight * (pull - price_pull)
    return contribution.argmax(axis=1)


def _destination(
    segment: np.ndarray,
    origin: np.ndarray,
    utility: np.ndarray,
    config: ChurnConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """Leavers go to another firm, chosen by a logit of attractiveness, or out."""
    n_firms = utility.shape[1]
    destination = np.full(len(origin), PROSPECT, dtype=np.int16)
    if np.isfinite(utility[0]).sum() < 2 or not len(origin):
        return destination  # no other firm in the market
    weight = np.exp(config.choice_sharpness * (utility - utility.max(axis=1, keepdims=True)))
    choice = np.repeat(weight[:, None, :], n_firms, axis=1)  # (segments, from, to)
    choice[:, np.arange(n_firms), np.arange(n_firms)] = 0.0
    choice /= choice.sum(axis=2, keepdims=True)
    cumulative = choice[segment, origin].cumsum(axis=1)
    picked = (rng.random(len(origin))[:, None] > cumulative).sum(axis=1)
    switches = rng.random(len(origin)) >= config.exit_share
    destination[switches] = np.minimum(picked[switches], n_firms - 1)
    return destination
