import numpy as np
import pytest

from sim.config import ExpectationConfig, ExperienceConfig, PopulationConfig, SegmentConfig
from sim.engine.experience import (
    ExpectationSources,
    FocalService,
    delta_law,
    serve_encounters,
    update_expectations,
)
from sim.engine.firms import Exposure
from sim.engine.population import Segments
from sim.engine.word_of_mouth import Told
from tests.helpers import consumers_with_expectation, run_model, small_config

KEY = np.uint64(0x5EED)


def test_loss_aversion_negative_gap_weighs_about_twice_a_positive_one():
    importance = np.full((1, 6), 1 / 6)
    expectation = np.full((1, 6), 6.0)
    gain, _ = delta_law(expectation + 1.0, expectation, importance, loss_aversion=2.0)
    loss, shortfall = delta_law(expectation - 1.0, expectation, importance, loss_aversion=2.0)
    assert gain[0] > 0 > loss[0]
    assert abs(loss[0]) / gain[0] == np.float64(2.0)
    assert np.allclose(shortfall.sum(), abs(loss[0]))


def test_satisfaction_weighs_gaps_by_importance():
    expectation = np.full((1, 6), 5.0)
    experience = expectation.copy()
    experience[0, 4] -= 2.0  # convenience short by 2
    heavy = np.array([[0.1, 0.1, 0.1, 0.1, 0.5, 0.1]])
    light = np.array([[0.18, 0.18, 0.18, 0.18, 0.1, 0.18]])
    assert (
        delta_law(experience, expectation, heavy, 2.0)[0]
        < delta_law(experience, expectation, light, 2.0)[0]
    )


def _sources(consumers, experience=None, promise=None):
    """Sources that anchor at the consumers' own expectation, and optionally an
    encounter delivering `experience` and an ad (of firm 0) promising `promise`."""
    n = consumers.n
    table = consumers.expectation[:1].astype(float)  # everyone expects the same
    consumers.last_experience[:] = experience if experience is not None else 0.0
    reached = np.full(n, 1 if promise is not None else 0, dtype=np.uint64)
    return ExpectationSources(
        baseline=table,
        competitors=np.repeat(table, 2, axis=0),
        visited=np.full(n, experience is not None),
        advertising=Exposure(reached, np.array([n])),
        promise=np.full((1, 6), promise if promise is not None else 0.0),
        word_of_mouth=Told(np.full(n, -1, dtype=np.int32), np.empty((0, 6), np.float32)),
    )


def test_expectations_move_toward_experience():
    config = ExpectationConfig(noise=0.0)
    for delivered in (8.0, 3.0):
        consumers = consumers_with_expectation(100, 5.0)
        update_expectations(consumers, _sources(consumers, experience=delivered), config, KEY)
        moved = consumers.expectation - 5.0
        assert np.all(np.sign(moved) == np.sign(delivered - 5.0))
        assert np.all(np.abs(moved) < abs(delivered - 5.0))


def test_advertising_raises_expectations_toward_the_promise():
    config = ExpectationConfig(noise=0.0)
    consumers = consumers_with_expectation(100, 5.0)
    update_expectations(consumers, _sources(consumers, promise=9.0), config, KEY)
    assert np.all(consumers.expectation > 5.0)


def test_the_expectation_shock_has_the_configured_spread():
    config = ExpectationConfig(noise=0.2, adjustment_rate=0.0)
    consumers = consumers_with_expectation(20_000, 5.0)
    update_expectations(consumers, _sources(consumers), config, KEY)
    shock = consumers.expectation - 5.0
    assert abs(shock.mean()) < 0.005 and shock.std() == pytest.approx(0.2, rel=0.02)


def test_advertising_reaches_each_consumer_with_its_reach_independently_per_firm():
    reach = np.array([0.02, 0.3, 0.0, 1.0])
    exposure = Exposure.draw(200_000, reach, KEY)
    assert exposure.reached.dtype == np.uint8  # a bit per firm, in the narrowest integer
    seen = ((exposure.reached[:, None] >> np.arange(4, dtype=np.uint8)) & 1).astype(bool)
    assert np.allclose(seen.mean(axis=0), reach, atol=0.003)
    assert np.array_equal(seen.sum(axis=0), exposure.count)
    both = (seen[:, 0] & seen[:, 1]).mean()
    assert both == pytest.approx(0.02 * 0.3, rel=0.1)


def test_more_advertising_promise_raises_market_expectations_in_a_run():
    honest = small_config(steps=20)
    overpromise = small_config(steps=20)
    for c in (honest, overpromise):
        c.firm.advertising_reach = 0.3
    overpromise.firm.promise_premium = 3.0
    e_honest = run_model(honest).kpis["mean_expectation"]
    e_over = run_model(overpromise).kpis["mean_expectation"]
    assert e_over > e_honest + 0.1


def test_expectation_drift_raises_expectations_and_lowers_satisfaction():
    stable, rising = small_config(steps=40), small_config(steps=40)
    rising.expectation.drift = 0.05
    a, b = run_model(stable).kpis, run_model(rising).kpis
    assert b["mean_expectation"] > a["mean_expectation"] + 0.3
    assert b["mean_satisfaction"] < a["mean_satisfaction"]


def _visit(consumers, level: float, config: ExperienceConfig, key: int) -> None:
    """Every consumer visits their provider (firm 0), which delivers `level` on
    every dimension, with no noise and no failures."""
    segments = Segments.from_config(PopulationConfig(segments=[SegmentConfig()]))
    serve_encounters(
        consumers,
        np.arange(consumers.n),
        np.full((1, 1, 6), level),
        np.zeros(1),
        FocalService(*(np.empty(0, dtype) for dtype in (np.int64, float, float, float))),
        segments,
        config,
        np.uint64(key),
    )


def test_loyalty_is_a_stock_that_good_visits_fill_and_bad_ones_drain_in_proportion():
    """loyalty += rate * attitude * (1 - loyalty) after a visit with a positive
    attitude, += rate * attitude * loyalty after one with a negative attitude
    (docs/ODD.md 7.2): it builds over a relationship, and a bad spell takes the
    same share from a customer who built much as from one who built little."""
    config = ExperienceConfig(noise=0.0)
    rate = config.loyalty_learning_rate
    consumers = consumers_with_expectation(2, 5.0)
    consumers.expectation[:] = 5.0
    path = []
    for week in range(60):
        before = consumers.loyalty.astype(float)
        _visit(consumers, 6.5, config, week)
        a = consumers.attitude.astype(float)
        assert np.all(a > 0)
        assert np.allclose(consumers.loyalty, before + rate * a * (1 - before), atol=1e-6)
        path.append(float(consumers.loyalty[0]))
    assert np.all(np.diff(path) > 0) and 0.5 < path[-1] < 1.0  # it grows with tenure
    week = 60
    while consumers.attitude[0] >= 0:  # the bad spell begins: attitude turns
        _visit(consumers, 3.5, config, week)
        week += 1
    consumers.loyalty[1] = consumers.loyalty[0] / 3  # the other built a third as much
    built = consumers.loyalty.astype(float)
    for later in range(week, week + 10):
        before = consumers.loyalty.astype(float)
        _visit(consumers, 3.5, config, later)
        a = consumers.attitude.astype(float)
        assert np.all(a < 0)
        assert np.allclose(consumers.loyalty, before + rate * a * before, atol=1e-6)
    kept = consumers.loyalty / built
    assert kept[0] < 0.9 and kept[0] == pytest.approx(kept[1], rel=1e-4)
