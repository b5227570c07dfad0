"""The strategy library: each strategy moves its own levers, from its rollout
step, and is costed; strategies combine."""

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.codes import Dimension
from sim.config import ConfigError, validate
from sim.engine.acquisition import Acquisitions, anchor_on_promise
from sim.interventions.strategies import STRATEGIES
from sim.model import LoyaltyModel
from tests.helpers import small_config

ROLLOUT = 6
STEPS = 12

# What each strategy must change, beyond which the model must be untouched:
# levers (model.levers against the levers before rollout), fields of the firms'
# table, and whether its outlay is the `strategy` cost line (else an existing line).
LEVERS = {
    "staff_training": ({"staff.training"}, set(), False),
    "employee_engagement": (
        {"staff.pay", "staff.recognition", "staff.empowerment"},
        set(),
        False,
    ),
    "easy_complaints": ({"complaints.ease"}, set(), False),
    "service_recovery": ({"complaints.recovery_quality", "complaints.one_stop"}, set(), False),
    "proactive_follow_up": ({"complaints.follow_up"}, set(), False),
    "loyalty_program": (set(), set(), True),
    "key_experience": (set(), {"focal_segment_bonus"}, True),
    "advertising_push": (set(), {"advertising_reach", "promise"}, False),
    "price_cut": (set(), {"price"}, False),
    "referral_program": ({"referral_conversion"}, set(), True),
    "surprise_and_delight": (set(), set(), True),
    "focus_best_customers": (set(), {"focal_segment_bonus"}, True),
    "onboarding": (set(), set(), True),
}


def _changed_levers(model: LoyaltyModel) -> set[str]:
    now = pd.json_normalize(dataclasses.asdict(model.levers)).iloc[0].to_dict()
    before = pd.json_normalize(dataclasses.asdict(model.levers_before)).iloc[0].to_dict()
    return {k for k in now if now[k] != before[k]}


def _changed_market(model: LoyaltyModel, other: LoyaltyModel) -> set[str]:
    fields = ("price", "advertising_reach", "promise", "offering", "focal_segment_bonus")
    return {
        f for f in fields if not np.array_equal(getattr(model.market, f), getattr(other.market, f))
    }


def _run(*names: str, steps: int = STEPS, **options) -> LoyaltyModel:
    config = small_config(n=1500, seed=4, steps=steps)
    config.strategy.rollout_step = ROLLOUT
    for name in names:
        strategy = getattr(config.strategy, name)
        strategy.enabled = True
        for key, value in options.items():
            setattr(strategy, key, value)
    model = LoyaltyModel(config)
    model.run_for(steps)
    return model


@pytest.fixture(scope="module")
def baseline():
    return _run()


def test_the_library_is_complete():
    assert set(STRATEGIES) == set(LEVERS)


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_each_strategy_moves_its_levers_from_its_rollout_step(name, baseline):
    model = _run(name)
    levers, market_fields, own_outlay = LEVERS[name]
    ts = model.datacollector.get_model_vars_dataframe()
    base = baseline.datacollector.get_model_vars_dataframe()

    # nothing differs before rollout: same seed, same world
    pd.testing.assert_frame_equal(ts.iloc[:ROLLOUT], base.iloc[:ROLLOUT])
    # its levers, and only its levers, changed
    assert _changed_levers(model) == levers
    assert _changed_market(model, baseline) == market_fields
    # it is costed from rollout on, where its cost belongs
    after = ts.iloc[ROLLOUT:]
    assert (ts.strategy_investment.iloc[:ROLLOUT] == 0).all()
    assert after.strategy_investment.sum() > 0
    assert (after.cost_strategy.sum() > 0) == own_outlay


@pytest.mark.parametrize("scenario", ["labour_shortage", "rising_expectations", "downturn"])
def test_strategies_and_scenarios_leave_the_config_as_the_user_gave_it(scenario):
    config = small_config(n=800, seed=2, steps=10)
    config.strategy.rollout_step = config.scenario.start_step = 3
    for name in LEVERS:
        getattr(config.strategy, name).enabled = True
    config.scenario.name = scenario
    given = copy.deepcopy(config)
    model = LoyaltyModel(config)
    model.run_for(10)
    assert model.config == given and config == given
    assert model.levers != model.levers_before  # the levers moved instead


