"""Experience, expectation and satisfaction (docs/ODD.md 7.2, 7.5).

An encounter delivers a level on each of the six dimensions; satisfaction is
the importance-weighted gap between experience and expectation, with losses
weighted more than gains (the Delta law: the CX-methods article, 三角定律;
the satisfaction article). Attitude and loyalty accumulate net experience;
expectations move toward a blend of their sources (the CX-methods article,
客户期望决定因素; the CRM-cases article).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import N_DIMS, PROSPECT, Dimension
from sim.config import ExpectationConfig, ExperienceConfig
from sim.engine.population import Consumers, Segments


@dataclass
class Encounters:
    """This step's service encounters: who visited and what it was like."""

    visitors: np.ndarray  # consumer indices
    experience: np.ndarray  # (visitors, 6)
    satisfaction: np.ndarray  # Delta-law score per visitor
    failure: np.ndarray  # bool per visitor


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
    gap = experience - expectation
    weighted = importance * np.where(gap >= 0.0, gap, loss_aversion * gap)
    return weighted.sum(axis=1), -np.minimum(weighted, 0.0)


def choose_visitors(
    consumers: Consumers, segments: Segments, rng: np.random.Generator
) -> np.ndarray:
    """Customers who visit their provider this week (segment visit probability).
    Reads provider and segment."""
    p_visit = segments.visit_probability[consumers.segment]
    visits = (consumers.provider != PROSPECT) & (rng.random(consumers.n) < p_visit)
    return np.flatnonzero(visits)


def expected_experience(
    levels: np.ndarray, segment: np.ndarray, provider: np.ndarray
) -> np.ndarray:
    """(visits, 6) mean levels from the (segments, firms, 6) table, one fast take."""
    flat = levels.reshape(-1, N_DIMS)
    return np.take(flat, segment.astype(np.intp) * levels.shape[1] + provider, axis=0)


def serve_encounters(
    consumers: Consumers,
    visitors: np.ndarray,
    expected: np.ndarray,
    failure_probability: np.ndarray,
    segments: Segments,
    config: ExperienceConfig,
    rng: np.random.Generator,
) -> Encounters:
    """Each visit delivers its expected levels plus noise, and is scored by the Delta law.

    A service failure (probability per visit) costs `failure_severity` points
    on the service dimension (docs/ODD.md 7.2). Reads the visitors'
    expectation and segment; writes their attitude, grievance, loyalty,
    last_experience, satisfaction and last_failure.
    """
    noise = rng.standard_normal(expected.shape, dtype=np.float32)
    experience = expected + config.noise * noise
    failure = rng.random(len(visitors)) < failure_probability
    experience[failure, Dimension.service] -= config.failure_severity
    np.clip(experience, 0.0, 10.0, out=experience)
    satisfaction, shortfall = delta_law(
        experience,
        consumers.expectation[visitors],
        segments.importance[consumers.segment[visitors]],
        config.loss_aversion,
    )
    _accumulate(consumers, visitors, satisfaction, shortfall, config)
    consumers.last_experience[visitors] = experience
    consumers.satisfaction[visitors] = satisfaction
    consumers.last_failure[visitors] = failure
    return Encounters(visitors, experience, satisfaction, failure)


def _accumulate(
    consumers: Consumers,
    visitors: np.ndarray,
    satisfaction: np.ndarray,
    shortfall: np.ndarray,
    config: ExperienceConfig,
) -> None:
    """Net experience builds attitude; sustained positive attitude builds loyalty.

    Attitude is an exponential average of tanh(satisfaction / scale); loyalty a
    slower average of the positive part of attitude: satisfaction is not
    loyalty (the satisfaction article, 顾客满意一文不值), loyalty takes repeated
    good experience (the employee-loyalty article). Grievance keeps the
    shortfall per dimension, the raw material of a churn reason.
    """
    a = config.attitude_learning_rate
    attitude = consumers.attitude[visitors]
    attitude += a * (np.tanh(satisfaction / config.satisfaction_scale) - attitude)
    consumers.attitude[visitors] = attitude
    grievance = consumers.grievance[visitors]
    consumers.grievance[visitors] = grievance + a * (shortfall - grievance)
    loyalty = consumers.loyalty[visitors]
    consumers.loyalty[visitors] = loyalty + config.loyalty_learning_rate * (
        np.maximum(attitude, 0.0) - loyalty
    )


@dataclass
class ExpectationSources:
    """Anchors that pull expectations this step; a missing anchor drops out."""

    baseline: np.ndarray  # (n, 6) segment baseline: values and background
    competitors: np.ndarray  # (n, 6) best level among other firms
    encounters: Encounters
    advertised: np.ndarray  # consumer indices reached by advertising
    promise: np.ndarray  # (advertised, 6) what the ads promised
    heard: np.ndarray  # consumer indices that heard word of mouth
    word_of_mouth: np.ndarray  # (heard, 6) the experience they were told about


def update_expectations(
    consumers: Consumers,
    sources: ExpectationSources,
    config: ExpectationConfig,
    rng: np.random.Generator,
) -> None:
    """e <- e + rate * (target - e) + shock, target = weighted blend of sources.

    Sources per the CX-methods article (客户期望决定因素): word of mouth, the
    firm's promotion, the customer's values and background (segment
    baseline), environment and life stage (noise; drift enters through the
    baseline), prior experience with this firm (adaptation: today's excellent
    service is tomorrow's baseline, the CRM-cases article) and with other
    firms (the best competitor level raises the bar). Writes every
    consumer's expectation.
    """
    w = config.weights
    target = w.segment_baseline * sources.baseline
    target += w.competitors * sources.competitors
    weight = np.full(consumers.n, w.segment_baseline + w.competitors)
    for who, level, pull in (
        (sources.encounters.visitors, sources.encounters.experience, w.own_experience),
        (sources.advertised, sources.promise, w.advertising),
        (sources.heard, sources.word_of_mouth, w.word_of_mouth),
    ):
        target[who] += pull * level
        weight[who] += pull
    e = consumers.expectation
    unanchored = weight == 0
    weight[unanchored] = 1.0
    target /= weight[:, None]
    target[unanchored] = e[unanchored]  # no source this step: no pull
    target -= e
    target *= config.adjustment_rate
    e += target
    if config.noise:  # uniform with sd `noise`: as good as normal at this size, 5x cheaper
        shock = rng.random(e.shape, dtype=np.float32)
        shock -= 0.5
        e += (config.noise * np.sqrt(12.0)) * shock
    np.clip(e, 0.0, 10.0, out=e)
