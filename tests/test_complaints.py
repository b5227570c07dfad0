"""Negative experiences, voice and recovery (docs/ODD.md 7.3b): each share of
the CX-methods article's funnel comes out of a mechanism, none is typed in."""

import numpy as np
import pytest

from sim.codes import Episode, Outcome
from sim.config import ComplaintsConfig
from sim.engine.complaints import (
    ARTICLE_FUNNEL,
    Cases,
    Handlers,
    closed_form_funnel,
    handle,
    handling_costs,
    recovery_probability,
    voice_probability,
)
from sim.engine.levers import ComplaintLevers
from tests.helpers import consumers_with_expectation, run_model, small_config


def _voice(n=20_000, severity=1.0, loyalty=0.0, shape=0.3, **levers) -> np.ndarray:
    """Chance of voice of n negative experiences by customers of Gamma(shape) propensity."""
    config = ComplaintsConfig(propensity_shape=shape, **levers)
    propensity = np.random.default_rng(0).gamma(shape, 1 / shape, n)
    return voice_probability(
        np.full(n, severity),
        propensity,
        np.full(n, loyalty),
        ComplaintLevers.from_config(config),
        config,
    )


def test_worse_experiences_and_loyal_customers_are_voiced_more():
    assert _voice(severity=2.0).mean() > _voice(severity=1.0).mean()
    assert _voice(loyalty=0.8).mean() > _voice(loyalty=0.0).mean()  # voice rather than exit


def test_easier_complaining_raises_voice_less_than_in_proportion():
    base, easy = _voice().mean(), _voice(ease=5.0).mean()
    assert 1.5 * base < easy < 5.0 * base  # the ready complain already; most never do


def test_rewarding_fewer_complaints_suppresses_voice():
    assert _voice(count_incentive=1.0).mean() < 0.3 * _voice().mean()


def _recovery(**changes) -> float:
    defaults = {"skill": 0.85, "loyalty": 0.3, "severity": 0.5, "late": False, "empowerment": 0.3}
    case = {**defaults, **{k: v for k, v in changes.items() if k in defaults}}
    config = ComplaintsConfig(**{k: v for k, v in changes.items() if k not in defaults})
    handlers = Handlers(np.array([case["skill"]]), case["empowerment"], 0.85, np.inf)
    return recovery_probability(
        np.array([case["skill"]]),
        np.array([case["loyalty"]]),
        np.array([case["severity"]]),
        np.array([case["late"]]),
        handlers,
        ComplaintLevers.from_config(config),
        config,
    )[0]


def test_recovery_follows_handling_and_the_customers_state():
    base = _recovery()
    assert _recovery(skill=1.0) > base > _recovery(skill=0.4)
    assert _recovery(empowerment=0.8) > base
    assert _recovery(one_stop=True) > base
    assert _recovery(loyalty=0.9) > base > _recovery(severity=3.0)
    assert _recovery(late=True) == pytest.approx(0.5 * base)


def _handle(satisfaction: np.ndarray, capacity: float = np.inf, clock: int = 100, **changes):
    n = len(satisfaction)
    config = ComplaintsConfig(**{"voice_rate": 2.0, **changes})
    consumers = consumers_with_expectation(n, 5.0)
    handling = handle(
        consumers,
        Cases(np.arange(n), satisfaction, np.ones(n)),
        Handlers(np.full(n, 0.85), empowerment=0.3, reference_skill=0.85, capacity=capacity),
        clock,
        ComplaintLevers.from_config(config),
        config,
        np.random.default_rng(1),
    )
    return consumers, handling


def test_only_visits_far_below_expectation_are_negative_experiences():
    consumers, handling = _handle(np.array([-3.0, -1.5, -0.5, 0.4]))
    assert set(handling.dissatisfied) == {0, 1}  # below negative_experience_threshold (-1)
    assert consumers.last_negative[0] == 100 and consumers.last_negative[2] < 0


def test_a_first_negative_experience_in_a_year_opens_an_episode_a_repeat_does_not():
    consumers, handling = _handle(np.full(1000, -3.0))
    assert handling.episodes.sum() == 1000
    assert set(np.unique(consumers.episode)) <= {
        Episode.silent,
        Episode.recovered,
        Episode.unresolved,
    }
    outcomes = handling.episodes
    heard = outcomes[Episode.recovered] + outcomes[Episode.unresolved]
    assert heard == len(handling.handled)
    # the same customers, 10 weeks later: negative again, but within the year
    again = handle(
        consumers,
        Cases(np.arange(1000), np.full(1000, -3.0), np.ones(1000)),
        Handlers(np.full(1000, 0.85), 0.3, 0.85, np.inf),
        110,
        ComplaintLevers.from_config(ComplaintsConfig()),
        ComplaintsConfig(),
        np.random.default_rng(2),
    )
    assert len(again.dissatisfied) == 1000 and again.episodes.sum() == 0