def test_loyalty_program_enrols_only_its_target_segment():
    model = _run("loyalty_program", target_segment="value_seekers")
    c = model.consumers
    members = c.member & (c.provider == 0)
    assert members.any()
    assert (c.segment[members] == model.segments.names.index("value_seekers")).all()


def test_focus_best_customers_serves_the_most_valuable_segment_better():
    model = _run("focus_best_customers")
    weekly = model.segments.spend_per_visit * model.segments.visit_probability
    bonus = model.market.focal_segment_bonus
    best = int(np.argmax(weekly))
    assert bonus[best, Dimension.service] == 1.0 and bonus[best, Dimension.relationship] == 1.0
    assert np.delete(bonus, best, axis=0).sum() == 0


def test_key_experience_spends_the_same_points_evenly_when_told():
    key = _run("key_experience")
    even = _run("key_experience", allocation="even")
    assert key.market.focal_segment_bonus[0].max() == 1.0
    assert np.allclose(even.market.focal_segment_bonus, 1.0 / 6)
    assert key.market.focal_segment_bonus.sum() == pytest.approx(
        even.market.focal_segment_bonus.sum()
    )


def test_price_cut_investment_is_the_revenue_given_up():
    model = _run("price_cut", price=0.8)
    ts = model.datacollector.get_model_vars_dataframe().iloc[ROLLOUT:]
    # revenue = volume x price, so the revenue given up is revenue x (1 - p) / p
    assert ts.strategy_investment.to_numpy() == pytest.approx(ts.revenue.to_numpy() * 0.2 / 0.8)


def test_a_strategy_starts_at_its_own_rollout_step():
    model = _run("price_cut", rollout_step=9)
    ts = model.datacollector.get_model_vars_dataframe()
    assert (ts.strategy_investment.iloc[:9] == 0).all() and ts.strategy_investment.iloc[9] > 0


def test_combined_strategies_apply_both(baseline):
    model = _run("staff_training", "price_cut")
    assert _changed_levers(model) == {"staff.training"}
    assert _changed_market(model, baseline) == {"price"}
    assert model.config.strategy.name == "staff_training+price_cut"
    alone = _run("price_cut").datacollector.get_model_vars_dataframe()
    both = model.datacollector.get_model_vars_dataframe()
    assert (
        both.strategy_investment.iloc[ROLLOUT:].sum()
        > alone.strategy_investment.iloc[ROLLOUT:].sum()
    )


def test_firm_wide_strategies_refuse_a_target_segment():
    config = small_config()
    config.strategy.price_cut.enabled = True
    config.strategy.price_cut.target_segment = "value_seekers"
    with pytest.raises(ConfigError, match=r"strategy\.price_cut\.target_segment"):
        validate(config)


def test_an_unknown_target_segment_is_refused():
    config = small_config()
    config.strategy.loyalty_program.enabled = True
    config.strategy.loyalty_program.target_segment = "vip"
    config.strategy.rollout_step = 10
    with pytest.raises(ConfigError, match="null or one of value_seekers"):
        validate(config)


def test_overpromising_raises_new_customers_expectations_honest_ads_do_not():
    model = LoyaltyModel(small_config(n=200))
    c = model.consumers
    who = np.array([0, 1, 2])
    before = c.expectation[who].copy()
    won = Acquisitions(who, np.array([0, 0, 0], dtype=np.int16), np.array([0, 0, 1]))
    overpromise = np.zeros((model.market.n_firms, 6))
    anchor_on_promise(c, won, overpromise, 0.5)
    assert np.array_equal(c.expectation[who], before)  # honest: nothing added
    overpromise[0] = 2.0
    anchor_on_promise(c, won, overpromise, 0.5)
    raised = np.minimum(before + 1.0, 10.0)
    assert np.allclose(c.expectation[who[:2]], raised[:2])  # won by the ad
    assert np.array_equal(c.expectation[2], before[2])  # won by referral: unchanged


def test_advertising_push_wins_more_the_more_it_promises():
    honest = _run("advertising_push", promise_premium=0.0, steps=30)
    bold = _run("advertising_push", promise_premium=3.0, steps=30)
    won = {
        name: m.datacollector.get_model_vars_dataframe().acquired_advertising.iloc[ROLLOUT:].sum()
        for name, m in (("honest", honest), ("bold", bold))
    }
    assert won["bold"] > won["honest"]
