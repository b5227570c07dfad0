"""Counter-based random numbers for the hot path (docs/ODD.md 4, Stochasticity).

A draw is a hash of a key and a counter, not the next number of a stream:
`uniform(key, counter)` is SplitMix64 (Steele, Lea & Flood 2014) applied to
key + counter · γ, the generator that seeds numpy's own. The key is a
mechanism's stream for the week (`week_key`), spawned from the run's seed by
numpy's SeedSequence; the counter is the consumer's index (times the slots a
consumer draws a week). So a consumer's visit, encounter noise or exit draw
is the same whatever else changed in the market (common random numbers across
strategies), the compiled kernels need no generator state, and a kernel may
run its loop on several threads and give the same numbers.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numba import njit, uint64

GAMMA = np.uint64(0x9E3779B97F4A7C15)
TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53


@njit(cache=True, inline="always")
def mix(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: 64 well-mixed bits from any 64."""
    x = (x ^ (x >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> uint64(27))) * uint64(0x94D049BB133111EB)
    return x ^ (x >> uint64(31))


@njit(cache=True, inline="always")
def uniform(key: np.uint64, counter: np.int64) -> float:
    """A uniform draw in [0, 1) for (key, counter)."""
    bits = mix(key + uint64(counter) * uint64(0x9E3779B97F4A7C15))
    return (bits >> uint64(11)) * TO_UNIT


# Acklam's rational approximation of the normal quantile (relative error < 1.2e-9)
_A = (
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.3577518672690,
    -30.66479806614716,
    2.506628277459239,
)
_B = (
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
)
_C = (
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
)
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_TAIL = 0.02425


@njit(cache=True, inline="always")
def normal_quantile(p: float) -> float:
    """The standard normal quantile of p in (0, 1), by Acklam's algorithm."""
    if p < _TAIL or p > 1.0 - _TAIL:
        q = np.sqrt(-2.0 * np.log(min(p, 1.0 - p)))
        x = (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / (
            (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0
        )
        return x if p < 0.5 else -x
    q = p - 0.5
    r = q * q
    return (
        (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5])
        * q
        / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)
    )


QUANTILE_BITS = 14
"""A normal draw's top 14 bits pick one of 16,384 cells of the quantile table."""
_CELLS = 1 << QUANTILE_BITS
_QUANTILES = np.array([NormalDist().inv_cdf(k / _CELLS) for k in range(1, _CELLS)])
_QUANTILES = np.concatenate([[-np.inf], _QUANTILES, [np.inf]])  # at 0, 1/16384, ..., 1
_TAIL_CELLS = 32
"""Cells at each end left to Acklam's algorithm, where the quantile bends too
fast for a straight line (0.2 % of draws on each side)."""
_IN_CELL = 1.0 / float(1 << (64 - QUANTILE_BITS))


@njit(cache=True, inline="always")
def normal(key: np.uint64, counter: np.int64) -> float:
    """A standard normal draw for (key, counter): the normal quantile of a
    uniform, one hash, no rejection. Between the outer 1/512 of each tail the
    quantile is read off a table of 16,385 points by linear interpolation
    (within 3.4e-5 of the exact quantile; 8x faster than computing it); in
    the tails it is Acklam's algorithm."""
    bits = mix(key + uint64(counter) * uint64(0x9E3779B97F4A7C15))
    cell = bits >> uint64(64 - QUANTILE_BITS)
    if cell < _TAIL_CELLS or cell >= _CELLS - _TAIL_CELLS:
        return normal_quantile(((bits >> uint64(11)) + 0.5) * TO_UNIT)
    within = (bits & uint64((1 << (64 - QUANTILE_BITS)) - 1)) * _IN_CELL
    low = _QUANTILES[cell]
    return low + within * (_QUANTILES[cell + 1] - low)


def stream_key(stream: np.random.SeedSequence) -> int:
    """A mechanism's key for the whole run, from its stream (`week_key` makes
    each week's); taken once a run: SeedSequence takes 4 of a week key's 5.6 µs."""
    return int(stream.generate_state(1, np.uint64)[0])


def week_key(stream_key: int, week: int) -> np.uint64:
    """The key of one mechanism's draws in one week."""
    return np.uint64(stream_key ^ mix_py(week))


def mix_py(x: int) -> int:
    """`mix` of x · γ in plain Python integers (mod 2^64), for keys."""
    x = (x * int(GAMMA)) & _BITS
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _BITS
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _BITS
    return x ^ (x >> 31)


_BITS = (1 << 64) - 1


@njit(cache=True)
def uniforms_at(key: np.uint64, counters: np.ndarray) -> np.ndarray:
    """The uniform draws of `counters` (for numpy code that needs a kernel's draws again)."""
    out = np.empty(len(counters))
    for j in range(len(counters)):
        out[j] = uniform(key, counters[j])
    return out


@njit(cache=True, inline="always")
def log_miss(probability: float) -> float:
    """ln(1 - p), the argument `next_success` takes; -inf when p = 1."""
    return np.log1p(-probability) if probability < 1.0 else -np.inf


@njit(cache=True, inline="always")
def next_success(key: np.uint64, counter: np.int64, position: np.int64, log_miss: float) -> int:
    """In a row of independent trials with success probability p, the next
    success after `position`: the gap is geometric, ln(1 - u) / ln(1 - p), so
    one draw per success replaces one per trial. `log_miss` is ln(1 - p)."""
    if log_miss == -np.inf:  # p = 1: every trial
        return position + 1
    # log(1 - u) is exact where log1p(-u) is (1 - u is exact for a 53-bit u) and
    # 2.5 times faster
    gap = np.floor(np.log(1.0 - uniform(key, counter)) / log_miss)
    return position + 1 + int(min(gap, 2.0**40))
