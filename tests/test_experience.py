import numpy as np

from sim.config import ExpectationConfig
from sim.engine.experience import Encounters, ExpectationSources, delta_law, update_expectations
from tests.helpers import consumers_with_expectation, run_model, small_config


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
    n = consumers.n
    empty = np.empty((0, 6))
    everyone = np.arange(n)
    return ExpectationSources(
        baseline=consumers.expectation.copy(),
        competitors=consumers.expectation.copy(),
        encounters=Encounters(
            visitors=everyone if experience is not None else np.empty(0, int),
            experience=np.full((n, 6), experience) if experience is not None else empty,
            satisfaction=np.zeros(n),
            failure=np.zeros(n, bool),
        ),
        advertised=everyone if promise is not None else np.empty(0, int),
        promise=np.full((n, 6), promise) if promise is not None else empty,
        heard=np.empty(0, int),
        word_of_mouth=empty,
    )


def test_expectations_move_toward_experience():
    rng = np.random.default_rng(0)
    config = ExpectationConfig(noise=0.0)
    for delivered in (8.0, 3.0):
        consumers = consumers_with_expectation(100, 5.0)
        update_expectations(consumers, _sources(consumers, experience=delivered), config, rng)
        moved = consumers.expectation - 5.0
        assert np.all(np.sign(moved) == np.sign(delivered - 5.0))
        assert np.all(np.abs(moved) < abs(delivered - 5.0))


def test_advertising_raises_expectations_toward_the_promise():
    rng = np.random.default_rng(0)
    config = ExpectationConfig(noise=0.0)
    consumers = consumers_with_expectation(100, 5.0)
    update_expectations(consumers, _sources(consumers, promise=9.0), config, rng)
    assert np.all(consumers.expectation > 5.0)


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
