import numpy as np
import pytest

from experiments.complaint_funnel import NEGATIVE_SHARE, REVENUE, seed_001_firm, simulate
from sim.codes import Outcome
from sim.config import ChurnConfig, ComplaintsConfig
from sim.engine.complaints import (
    Cases,
    Handlers,
    closed_form_funnel,
    handle,
    handling_costs,
    resolve,
    silent_loss_probability,
    voice_probability,
)
from sim.engine.levers import ComplaintLevers
from tests.helpers import consumers_with_expectation, run_model, small_config


def _mean_voice(**levers) -> float:
    severity = np.random.default_rng(0).exponential(1.0, 10_000)
    config = ComplaintsConfig(**levers)
    return voice_probability(
        severity, np.ones(10_000), ComplaintLevers.from_config(config), config
    ).mean()


def test_about_two_percent_of_negative_experiences_are_voiced_by_default():
    assert _mean_voice() == pytest.approx(0.02, rel=0.05)  # the CX-methods article


def test_easier_complaining_raises_the_voiced_share():
    assert _mean_voice(ease=5.0) == pytest.approx(5 * _mean_voice(), rel=0.05)


def test_worse_experiences_are_voiced_more():
    config = ComplaintsConfig()
    levers = ComplaintLevers.from_config(config)
    p = voice_probability(np.array([0.5, 1.0, 2.0]), np.ones(3), levers, config)
    assert p[0] < p[1] < p[2]


def test_rewarding_fewer_complaints_lowers_the_voiced_share():
    assert _mean_voice(count_incentive=1.0) == pytest.approx(0.2 * _mean_voice(), rel=0.05)


def test_default_outcomes_reproduce_seed_001_and_better_recovery_recovers_more():
    rng = np.random.default_rng(0)
    outcome = resolve(np.full(100_000, 0.38), ComplaintsConfig(), rng)
    shares = np.bincount(outcome, minlength=3) / len(outcome)
    assert shares == pytest.approx([0.38, 0.34, 0.28], abs=0.01)  # recovered, at risk, lost
    better = resolve(np.full(100_000, 0.7), ComplaintsConfig(), rng)
    assert (better == Outcome.recovered).mean() > 0.68 and (better == Outcome.lost).mean() < 0.15


def test_silent_defection_is_45_percent_with_no_rival_pull_and_rises_with_it():
    p = silent_loss_probability(
        np.array([0.0, 1.0]), np.array([False, False]), ComplaintsConfig(), ChurnConfig()
    )
    assert p[0] == pytest.approx(0.45) and p[1] > p[0]


def test_closed_form_matches_seed_001():
    lost = closed_form_funnel(REVENUE, NEGATIVE_SHARE, 0.02, 0.0, ComplaintsConfig())
    assert lost["complainer_loss"] == pytest.approx(61_600)
    assert lost["silent_loss"] == pytest.approx(4_851_000)


def _levers(**changes):
    totals = []
    for seed in (0, 1):
        config = small_config(n=4000, steps=52, seed=seed)
        for key, value in changes.items():
            setattr(config.complaints, key, value)
        totals.append(run_model(config).datacollector.get_model_vars_dataframe().sum())
    return sum(totals)


@pytest.fixture(scope="module")
def default_levers():
    return _levers()


def test_in_the_model_easier_complaining_raises_complaints_and_lowers_silent_losses(default_levers):
    easy = _levers(ease=10.0)
    assert easy.complaints > 4 * default_levers.complaints
    assert easy.silent_losses < default_levers.silent_losses


def test_in_the_model_better_recovery_raises_the_recovered_share(default_levers):
    better = _levers(ease=10.0, recovery_quality=0.8)
    easy = _levers(ease=10.0)
    assert better.recovered / better.complaints > easy.recovered / easy.complaints + 0.2


def test_in_the_model_follow_up_lowers_silent_losses(default_levers):
    followed = _levers(follow_up=0.5)
    assert followed.followed_up > 0
    assert followed.silent_losses < 0.7 * default_levers.silent_losses


def test_the_count_incentive_hides_complaints_not_dissatisfaction(default_levers):
    satisfaction = np.random.default_rng(0).normal(-1.0, 1.5, 200_000)
    counts = {}
    for incentive in (0.0, 1.0):
        config = ComplaintsConfig(count_incentive=incentive)
        handling = _handle(200_000, np.inf, satisfaction=satisfaction, config=config)
        counts[incentive] = (len(handling.dissatisfied), len(handling.complained))
    assert counts[1.0][0] == counts[0.0][0]  # the same dissatisfaction
    assert counts[1.0][1] < 0.3 * counts[0.0][1]  # a fifth of it voiced
    hidden = _levers(count_incentive=1.0)  # in the model, over a year
    assert hidden.complaints < 0.5 * default_levers.complaints


def test_the_simulated_funnel_converges_to_the_closed_form_as_population_grows():
    closed = closed_form_funnel(REVENUE, NEGATIVE_SHARE, 0.02, 0.0, ComplaintsConfig())

    def error(n: int, seeds) -> float:
        runs = [simulate(seed_001_firm(n, seed)) for seed in seeds]
        return np.mean([abs(r["silent_loss"] / closed["silent_loss"] - 1) for r in runs])

    small, large = error(500, range(6)), error(40_000, range(2))
    assert large < 0.03
    assert large < small


def _handle(n: int, capacity: float, satisfaction=None, config=None):
    """The complaint mechanism on n visits (by default all negative, all voiced)."""
    if satisfaction is None:
        satisfaction = np.random.default_rng(0).normal(-3.0, 0.5, n)
    config = config or ComplaintsConfig(ease=50.0)
    return handle(
        consumers_with_expectation(n, 5.0),
        Cases(np.arange(n), satisfaction, np.ones(n), np.zeros(n), np.zeros(n, dtype=bool)),
        Handlers(np.full(n, 0.85), empowerment=0.3, reference_skill=0.85, capacity=capacity),
        1,
        ComplaintLevers.from_config(config),
        config,
        ChurnConfig(),
        np.random.default_rng(1),
    )


def test_complaints_beyond_the_staffs_capacity_are_recovered_less():
    on_time, late = _handle(20_000, capacity=np.inf), _handle(20_000, capacity=0)
    recovered = [(h.outcome == Outcome.recovered).mean() for h in (on_time, late)]
    assert recovered[0] == pytest.approx(0.38, abs=0.02)
    assert recovered[1] == pytest.approx(0.19, abs=0.02)  # late: half the quality


@pytest.mark.parametrize(
    "lever",
    [
        {"recovery_quality": 0.6},
        {"one_stop": True},
        {"ease": 3.0},
        {"cases_per_employee": 0.6},
        {"follow_up": 0.3},
    ],
)
def test_every_complaint_lever_has_a_cost(lever):
    config = ComplaintsConfig()
    handling = _handle(1_000, capacity=np.inf)
    base = handling_costs(handling, 50, ComplaintLevers.from_config(config), config)
    if "follow_up" in lever:  # its cost is the contacts it makes
        handling.contacts = 300
    pulled = ComplaintLevers.from_config(ComplaintsConfig(**lever))
    assert handling_costs(handling, 50, pulled, config) > base
