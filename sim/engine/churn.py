"""Churn and switching: who leaves, why, and where to (docs/ODD.md 7.6; the
satisfaction article).

One weekly exit hazard for every customer of every firm. It rises with low
attitude, a better rival offer and negative word of mouth, and falls with
loyalty, tenure, switching costs and programme membership; a week with a
negative experience the firm did not put right adds a trigger (the silent
dissatisfied, and complaints left unresolved: the CX-methods article's
funnel). So a loyal, long-standing customer survives a bad experience that
makes a new one leave. A small involuntary part is always there. Each
departure records the reason that contributed most.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.codes import PROSPECT, REASONS, Dimension, Reason
from sim.config import ChurnConfig
from sim.engine.draws import uniform, uniforms_at
from sim.engine.firms import Market
from sim.engine.population import Consumers

NOT_GIVEN, MAIN_REASON = -2, -1  # a leaver's reason: not given by a trigger, or its main one

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
SERVICE, PRICE = int(Dimension.service), int(Reason.price)
NEGATIVE_ENCOUNTER = int(Reason.negative_encounter)
COMPETITOR_ACTION = int(Reason.competitor_action)


@dataclass
class Standing:
    """What a customer brings to this week's exit decision (per customer)."""

    attitude: np.ndarray
    loyalty: np.ndarray
    tenure_years: np.ndarray
    pull: np.ndarray  # toward other firms (`competitor_pull`)
    warnings: np.ndarray  # complaints about their provider heard this week
    member: np.ndarray  # of the focal firm's loyalty programme
    trigger: np.ndarray  # logit added by this week's unresolved negative experience


def churn_hazard(standing: Standing, config: ChurnConfig) -> np.ndarray:
    """Weekly probability of leaving, per customer (`exit_probability`)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in vars(standing).values()]
    return _hazards(*np.broadcast_arrays(*arrays), _weights(config))


def _weights(config: ChurnConfig) -> np.ndarray:
    return np.array(
        [
            config.base_logit - config.switching_cost,
            config.attitude_weight,
            config.loyalty_weight,
            config.tenure_weight,
            config.competitor_pull_weight,
            config.negative_word_of_mouth_weight,
            config.membership_weight,
            config.involuntary_probability,
        ]
    )


@njit(cache=True, inline="always")
def exit_probability(attitude, loyalty, log_tenure, pull, warnings, member, trigger, w) -> float:
    """h = 1 - (1 - h_inv)(1 - sigmoid(z)), with
    z = b0 - w_a attitude - w_l loyalty - w_t ln(1 + tenure in years)
        + w_p pull + w_w ln(1 + warnings heard) - switching_cost - w_m member + trigger,
    trigger = w_n after a silent negative experience, w_n + w_u after a
    complaint left unresolved, 0 otherwise. Signs follow docs/ODD.md 7.6; b0,
    w_n and w_u are calibrated (13 % annual churn, 45 % of the silent and
    28 % of complainers lost), the other weights are assumptions.
    `log_tenure` is ln(1 + tenure in years).
    """
    return hazard(exit_logit(attitude, loyalty, log_tenure, pull, warnings, member, trigger, w), w)


@njit(cache=True, inline="always")
def exit_logit(attitude, loyalty, log_tenure, pull, warnings, member, trigger, w) -> float:
    """z of `exit_probability`."""
    z = standing_logit(attitude, loyalty, log_tenure, pull, w)
    if warnings:  # most hear none: skip the logarithm
        z += w[5] * np.log(1.0 + warnings)  # a count: 1 + it is exact, log is faster
    return z + (trigger - w[6] * member)


@njit(cache=True, inline="always")
def standing_logit(attitude, loyalty, log_tenure, pull, w) -> float:
    """The part of z that every customer has: b0 - switching_cost - w_a
    attitude - w_l loyalty - w_t ln(1 + tenure in years) + w_p pull."""
    return w[0] - w[1] * attitude - w[2] * loyalty - w[3] * log_tenure + w[4] * pull


@njit(cache=True, inline="always")
def hazard(z: float, w) -> float:
    """h of `exit_probability`, from z: it rises with z."""
    voluntary = 1.0 / (1.0 + np.exp(-z)) if z > -700.0 else 0.0
    return 1.0 - (1.0 - w[7]) * (1.0 - voluntary)


@njit(cache=True)
def _hazards(attitude, loyalty, tenure_years, pull, warnings, member, trigger, w):
    out = np.empty(attitude.shape)
    for i in range(len(out)):
        out[i] = exit_probability(
            attitude[i],
            loyalty[i],
            np.log1p(tenure_years[i]),
            pull[i],
            warnings[i],
            member[i],
            trigger[i],
            w,
        )
    return out


@dataclass
class Trigger:
    """Customers whose week holds a reason to leave now, the logit it adds to
    their hazard, and the reason they give if they go (None: the main reason
    of their hazard)."""

    who: np.ndarray
    logit: float
    reason: Reason | None = None


@dataclass
class Departures:
    leavers: np.ndarray  # consumer indices
    origin: np.ndarray  # provider they left
    destination: np.ndarray  # new provider, PROSPECT when out of the market
    reason: np.ndarray  # code into REASONS


@dataclass
class Pull:
    """What draws each consumer to another firm: the advantage of the best
    other firm for their segment and provider (and the part of it that is
    price), plus what they heard and were offered this week."""

    advantage: np.ndarray  # (segments, firms)
    price_advantage: np.ndarray  # (segments, firms), the price part of it
    praise_elsewhere: np.ndarray  # per consumer: praise heard for other firms
    offers: np.ndarray  # per consumer: rivals' offers this week, in pull

    def of(self, consumers: Consumers, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The total pull on `who`, and its price part."""
        seg, prov = consumers.segment[who], np.maximum(consumers.provider[who], 0)
        extra = np.log1p(self.praise_elsewhere[who]) + self.offers[who]
        return self.advantage[seg, prov] + extra, self.price_advantage[seg, prov]


