"""The compiled engine (docs/benchmarks.md): its results are those of the
engine before it in distribution, they do not depend on how many threads its
kernels run on, and its counter-based draws are what they claim to be."""

import json

import numba
import numpy as np
import pandas as pd
import pytest
from numba import njit
from scipy import stats

from benchmarks.engine_reference import PATH, kpi, reference_config
from sim.codes import PROSPECT
from sim.engine.acquisition import _rates, courted
from sim.engine.draws import normal, normal_quantile, uniform
from sim.engine.experience import _promise_table, mean_promise
from sim.model import LoyaltyModel
from sim.runs.simulation import replicate
from tests.helpers import run_model, small_config

REFERENCE = json.loads(PATH.read_text())
"""Key KPIs of the engine when the model's dynamics last changed on purpose
(its `code_version`), seeds 0-11 of its config, with the fitted parameters as
they were then; made by `python -m benchmarks.engine_reference`. Until then it
held the numpy engine's before the compiled one, which this test matched."""


@pytest.fixture(scope="module")
def new_engine() -> list[dict]:
    return replicate(reference_config(REFERENCE["config"]), 12)


@pytest.mark.parametrize("name", sorted(REFERENCE["kpis"]))
def test_key_kpis_match_the_previous_engine_in_distribution(new_engine, name):
    """Welch's t-test over twelve seeds each, at the 0.1 % level for each KPI:
    a real shift of the model's dynamics fails it, the noise of seeds does not."""
    old = REFERENCE["kpis"][name]
    new = [kpi(summary, name) for summary in new_engine]
    assert stats.ttest_ind(old, new, equal_var=False).pvalue > 0.001
    assert stats.ks_2samp(old, new).pvalue > 0.001


def test_results_do_not_depend_on_the_number_of_threads():
    config = small_config(n=2000, steps=20)
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = LoyaltyModel(config).run_for(config.steps)
    finally:
        numba.set_num_threads(default)
    every = LoyaltyModel(config).run_for(config.steps)
    pd.testing.assert_frame_equal(one, every)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    config = small_config(n=1000, steps=10)
    first, again = run_model(config), run_model(config)
    assert np.array_equal(first.consumers.expectation, again.consumers.expectation)
    config.seed += 1
    assert not np.array_equal(first.consumers.expectation, run_model(config).consumers.expectation)


@njit
def _draw(kind: int, key: np.uint64, count: int) -> np.ndarray:
    out = np.empty(count)
    for i in range(count):
        out[i] = uniform(key, i) if kind == 0 else normal(key, i)
    return out


def test_counter_based_draws_are_uniform_and_normal():
    key = np.uint64(0xC0FFEE)
    u = _draw(0, key, 200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001
    z = _draw(1, key, 200_000)
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01  # neighbouring counters independent
    assert not np.array_equal(u, _draw(0, key + np.uint64(1), 200_000))


def test_a_normal_draw_is_the_quantile_of_its_uniform():
    """The tabled quantile (linear between 16,385 points, Acklam's in the
    outer tails) stays within 3.4e-5 of the exact one, draw by draw."""
    key, count = np.uint64(0xBEEF), 400_000
    p = np.array([uniform(key, i) for i in range(count)]) + 0.5 / 2.0**53  # the same bits
    error = np.abs(_draw(1, key, count) - stats.norm.ppf(p))
    assert error.max() < 3.4e-5
    assert error.max() > 1e-6  # the table, not the exact quantile, was read


def test_the_normal_quantile_is_accurate_into_the_tails():
    p = np.concatenate([np.logspace(-15, -1, 60), np.linspace(0.02, 0.98, 97)])
    ours = np.array([normal_quantile(x) for x in p])
    assert np.allclose(ours, stats.norm.ppf(p), rtol=1e-8, atol=1e-8)
    upper = p[p > 1e-9]  # 1 - p holds p to about 1e-16 absolute: the mirror to about 1e-7
    assert np.allclose([normal_quantile(1 - x) for x in upper], -stats.norm.ppf(upper), rtol=1e-6)


@pytest.mark.parametrize("log", [False, True])
def test_the_courted_prospects_are_those_the_rule_names(log):
    """Reached by an ad or praised to, without a provider, in the market, not
    a leaver of this week: the kernel against the rule written in numpy."""
    rng, n = np.random.default_rng(5), 50_000
    provider = rng.integers(-1, 3, n).astype(np.int16)
    reached = (rng.random(n) < 0.2) * rng.integers(1, 16, n).astype(np.uint8)
    praised, leavers = rng.integers(0, n, 3_000), rng.integers(0, n, 1_000)
    arrival = rng.integers(-1, 20, n).astype(np.int32) if log else None
    rule = (reached != 0) | np.isin(np.arange(n), praised)
    rule &= provider == PROSPECT
    if log:
        rule &= arrival <= 10
    rule[leavers] = False
    assert np.array_equal(
        courted(provider, reached, praised, leavers, arrival, 10), np.flatnonzero(rule)
    )


def test_a_prospects_rates_are_the_channels_rate_times_the_firms_pull():
    rng, prospects, firms = np.random.default_rng(6), 2_000, 4
    reached = rng.integers(0, 16, prospects).astype(np.uint8)
    praise, warned = rng.poisson(0.3, (2, prospects, firms))
    fit = rng.random((prospects, firms))
    by_ad, by_referral, deterrence = rng.random(firms), 0.2, 0.7
    rates, total = np.empty((prospects, 2 * firms)), np.empty(prospects)
    _rates(reached, praise, warned, fit, by_ad, by_referral, deterrence, rates, total)
    pull = fit * np.exp(-deterrence * warned)
    seen = ((reached[:, None] >> np.arange(firms, dtype=np.uint8)) & 1).astype(bool)
    expected = np.concatenate([seen * by_ad * pull, praise * by_referral * pull], axis=1)
    assert np.allclose(rates, expected, rtol=1e-15, atol=0)
    assert np.allclose(total, expected.sum(axis=1), rtol=1e-14, atol=0)


@pytest.mark.parametrize("firms", [5, 12, 64])
def test_the_mean_promise_is_that_of_the_ads_that_reached_each_consumer(firms):
    """A table for the first eight firms, the others added: the mean of the
    promises of the firms whose bits are set, however many firms there are."""
    rng, n = np.random.default_rng(7), 300
    bits = rng.random((n, firms)) < 0.3
    bits[bits.sum(axis=1) == 0, rng.integers(0, firms)] = True  # reached by one at least
    reached = (bits * (np.uint64(1) << np.arange(firms, dtype=np.uint64))).sum(
        axis=1, dtype=np.uint64
    )
    reached = reached.astype(np.min_scalar_type((1 << firms) - 1))
    promise = rng.random((firms, 6)) * 10
    table = _promise_table(promise)
    got = [[mean_promise(b, d, table, promise) for d in range(6)] for b in reached]
    mean = (bits[:, :, None] * promise).sum(axis=1) / bits.sum(axis=1)[:, None]
    assert np.allclose(got, mean, rtol=1e-14, atol=0)
