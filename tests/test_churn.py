"""The exit hazard (docs/ODD.md 7.6): loyalty, attitude, tenure and switching
costs protect; a negative experience left unresolved is a trigger; leavers
give a reason and go to a rival by fit, or out."""

import numpy as np

from sim.codes import PROSPECT, Reason
from sim.config import ChurnConfig
from sim.engine.churn import (
    Pressures,
    Pull,
    Standing,
    Trigger,
    _destination,
    _exits,
    _weights,
    churn_hazard,
    depart,
    log_tenure_table,
)
from sim.engine.draws import uniforms_at
from tests.helpers import consumers_with_expectation

SILENT = ChurnConfig().negative_experience_weight


def _hazard(
    attitude=0.0, loyalty=0.0, tenure=1.0, pull=0.0, warnings=0, member=False, trigger=0.0, **config
):
    standing = Standing(
        *(np.array([v]) for v in (attitude, loyalty, tenure, pull, warnings, member, trigger))
    )
    return churn_hazard(standing, ChurnConfig(**config))[0]


def test_hazard_falls_with_attitude_loyalty_tenure_membership_and_switching_costs():
    assert _hazard(attitude=-0.8) > _hazard(attitude=0.0) > _hazard(attitude=0.8)
    assert _hazard(loyalty=0.0) > _hazard(loyalty=0.5) > _hazard(loyalty=1.0)
    assert _hazard(tenure=0.0) > _hazard(tenure=5.0)
    assert _hazard(member=True) < _hazard() and _hazard(switching_cost=1.0) < _hazard()


def test_hazard_rises_with_competitor_pull_and_warnings_heard():
    assert _hazard(pull=1.0) > _hazard(pull=0.0)
    assert _hazard(warnings=5) > _hazard(warnings=0)


def test_loyal_long_standing_customers_survive_a_bad_experience_new_ones_leave():
    new = _hazard(attitude=0.1, loyalty=0.0, tenure=0.0, trigger=SILENT)
    loyal = _hazard(attitude=0.5, loyalty=0.8, tenure=3.0, trigger=SILENT)
    usual = _hazard(attitude=0.4, loyalty=0.35, tenure=1.0, trigger=SILENT)
    assert new > usual > loyal
    assert new > 0.5 and loyal < 0.2 and new > 4 * loyal
    assert usual > 20 * _hazard(attitude=0.4, loyalty=0.35, tenure=1.0)  # the trigger matters


def test_involuntary_churn_is_a_floor():
    h = _hazard(attitude=1.0, loyalty=1.0, tenure=20.0)
    assert ChurnConfig().involuntary_probability <= h < 2 * ChurnConfig().involuntary_probability


def test_triggers_give_their_reason_and_an_infinite_one_means_leaving_for_sure():
    n = 3000
    consumers = consumers_with_expectation(n, 5.0)
    consumers.attitude[:] = 0.5
    zero = np.zeros(n)
    pressures = Pressures(
        Pull(np.zeros((1, 1)), np.zeros((1, 1)), zero, zero),
        zero,
        [
            Trigger(np.arange(0, 1000), 8.0, Reason.complaint_response),
            Trigger(np.arange(1000, 1100), np.inf, Reason.employee_departure),
        ],
    )
    out = depart(
        consumers,
        np.array([[5.0]]),
        pressures,
        ChurnConfig(),
        52,
        np.uint64(0),
        np.random.default_rng(0),
    )
    reasons = dict(zip(out.leavers, out.reason, strict=True))
    assert all(reasons[i] == Reason.employee_departure for i in range(1000, 1100))
    triggered = [i for i in out.leavers if i < 1000]
    assert len(triggered) > 50 and all(reasons[i] == Reason.complaint_response for i in triggered)
    others = [i for i in out.leavers if i >= 1100]
    assert len(others) < len(triggered) / 5


def _destinations(utility: list[float], leavers: int) -> np.ndarray:
    """Where focal-firm leavers of one segment go, none leaving the market."""
    return _destination(
        np.zeros(leavers, np.int8),
        np.zeros(leavers, np.int16),
        np.array([utility]),
        ChurnConfig(exit_share=0.0),
        np.random.default_rng(0),
    )


def test_without_rivals_leavers_leave_the_market():
    dest = _destinations([5.0], 50)  # only the focal firm
    assert np.all(dest == PROSPECT)


def test_leavers_go_to_the_more_attractive_rival():
    dest = _destinations([5.0, 7.0, 4.0], 4000)
    assert not np.any(dest == 0)
    assert (dest == 1).mean() > (dest == 2).mean() > 0


def test_the_tenure_table_is_the_logarithm_it_replaces():
    weeks = np.arange(4096)
    assert np.allclose(log_tenure_table(52), np.log1p(weeks / 52), rtol=1e-15, atol=0)


def test_the_exit_draws_skip_the_exponential_only_for_those_sure_to_stay():
    """`_exits` decides most customers without their hazard's exponential: it
    must leave exactly those whom the full hazard (`churn_hazard`) and the
    same draw would have kept, whatever they heard or how long they stayed."""
    rng, n, steps_per_year = np.random.default_rng(11), 200_000, 52
    provider = rng.integers(-1, 3, n).astype(np.int16)
    segment = rng.integers(0, 2, n).astype(np.int8)
    attitude = rng.uniform(-1, 1, n).astype(np.float32)
    loyalty = rng.uniform(0, 1, n).astype(np.float32)
    tenure = rng.integers(0, 5000, n).astype(np.int32)  # some beyond the table
    member = rng.random(n) < 0.2
    warnings = (rng.random(n) < 0.05) * rng.integers(1, 4, n)
    praise = ((rng.random(n) < 0.05) * rng.integers(1, 4, n)).astype(np.int32)
    offers = ((rng.random(n) < 0.05) * 0.5).astype(np.float32)
    trigger = rng.choice([0.0, 2.0, np.inf], n, p=[0.93, 0.05, 0.02]).astype(np.float32)
    advantage = rng.uniform(0, 2, (2, 3))
    # logits around the shortcut's bound, and what was heard weighing much
    config = ChurnConfig(base_logit=-2.0, negative_word_of_mouth_weight=3.0)
    key = np.uint64(5)
    leaving = np.empty(n, dtype=np.bool_)
    _exits(
        provider, segment, attitude, loyalty, tenure, member, warnings, advantage, praise,
        offers, trigger, _weights(config), log_tenure_table(steps_per_year),
        1.0 / steps_per_year, key, leaving,
    )  # fmt: skip
    pull = advantage[segment, np.maximum(provider, 0)] + offers + np.log1p(praise)
    standing = Standing(attitude, loyalty, tenure / steps_per_year, pull, warnings, member, trigger)
    hazard = churn_hazard(standing, config)
    expected = (provider != PROSPECT) & (uniforms_at(key, np.arange(n)) < hazard)
    assert np.array_equal(leaving, expected)
    assert 0.01 < expected.mean() < 0.5  # both ways, often