def competitor_pull(
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
    n_segments, n_firms = utility.shape
    if n_firms < 2:
        none = np.zeros((n_segments, n_firms))
        return Pull(none, none, praise_elsewhere, offers)
    others = np.where(np.eye(n_firms, dtype=bool)[None], -np.inf, utility[:, None, :])
    best = others.argmax(axis=2)  # (segments, from firm)
    advantage = np.maximum(others.max(axis=2) - utility, 0.0)
    advantage[~np.isfinite(advantage)] = 0.0
    segments = np.arange(n_segments)[:, None]
    price = Dimension.price
    price_gain = importance[:, price, None] * (levels[segments, best, price] - levels[:, :, price])
    return Pull(advantage, np.clip(price_gain, 0.0, advantage), praise_elsewhere, offers)


@dataclass
class Pressures:
    """This week's pressures to leave, per consumer unless said otherwise."""

    pull: Pull
    warnings: np.ndarray  # complaints about their provider heard this week
    triggers: list[Trigger]  # this week's reasons to leave now (a later one wins)


def depart(
    consumers: Consumers,
    utility: np.ndarray,
    pressures: Pressures,
    config: ChurnConfig,
    steps_per_year: int,
    key: np.uint64,
    rng: np.random.Generator,
) -> Departures:
    """Draw this week's departures among all firms' customers.

    A customer with a trigger who leaves gives the trigger's reason (or, with
    none, the main reason of their hazard, as every other leaver). A trigger
    of infinite logit makes them leave for sure: the followers of a departed
    employee (docs/ODD.md 7.3a). The exit draws are counter-based (`key`),
    the destinations come from `rng`. Reads the customers' attitude,
    loyalty, tenure, membership, grievance and last_failure; writes nothing
    (the model moves the leavers).
    """
    c, pull = consumers, pressures.pull
    trigger = np.zeros(c.n, dtype=np.float32)
    reason_given = np.full(c.n, NOT_GIVEN, dtype=np.int16)
    for t in pressures.triggers:
        trigger[t.who] = t.logit
        reason_given[t.who] = MAIN_REASON if t.reason is None else t.reason
    leaving = np.empty(c.n, dtype=np.bool_)
    _exits(
        c.provider,
        c.segment,
        c.attitude,
        c.loyalty,
        c.tenure,
        c.member,
        pressures.warnings,
        pull.advantage,
        pull.praise_elsewhere,
        pull.offers,
        trigger,
        _weights(config),
        log_tenure_table(steps_per_year),
        1.0 / steps_per_year,
        key,
        leaving,
    )
    leavers = np.flatnonzero(leaving)
    given = reason_given[leavers]
    u = uniforms_at(key, leavers)
    involuntary = (u < config.involuntary_probability) & (given == NOT_GIVEN)
    total, price = pull.of(c, leavers)
    reason = np.select(
        [given >= 0, involuntary],
        [given, Reason.involuntary],
        _main_reason(c, leavers, total, price, config),
    )
    origin = c.provider[leavers].astype(np.int16)
    destination = _destination(c.segment[leavers], origin, utility, config, rng)
    destination[involuntary] = PROSPECT  # moving away, bankruptcy
    return Departures(leavers, origin, destination, reason.astype(np.int8))


@njit(cache=True, parallel=True)
def _exits(
    provider,
    segment,
    attitude,
    loyalty,
    tenure,
    member,
    warnings,
    advantage,
    praise_elsewhere,
    offers,
    trigger,
    w,
    log_tenure,
    years_per_step,
    key,
    leaving,
):
    tabled = len(log_tenure)
    n = len(provider)
    # a draw above the hazard at CALM says `stays` (the margin covers rounding)
    stays_above = hazard(CALM, w) + 1e-9
    for block in prange((n + BLOCK - 1) // BLOCK):
        start, stop = block * BLOCK, min(n, (block + 1) * BLOCK)
        calm = np.empty(stop - start, dtype=np.bool_)
        _stays(
            provider[start:stop],
            segment[start:stop],
            attitude[start:stop],
            loyalty[start:stop],
            tenure[start:stop],
            member[start:stop],
            warnings[start:stop],
            praise_elsewhere[start:stop],
            offers[start:stop],
            trigger[start:stop],
            advantage,
            w,
            log_tenure,
            stays_above,
            key,
            start,
            calm,
        )
        for i in range(start, stop):
            p = provider[i]
            if p == PROSPECT or calm[i - start]:
                leaving[i] = False
                continue
            pull = advantage[segment[i], p] + offers[i]
            if praise_elsewhere[i]:
                pull += np.log(1.0 + praise_elsewhere[i])
            t = tenure[i]
            h = exit_probability(
                attitude[i],
                loyalty[i],
                log_tenure[t] if t < tabled else np.log1p(t * years_per_step),
                pull,
                warnings[i],
                member[i],
                trigger[i],
                w,
            )
            leaving[i] = uniform(key, i) < h


BLOCK = 512
"""Customers `_exits` sorts at a time into those sure to stay and the others."""

CALM = -4.0
"""A logit of the exit hazard below which most customers' draws say they
stay: for them `_stays` knows it without the exponential."""


@njit(cache=True, inline="always")
def _stays(
    provider,
    segment,
    attitude,
    loyalty,
    tenure,
    member,
    warnings,
    praise_elsewhere,
    offers,
    trigger,
    advantage,
    w,
    log_tenure,
    stays_above,
    key,
    start,
    out,
):
    """Per customer of a block (slices from `start`): sure to stay this week.
    The hazard rises with its logit, so a customer with a logit below CALM
    whose draw is above the hazard at CALM stays, whatever the exponential
    gives: the same decision as `_exits` would take, with no exponential.
    Customers who heard something, or of a tenure beyond the table, are left
    to `_exits`. In a loop over slices from 0, which the compiler
    vectorises (the kernel 7.9 -> 7.1 ms at 1,000,000 on two threads, 15.4 ->
    14.1 ms on one)."""
    tabled = len(log_tenure)
    for j in range(len(provider)):
        t = tenure[j]
        pull = advantage[segment[j], max(provider[j], 0)] + offers[j]
        # z of a customer who heard nothing (`exit_logit`)
        z = standing_logit(attitude[j], loyalty[j], log_tenure[min(t, tabled - 1)], pull, w)
        z += trigger[j] - w[6] * member[j]
        out[j] = (
            (z < CALM)
            & (uniform(key, start + j) > stays_above)
            & (warnings[j] == 0)
            & (praise_elsewhere[j] == 0)
            & (t < tabled)
        )


@functools.cache
def log_tenure_table(steps_per_year: int, weeks: int = 4096) -> np.ndarray:
    """ln(1 + tenure in years) for tenures of 0 to `weeks` - 1 steps: a table
    lookup in the exit loop instead of a logarithm per customer a week."""
    return np.log1p(np.arange(weeks) / steps_per_year)


def _main_reason(
    consumers: Consumers,
    leavers: np.ndarray,
    pull: np.ndarray,
    price_pull: np.ndarray,
    config: ChurnConfig,
) -> np.ndarray:
    """The reason with the largest contribution to each leaver's hazard: each
    dimension's grievance (weighted as attitude is) counts for the reason it
    stands for (`DIMENSION_REASON`; the service dimension after a failure for
    a negative encounter), the price part of the pull for price, the rest of
    it for competitor action."""
    reason = np.empty(len(leavers), dtype=np.int64)
    weights = np.array([config.attitude_weight, config.competitor_pull_weight])
    c = consumers
    _main_reasons(leavers, c.grievance, c.last_failure, pull, price_pull, weights, reason)
    return reason


@njit(cache=True)
def _main_reasons(leavers, grievance, last_failure, pull, price_pull, weights, reason):
    attitude_weight, pull_weight = np.float32(weights[0]), weights[1]
    contribution = np.empty(len(REASONS))
    for r in range(len(leavers)):
        i = leavers[r]
        contribution[:] = 0.0
        for d in range(grievance.shape[1]):
            why = _DIMENSION_REASON[d]
            if d == SERVICE and last_failure[i]:
                why = NEGATIVE_ENCOUNTER
            # float32, as grievance is kept
            contribution[why] += attitude_weight * grievance[i, d]
        contribution[PRICE] += pull_weight * price_pull[r]
        contribution[COMPETITOR_ACTION] = pull_weight * (pull[r] - price_pull[r])
        reason[r] = np.argmax(contribution)


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
    weight = Market.fit(utility, config.choice_sharpness)
    choice = np.repeat(weight[:, None, :], n_firms, axis=1)  # (segments, from, to)
    choice[:, np.arange(n_firms), np.arange(n_firms)] = 0.0
    choice /= choice.sum(axis=2, keepdims=True)
    cumulative = choice[segment, origin].cumsum(axis=1)
    picked = (rng.random(len(origin))[:, None] > cumulative).sum(axis=1)
    switches = rng.random(len(origin)) >= config.exit_share
    destination[switches] = np.minimum(picked[switches], n_firms - 1)
    return destination
