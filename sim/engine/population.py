"""Consumers and segments: the engine's state, one numpy row per consumer.

`Customer` agents (sim/agents.py) are thin views onto these rows, so the Mesa
API gives per-consumer access while every mechanism works on whole arrays.
Codes (provider, loyalty stage) are in sim/codes.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.codes import (
    FOCAL,
    N_DIMS,
    NO_EMPLOYEE,
    NOT_YET,
    PROSPECT,
    Episode,
)
from sim.config import PopulationConfig

STATE = np.float32
"""Precision of the consumers' continuous state: attitudes, expectations and
the like move in steps far above its 7 digits (docs/benchmarks.md shows the
results within noise of float64), and half the bytes halve a step's memory traffic."""


@dataclass
class Segments:
    """Per-segment parameters as arrays indexed by segment code."""

    names: list[str]
    share: np.ndarray
    importance: np.ndarray  # (segments, 6), each row sums to 1
    expectation: np.ndarray  # (segments, 6), baseline expectation (values, background)
    price_sensitivity: np.ndarray
    visit_probability: np.ndarray
    spend_per_visit: np.ndarray
    complaint_propensity: np.ndarray

    @classmethod
    def from_config(cls, config: PopulationConfig) -> Segments:
        segs = config.segments
        importance = np.array([s.importance.as_array() for s in segs])
        return cls(
            names=[s.name for s in segs],
            share=np.array([s.share for s in segs]),
            importance=importance / importance.sum(axis=1, keepdims=True),
            expectation=np.array([s.expectation.as_array() for s in segs]),
            price_sensitivity=np.array([s.price_sensitivity for s in segs]),
            visit_probability=np.array([s.visit_probability for s in segs]),
            spend_per_visit=np.array([s.spend_per_visit for s in segs]),
            complaint_propensity=np.array([s.complaint_propensity for s in segs]),
        )


@dataclass(frozen=True)
class Traits:
    """How the consumers' lasting traits are spread (docs/ODD.md 5)."""

    propensity_shape: float  # Gamma shape of the readiness to complain (complaints.*)
    style_spread: float  # sd of the recommendation answer's personal offset (nps.spread)


@dataclass(frozen=True)
class KnownCustomers:
    """The firm's customers as its log leaves them at a date: what the model's
    first week starts from (population=from_log; docs/ODD.md 5)."""

    tenure: np.ndarray  # whole weeks since their first visit
    visit_probability: np.ndarray  # chance of a visit a week, drawn from their record
    spend_per_visit: np.ndarray  # their mean spend per visit
    arrival: np.ndarray | None = None  # week of their first visit, if after the first (log_cohort)

    def __len__(self) -> int:
        return len(self.tenure)