def test_losses_are_counted_within_a_year_of_the_episode_by_how_it_began():
    consumers, handling = _handle(np.full(600, -3.0), clock=100)
    leavers = np.arange(300)
    handling.settle(consumers, leavers, clock=120)
    kinds = consumers.episode[leavers]
    assert handling.losses[Episode.silent] == (kinds == Episode.silent).sum()
    assert handling.losses[Episode.unresolved] == (kinds == Episode.unresolved).sum()
    handling.settle(consumers, leavers, clock=100 + 52)  # a year on: no longer the episode's
    assert handling.losses.sum() == 0


def test_complaints_beyond_the_staffs_capacity_are_recovered_less():
    satisfaction = np.full(20_000, -2.0)
    on_time = _handle(satisfaction, capacity=np.inf)[1]
    late = _handle(satisfaction, capacity=0)[1]
    recovered = [(h.outcome == Outcome.recovered).mean() for h in (on_time, late)]
    assert recovered[1] == pytest.approx(0.5 * recovered[0], rel=0.1)


def test_recovered_customers_feel_better_unresolved_ones_worse():
    consumers, handling = _handle(np.full(2000, -2.0))
    won_back = handling.with_outcome(Outcome.recovered)
    unhappy = handling.with_outcome(Outcome.unresolved)
    assert len(won_back) and len(unhappy)
    assert consumers.attitude[won_back].min() > 0 > consumers.attitude[unhappy].max()


def test_the_closed_form_matches_the_articles_arithmetic():
    lost = closed_form_funnel(50_000_000, ARTICLE_FUNNEL)
    assert lost["complainer_loss"] == pytest.approx(61_600)
    assert lost["silent_loss"] == pytest.approx(4_851_000)


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
    handling = _handle(np.full(1_000, -2.0))[1]
    base = handling_costs(handling, 50, ComplaintLevers.from_config(config), config)
    pulled = ComplaintLevers.from_config(ComplaintsConfig(**lever))
    assert handling_costs(handling, 50, pulled, config) > base


def _totals(**changes):
    totals = []
    for seed in (0, 1):
        config = small_config(n=12000, steps=52, seed=seed)
        config.burn_in = 26
        for key, value in changes.items():
            setattr(config.complaints, key, value)
        totals.append(run_model(config).datacollector.get_model_vars_dataframe().sum())
    return sum(totals)


@pytest.fixture(scope="module")
def as_usual():
    return _totals()


def test_in_the_model_easier_complaining_is_heard_more_and_loses_fewer_in_silence(as_usual):
    easy = _totals(ease=10.0)
    assert easy.complaints > 3 * as_usual.complaints
    assert easy.silent_dissatisfied < as_usual.silent_dissatisfied


def test_in_the_model_follow_up_finds_the_silent(as_usual):
    followed = _totals(follow_up=0.5)
    assert followed.followed_up > 0
    assert followed.silent_dissatisfied < 0.8 * as_usual.silent_dissatisfied


def test_the_count_incentive_hides_complaints_not_dissatisfaction(as_usual):
    hidden = _totals(count_incentive=1.0)
    assert hidden.complaints < 0.5 * as_usual.complaints
    assert hidden.dissatisfied > 0.8 * as_usual.dissatisfied


@pytest.mark.parametrize("lever", [{"recovery_quality": 0.6}, {"ease": 5.0}])
def test_a_complaint_lever_costs_in_proportion_to_the_cases(lever):
    """Costs are rates on the work added: no cases, no cost; twice the cases, twice."""
    config = ComplaintsConfig()
    pulled = ComplaintLevers.from_config(ComplaintsConfig(**lever))
    usual = ComplaintLevers.from_config(config)
    extra = []
    for negative in (0, 1_000, 2_000):
        handling = _handle(np.full(negative, -2.0))[1] if negative else _handle(np.full(1, 5.0))[1]
        extra.append(
            handling_costs(handling, 50, pulled, config)
            - handling_costs(handling, 50, usual, config)
        )
    assert extra[0] == 0 and extra[1] > 0
    assert extra[2] == pytest.approx(2 * extra[1], rel=0.15)  # the voiced share varies by draw
