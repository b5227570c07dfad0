"""Experience, expectation and satisfaction (docs/ODD.md 7.2, 7.5).

An encounter delivers a level on each of the six dimensions; satisfaction is
the importance-weighted gap between experience and expectation, with losses
weighted more than gains (the Delta law: the CX-methods article, 三角定律;
the satisfaction article). Attitude follows net experience, and loyalty is
the stock that attitude builds over a relationship;
expectations move toward a blend of their sources (the CX-methods article,
客户期望决定因素; the CRM-cases article).

The loops over consumers are compiled (numba) and fuse each week's work on a
consumer into one pass; their draws are counter-based (sim/engine/draws.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.codes import N_DIMS, PROSPECT, Dimension
from sim.config import ExpectationConfig, ExperienceConfig
from sim.engine.draws import normal, uniform
from sim.engine.firms import Exposure
from sim.engine.population import Consumers, Segments
from sim.engine.word_of_mouth import Told

SERVICE, RELATIONSHIP = int(Dimension.service), int(Dimension.relationship)


@dataclass
class Encounters:
    """This week's service encounters: who visited and what it was like."""

    visitors: np.ndarray  # consumer indices
    service_quality: np.ndarray  # the experience on the service dimension, per visitor
    satisfaction: np.ndarray  # Delta-law score per visitor
    felt: np.ndarray  # tanh(satisfaction / scale) per visitor: net experience on a -1..1 scale
    failure: np.ndarray  # bool per visitor


@njit(cache=True, inline="always")
def weighted_gap(experience: float, expectation: float, importance: float, loss_aversion: float):
    """One dimension's term of the Delta law: w * v(x - e)."""
    gap = experience - expectation
    # max and min, not `if`: whether experience beats expectation is a coin flip,
    # a branch on it mispredicts half the time (5 % of the encounter kernel)
    return importance * (max(gap, 0.0) + loss_aversion * min(gap, 0.0))


@njit(cache=True, inline="always")
def tanh(x: float) -> float:
    """tanh x by one exponential: (1 - e^-2|x|) / (1 + e^-2|x|), signed; exact
    to 1e-16 and three times faster than libm's tanh in a compiled loop."""
    e = np.exp(-2.0 * abs(x))
    t = (1.0 - e) / (1.0 + e)
    return t if x >= 0.0 else -t