@dataclass
class Consumers:
    """State of every consumer in the market (docs/ODD.md §2)."""

    provider: np.ndarray  # int16: PROSPECT, FOCAL, 1.. rivals
    segment: np.ndarray  # int8
    tenure: np.ndarray  # steps with the current provider
    expectation: np.ndarray  # (n, 6) on the 0-10 scale
    last_experience: np.ndarray  # (n, 6) what the last encounter delivered
    satisfaction: np.ndarray  # Delta-law score of the last encounter
    attitude: np.ndarray  # running attitude toward the provider, [-1, 1]
    loyalty: np.ndarray  # stock of net experience with the provider, [0, 1]
    grievance: np.ndarray  # (n, 6) running shortfall per dimension
    last_failure: np.ndarray  # the last encounter was a service failure
    member: np.ndarray  # in the focal firm's loyalty programme
    employee: np.ndarray  # position of the usual employee at the focal firm, -1 none
    bond: np.ndarray  # strength of the relationship with that employee, [0, 1]
    last_negative: np.ndarray  # week of the last negative experience, -1 none
    episode_start: np.ndarray  # week their first negative experience in a year began an episode
    episode: np.ndarray  # Episode code: how that experience was handled
    spend: np.ndarray  # cumulative revenue paid to the focal firm
    churn_reason: np.ndarray  # int8 code of the last departure's reason, -1 none
    complaint_propensity: np.ndarray  # personal readiness to complain, mean 1 (a trait)
    recommend_style: np.ndarray  # personal offset of the 0-10 recommendation answer (a trait)
    visit_probability: np.ndarray  # chance of a visit a week while a customer (a habit)
    spend_per_visit: np.ndarray  # what a visit is worth before price and loyalty (a habit)

    @property
    def n(self) -> int:
        return len(self.provider)

    @classmethod
    def initial(
        cls,
        config: PopulationConfig,
        segments: Segments,
        n_rivals: int,
        traits: Traits,
        rng: np.random.Generator,
        loyalty_learning_rate: float,
        known: KnownCustomers | None = None,
    ) -> Consumers:
        """A market already in motion: customers of every firm with some tenure.
        Each consumer draws two lasting traits: how ready they are to complain
        (Gamma with mean 1: most rarely complain, a few often; TARP, Goodman &
        Newman 2003) and how generously they answer the recommendation question
        (normal around 0). With `known` customers (a firm's log), the first
        consumers are those, with their tenure and habits, and the rest are
        prospects; those with an `arrival` week stay out of the market until then."""
        n = config.n
        segment = rng.choice(len(segments.names), size=n, p=segments.share).astype(np.int8)
        u = rng.random(n)
        provider = np.full(n, PROSPECT, dtype=np.int16)
        provider[u < config.initial_focal_share] = FOCAL
        if n_rivals:
            to_rival = (u >= config.initial_focal_share) & (
                u < config.initial_focal_share + config.initial_competitor_share
            )
            provider[to_rival] = rng.integers(1, n_rivals + 1, size=to_rival.sum())
        visit_probability = segments.visit_probability[segment]
        spend_per_visit = segments.spend_per_visit[segment]
        if known is not None:
            provider[:] = PROSPECT
            provider[: len(known)] = FOCAL if known.arrival is None else PROSPECT
            visit_probability[: len(known)] = known.visit_probability
            spend_per_visit[: len(known)] = known.spend_per_visit
        has_provider = provider != PROSPECT
        expectation = np.clip(
            segments.expectation[segment] + rng.normal(0.0, 0.5, size=(n, N_DIMS)),
            0.0,
            10.0,
        )
        # near the default market's steady state, so that the burn-in settles it
        attitude = np.where(has_provider, np.clip(rng.normal(0.4, 0.3, n), -1, 1), 0.0)
        tenure = np.where(has_provider, rng.geometric(1 / 156, n), 0).astype(np.int32)
        if known is not None:
            tenure[: len(known)] = known.tenure
        # loyalty is the stock that positive attitude builds over a tenure's
        # visits: dL = rate * a * (1 - L) per visit (7.2)
        visits = tenure * visit_probability
        loyalty = -np.expm1(-loyalty_learning_rate * np.maximum(attitude, 0.0) * visits)
        expectation = expectation.astype(STATE)
        return cls(
            provider=provider,
            segment=segment,
            tenure=tenure,
            expectation=expectation,
            last_experience=expectation.copy(),
            satisfaction=np.zeros(n, dtype=STATE),
            attitude=attitude.astype(STATE),
            loyalty=loyalty.astype(STATE),
            grievance=np.zeros((n, N_DIMS), dtype=STATE),
            last_failure=np.zeros(n, dtype=bool),
            member=np.zeros(n, dtype=bool),
            employee=np.full(n, NO_EMPLOYEE, dtype=np.int32),
            bond=np.where(provider == FOCAL, rng.uniform(0.2, 1.0, n), 0.0).astype(STATE),
            last_negative=np.full(n, NOT_YET, dtype=np.int32),
            episode_start=np.full(n, NOT_YET, dtype=np.int32),
            episode=np.zeros(n, dtype=np.int8),
            spend=np.zeros(n),
            churn_reason=np.full(n, NOT_YET, dtype=np.int8),
            complaint_propensity=rng.gamma(
                traits.propensity_shape, 1.0 / traits.propensity_shape, n
            ).astype(np.float32),
            recommend_style=rng.normal(0.0, traits.style_spread, n).astype(np.float32),
            visit_probability=visit_probability,
            spend_per_visit=spend_per_visit,
        )

    def switch_provider(self, who: np.ndarray, provider: np.ndarray | int, attitude: float) -> None:
        """Start a new relationship (or none): tenure, loyalty, grievances and
        the history of negative experiences afresh."""
        self.last_negative[who] = NOT_YET
        self.episode[who] = Episode.none
        self.provider[who] = provider
        self.tenure[who] = 0
        self.loyalty[who] = 0.0
        self.grievance[who] = 0.0
        self.member[who] = False
        self.employee[who] = NO_EMPLOYEE
        self.bond[who] = 0.0
        self.attitude[who] = np.where(self.provider[who] == PROSPECT, 0.0, attitude)

    def age(self) -> None:
        """Every consumer with a provider is a week longer with them."""
        _age(self.provider, self.tenure)


@njit(cache=True, parallel=True)
def _age(provider, tenure):
    for i in prange(len(provider)):
        tenure[i] += provider[i] != PROSPECT  # added, not branched on: branch-free
