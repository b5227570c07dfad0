"""The weekly census: each consumer's answer to the recommendation question,
their NPS group and loyalty stage, and the counts the week's KPIs need, in
one pass over the market (docs/ODD.md 7.3, 7.8).

It is taken as a week closes; the next week starts from it (who is a
promoter decides who praises, the groups of the focal firm's customers are
what its churn by group counts from).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from sim.codes import FOCAL, PROSPECT, LoyaltyStage, NpsGroup
from sim.config import LoyaltyConfig, NpsConfig
from sim.engine.population import Consumers

PROMOTER, PASSIVE = int(NpsGroup.promoter), int(NpsGroup.passive)
DETRACTOR = int(NpsGroup.detractor)
BEHAVIOURAL = int(LoyaltyStage.behavioural)
N_GROUPS, N_STAGES = len(NpsGroup), len(LoyaltyStage)


@njit(cache=True, inline="always")
def recommendation(attitude: float, loyalty: float, style: float, nps: np.ndarray) -> float:
    """The 0-10 answer to "how likely are you to recommend your provider?"
    (Reichheld 2003): baseline + weights x (attitude, loyalty) + personal
    style, rounded and clipped. `nps` is (baseline, attitude and loyalty
    weights). Meaningful for consumers with a provider."""
    score = nps[0] + nps[1] * attitude + nps[2] * loyalty + style
    return min(max(np.rint(score), 0.0), 10.0)


@njit(cache=True, inline="always")
def nps_group(answer: float) -> int:
    """9-10 promoter, 7-8 passive, 0-6 detractor."""
    return PROMOTER if answer >= 9.0 else (PASSIVE if answer >= 7.0 else DETRACTOR)


@njit(cache=True, inline="always")
def loyalty_stage(provider: int, loyalty: float, tenure: int, group: int, stages) -> int:
    """The employee-loyalty article's stages (认知、情感、行为、口碑忠诚), by
    loyalty against the thresholds in `stages` (cognitive, affective,
    behavioural, behavioural minimum tenure, word of mouth): behavioural also
    needs a habit of repeat purchase, word-of-mouth loyalty is deeper
    behavioural loyalty of a promoter. None for a prospect."""
    # & rather than `and`, `if`: branch-free, since which way it goes is random
    stage = (loyalty >= stages[0]) + (loyalty >= stages[1])
    stage += (loyalty >= stages[2]) & (tenure >= stages[3])
    stage += (stage == BEHAVIOURAL) & (loyalty >= stages[4]) & (group == PROMOTER)
    return stage if provider != PROSPECT else 0


def _nps_parameters(config: NpsConfig) -> np.ndarray:
    return np.array([config.baseline, config.attitude_weight, config.loyalty_weight])


def _stage_thresholds(config: LoyaltyConfig) -> np.ndarray:
    return np.array(
        [
            config.cognitive,
            config.affective,
            config.behavioural,
            config.behavioural_min_tenure,
            config.word_of_mouth,
        ]
    )


def likelihood_to_recommend(
    attitude: np.ndarray, loyalty: np.ndarray, style: np.ndarray, config: NpsConfig
) -> np.ndarray:
    """The 0-10 answers of consumers with these attitudes, loyalty and styles
    (`recommendation`)."""
    return _answers(attitude, loyalty, style, _nps_parameters(config))


@njit(cache=True)
def _answers(attitude, loyalty, style, nps):
    out = np.empty(len(attitude))
    for i in range(len(out)):
        out[i] = recommendation(attitude[i], loyalty[i], style[i], nps)
    return out


@dataclass
class Census:
    """Where every consumer stands as a week closes, and the counts of it."""

    nps_group: np.ndarray  # NpsGroup code per consumer
    loyalty_stage: np.ndarray  # LoyaltyStage code per consumer
    customers: np.ndarray  # per firm
    prospects: int
    focal_groups: np.ndarray  # the focal firm's customers by NPS group
    focal_stages: np.ndarray  # ... and by loyalty stage
    at_risk: int  # focal customers with attitude below `competition.at_risk_attitude`
    mean_attitude: float  # of the focal firm's customers
    mean_loyalty: float  # of the focal firm's customers
    mean_expectation: float  # over all consumers and dimensions

    @property
    def focal_customers(self) -> int:
        return int(self.customers[FOCAL])


def take_census(
    consumers: Consumers, nps: NpsConfig, loyalty: LoyaltyConfig, n_firms: int, at_risk: float
) -> Census:
    """One pass over the market for each consumer's NPS group and loyalty
    stage, then one for the counts and means of the focal firm's customers."""
    c = consumers
    group = np.empty(c.n, dtype=np.int8)
    stage = np.empty(c.n, dtype=np.int8)
    _classify(
        c.provider,
        c.attitude,
        c.loyalty,
        c.tenure,
        c.recommend_style,
        _nps_parameters(nps),
        _stage_thresholds(loyalty),
        group,
        stage,
    )
    counts, sums = _tally(c.provider, group, stage, c.attitude, c.loyalty, at_risk, n_firms)
    by_provider, focal_groups, focal_stages, focal_at_risk = np.split(
        counts, np.cumsum([n_firms + 1, N_GROUPS, N_STAGES])
    )
    focal = int(by_provider[FOCAL + 1])
    return Census(
        nps_group=group,
        loyalty_stage=stage,
        customers=by_provider[1:],
        prospects=int(by_provider[0]),
        focal_groups=focal_groups,
        focal_stages=focal_stages,
        at_risk=int(focal_at_risk[0]),
        mean_attitude=sums[0] / focal if focal else 0.0,
        mean_loyalty=sums[1] / focal if focal else 0.0,
        mean_expectation=float(c.expectation.mean()),  # numpy's pairwise sum: float32 is enough
    )


@njit(cache=True, parallel=True)
def _classify(provider, attitude, loyalty, tenure, style, nps, stages, group, stage):
    for i in prange(len(provider)):
        g = nps_group(recommendation(attitude[i], loyalty[i], style[i], nps))
        group[i] = g
        stage[i] = loyalty_stage(provider[i], loyalty[i], tenure[i], g, stages)


CHUNKS = 64
"""Parts of the market the census counts apart, then adds up: a fixed split,
so the sums do not depend on the number of threads."""


@njit(cache=True, parallel=True)
def _tally(provider, group, stage, attitude, loyalty, at_risk, n_firms):
    """Per chunk: consumers by provider + 1, the focal firm's customers by
    NPS group, by stage and at risk; the sums of their attitude and loyalty."""
    n = len(provider)
    counts = np.zeros((CHUNKS, n_firms + 1 + N_GROUPS + N_STAGES + 1), dtype=np.int64)
    sums = np.zeros((CHUNKS, 2))
    size = (n + CHUNKS - 1) // CHUNKS
    for chunk in prange(CHUNKS):
        attitudes = loyalties = 0.0
        for i in range(chunk * size, min(n, (chunk + 1) * size)):
            p = provider[i]
            counts[chunk, p + 1] += 1
            if p == FOCAL:
                counts[chunk, n_firms + 1 + group[i]] += 1
                counts[chunk, n_firms + 1 + N_GROUPS + stage[i]] += 1
                counts[chunk, n_firms + 1 + N_GROUPS + N_STAGES] += attitude[i] < at_risk
                attitudes += attitude[i]
                loyalties += loyalty[i]
        sums[chunk, 0], sums[chunk, 1] = attitudes, loyalties
    return counts.sum(axis=0), sums.sum(axis=0)