def delta_law(
    experience: np.ndarray,
    expectation: np.ndarray,
    importance: np.ndarray,
    loss_aversion: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Satisfaction = sum_d w_d * v(x_d - e_d), v(g) = g if g >= 0 else lambda*g.

    The CX-methods article's Delta law (satisfaction = experience -
    expectation) weighted by importance, with loss aversion lambda (Kahneman &
    Tversky 1979, about 2): one bad encounter undoes several good ones (the
    CX-methods article, 客户体验净值).
    Returns the satisfaction and the weighted shortfall per dimension (>= 0).
    """
    terms = _weighted_gaps(
        *np.broadcast_arrays(
            np.asarray(experience, float),
            np.asarray(expectation, float),
            np.asarray(importance, float),
        ),
        loss_aversion,
    )
    return terms.sum(axis=-1), np.maximum(-terms, 0.0)


@njit(cache=True)
def _weighted_gaps(experience, expectation, importance, loss_aversion):
    out = np.empty(experience.shape)
    for row in range(experience.shape[0]):
        for d in range(experience.shape[1]):
            out[row, d] = weighted_gap(
                experience[row, d], expectation[row, d], importance[row, d], loss_aversion
            )
    return out


def choose_visitors(consumers: Consumers, key: np.uint64) -> np.ndarray:
    """Customers who visit their provider this week (each with their own
    visit probability). Reads provider and visit_probability."""
    visiting = np.empty(consumers.n, dtype=np.bool_)
    _visiting(consumers.provider, consumers.visit_probability, key, visiting)
    return np.flatnonzero(visiting)


@njit(cache=True, parallel=True)
def _visiting(provider, p_visit, key, out):
    for i in prange(len(provider)):
        out[i] = (provider[i] != PROSPECT) & (uniform(key, i) < p_visit[i])  # & is branch-free


@dataclass
class FocalService:
    """What the focal firm's staff and strategies add to its visits this week,
    per focal visit (in the order of `visits`)."""

    visits: np.ndarray  # encounter rows at the focal firm
    service: np.ndarray  # points the staff add to the service dimension
    relationship: np.ndarray  # ... and to the relationship dimension
    failure_multiplier: np.ndarray  # factor on the firm's failure probability
    uplift: np.ndarray | None = None  # (focal visits, 6) points strategies add


def serve_encounters(
    consumers: Consumers,
    visitors: np.ndarray,
    levels: np.ndarray,
    failure_probability: np.ndarray,
    focal: FocalService,
    segments: Segments,
    config: ExperienceConfig,
    key: np.uint64,
) -> Encounters:
    """Each visit delivers its provider's level for the visitor's segment
    (`levels`, segments x firms x 6), plus the focal firm's service, plus
    noise, and is scored by the Delta law.

    A service failure (probability per visit and firm) costs
    `failure_severity` points on the service dimension (docs/ODD.md 7.2). Net
    experience then builds attitude, and attitude builds loyalty: attitude is
    an exponential average of tanh(satisfaction / scale); loyalty is a stock
    that each visit with a positive attitude a fills by rate x a x (1 -
    loyalty) and each visit with a negative one drains by rate x |a| x loyalty
    (satisfaction is not loyalty: the satisfaction article, 顾客满意一文不值;
    loyalty is built by repeated good experience over a relationship, stage
    by stage: the employee-loyalty article). Grievance keeps
    the shortfall per dimension, the raw material of a churn reason. Reads
    the visitors' provider, segment and expectation; writes their attitude,
    grievance, loyalty, last_experience, satisfaction and last_failure.
    """
    n_visits = len(visitors)
    service_quality = np.empty(n_visits, dtype=np.float32)
    satisfaction = np.empty(n_visits)
    felt = np.empty(n_visits)
    failure = np.empty(n_visits, dtype=np.bool_)
    focal_row = np.full(n_visits, -1, dtype=np.int32)
    focal_row[focal.visits] = np.arange(len(focal.visits), dtype=np.int32)
    c = consumers
    _encounter(
        visitors,
        c.provider,
        c.segment,
        levels,
        failure_probability,
        focal_row,
        np.asarray(focal.service, dtype=np.float64),
        np.asarray(focal.relationship, dtype=np.float64),
        np.ascontiguousarray(_NO_UPLIFT if focal.uplift is None else focal.uplift, np.float64),
        np.asarray(focal.failure_multiplier, dtype=np.float64),
        segments.importance,
        np.array(
            [
                config.noise,
                config.failure_severity,
                config.loss_aversion,
                config.satisfaction_scale,
                config.attitude_learning_rate,
                config.loyalty_learning_rate,
            ]
        ),
        key,
        service_quality,
        satisfaction,
        felt,
        failure,
        c.expectation,
        c.attitude,
        c.grievance,
        c.loyalty,
        c.last_experience,
        c.satisfaction,
        c.last_failure,
    )
    return Encounters(visitors, service_quality, satisfaction, felt, failure)


_NO_UPLIFT = np.zeros((0, N_DIMS))
"""No strategy adds to a visit: the staff's service and relationship alone
(passed as two columns, not a matrix mostly of zeros: 0.9 ms a week at 1,000,000)."""

FAILURE_KEY = np.uint64(0x5DEECE66D)
"""Xored into an encounter's key for the failure draws, apart from the noise's."""


@njit(cache=True, parallel=True)
def _encounter(
    visitors,
    provider,
    segment,
    levels,
    p_fail,
    focal_row,
    service,
    relationship,
    uplift,
    failure_multiplier,
    importance,
    params,
    key,
    service_quality,
    satisfaction,
    felt,
    failure,
    expectation,
    attitude,
    grievance,
    loyalty,
    last_experience,
    last_satisfaction,
    last_failure,
):
    # arrays one by one: numba's parallel loops do not write through tuples of arrays
    noise, severity, loss_aversion, scale, learn, loyal = params
    failure_key = key ^ FAILURE_KEY
    strategies = len(uplift) > 0
    for v in prange(len(visitors)):
        i = visitors[v]
        p, s, row = provider[i], segment[i], focal_row[v]
        chance = p_fail[p] if row < 0 else min(p_fail[p] * failure_multiplier[row], 1.0)
        failed = uniform(failure_key, i) < chance
        total = 0.0
        for d in range(N_DIMS):
            x = levels[s, p, d] + noise * normal(key, i * N_DIMS + d)
            if row >= 0:  # the focal firm's staff and strategies add points
                points = service[row] if d == SERVICE else 0.0
                points = relationship[row] if d == RELATIONSHIP else points
                if strategies:
                    points += uplift[row, d]
                x += points
            if failed and d == SERVICE:
                x -= severity
            x = min(max(x, 0.0), 10.0)
            last_experience[i, d] = x
            total += weighted_gap(x, expectation[i, d], importance[s, d], loss_aversion)
        felt[v] = tanh(total / scale)
        a = attitude[i] + learn * (felt[v] - attitude[i])
        attitude[i] = a
        for d in range(N_DIMS):
            term = weighted_gap(
                last_experience[i, d], expectation[i, d], importance[s, d], loss_aversion
            )
            grievance[i, d] += learn * (max(-term, 0.0) - grievance[i, d])
        # net experience fills or drains the stock of loyalty (7.2)
        if a >= 0.0:
            loyalty[i] += loyal * a * (1.0 - loyalty[i])
        else:
            loyalty[i] += loyal * a * loyalty[i]
        service_quality[v] = last_experience[i, SERVICE]
        satisfaction[v] = total
        failure[v] = failed
        last_satisfaction[i] = total
        last_failure[i] = failed


@dataclass
class ExpectationSources:
    """Anchors that pull expectations this week; a missing anchor drops out."""

    baseline: np.ndarray  # (segments, 6) segment baselines: values and background
    competitors: np.ndarray  # (firms + 1, 6) best level among other firms, by provider + 1
    visited: np.ndarray  # bool per consumer: had an encounter this week (last_experience)
    advertising: Exposure  # whose advertising reached each consumer
    promise: np.ndarray  # (firms, 6) what each firm's advertising claims
    word_of_mouth: Told  # the experience each listener was told about


def update_expectations(
    consumers: Consumers,
    sources: ExpectationSources,
    config: ExpectationConfig,
    key: np.uint64,
) -> None:
    """e <- e + rate * (target - e) + shock, target = weighted blend of sources.

    Sources per the CX-methods article (客户期望决定因素): word of mouth, the
    firm's promotion (the mean promise of the ads that reached them), the
    customer's values and background (segment baseline), environment and
    life stage (a uniform shock of sd `noise`; drift enters through the
    baseline), prior experience with this firm (adaptation: today's
    excellent service is tomorrow's baseline, the CRM-cases article) and with
    other firms (the best competitor level raises the bar). Writes every
    consumer's expectation.
    """
    w = config.weights
    # the two anchors everyone has, blended once per (segment, provider)
    anchor = (
        w.segment_baseline * sources.baseline[:, None, :]
        + w.competitors * sources.competitors[None, :, :]
    )
    _expect(
        consumers.expectation,
        consumers.segment,
        consumers.provider,
        consumers.last_experience,
        anchor,
        sources.visited,
        sources.advertising.reached,
        _promise_table(sources.promise),
        sources.promise,
        sources.word_of_mouth.slot,
        sources.word_of_mouth.level,
        np.array(
            [
                w.segment_baseline + w.competitors,
                w.own_experience,
                w.advertising,
                w.word_of_mouth,
                config.adjustment_rate,
                config.noise * np.sqrt(12.0),  # a uniform shock with sd `noise`
            ]
        ),
        key,
    )


BLOCK = 512
"""Consumers `_expect` blends, then moves, at a time (a thread's share of work)."""

TABLED = 8
"""Firms whose ads' sums `_promise_table` tables: those of a byte of `Exposure.reached`."""


@njit(cache=True)
def _promise_table(promise):
    """For each set of the first TABLED firms (a byte of bits), the sum of what
    their ads claim (added in the firms' order), how many they are, and the
    mean: the mean promise of the ads that reached a consumer is one look-up
    (`mean_promise`), not a loop over firms."""
    sums = np.zeros((1 << TABLED, promise.shape[1]))
    ads = np.zeros(1 << TABLED)
    for bits in range(1 << TABLED):
        for f in range(min(TABLED, promise.shape[0])):
            ad = (bits >> f) & 1
            ads[bits] += ad
            for d in range(promise.shape[1]):
                sums[bits, d] += ad * promise[f, d]
    means = sums / np.maximum(ads, 1.0).reshape(-1, 1)
    return sums, ads, means


@njit(cache=True, inline="always")
def mean_promise(bits, d, table, promise) -> float:
    """The mean of what the ads whose firms are the set `bits` claim on
    dimension d (`table` from `_promise_table`): read off the table if they
    are among the first TABLED firms; else the table's sum for those, the
    others added in order (added, not branched on: + 0 x is exact)."""
    sums, ads, means = table
    bits = np.int64(bits)  # bit 63 as the sign: the shifts below still read it
    low = bits & ((1 << TABLED) - 1)
    if bits == low:
        return means[low, d]
    total, count = sums[low, d], ads[low]
    for f in range(TABLED, promise.shape[0]):
        ad = (bits >> f) & 1
        count += ad
        total += ad * promise[f, d]
    return total / count


@njit(cache=True, parallel=True)
def _expect(
    expectation,
    segment,
    provider,
    last_experience,
    anchor,
    visited,
    reached,
    promise_table,
    promise,
    told_slot,
    told,
    params,
    key,
):
    w_anchor, w_own, w_ads, w_told, rate, shock = params
    n = expectation.shape[0]
    flat = expectation.reshape(-1)
    for block in prange((n + BLOCK - 1) // BLOCK):
        first, last = block * BLOCK, min(n, (block + 1) * BLOCK)
        # per consumer, the blend of their sources ...
        pulled = np.empty((last - first) * N_DIMS)  # rate / weight x target
        kept = np.empty((last - first) * N_DIMS)  # rate: the share of e given up
        for i in range(first, last):
            bits, row, own = reached[i], told_slot[i], visited[i]
            weight = w_anchor + w_own * own + w_ads * (bits != 0) + w_told * (row >= 0)
            pull = rate / weight if weight > 0.0 else 0.0  # no source: no pull
            keep = rate if weight > 0.0 else 0.0
            blended = anchor[segment[i], provider[i] + 1]
            k = (i - first) * N_DIMS
            for d in range(N_DIMS):
                target = blended[d]
                if own:
                    target += w_own * last_experience[i, d]
                if bits != 0:
                    target += w_ads * mean_promise(bits, d, promise_table, promise)
                if row >= 0:
                    target += w_told * told[row, d]
                pulled[k + d] = pull * target
                kept[k + d] = keep
        # ... then each expectation moves and takes its shock, in a loop over
        # a slice from its index 0, which the compiler vectorises, hashes and
        # all (it does not vectorise the loop over consumers and dimensions,
        # nor one from `start` over the whole array): the kernel 17.2 -> 13.3
        # ms at 1,000,000 on two threads, the same numbers
        start = first * N_DIMS
        stretch = flat[start : last * N_DIMS]
        for j in range(len(stretch)):
            e = np.float64(stretch[j])
            e += pulled[j] - kept[j] * e
            e += shock * (uniform(key, start + j) - 0.5)
            stretch[j] = min(max(e, 0.0), 10.0)
