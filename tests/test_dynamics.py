"""Loyalty that drives churn (docs/ODD.md 7.3, 7.6): the statistics of a run
come out of its mechanisms; NPS is spread, not on a knife edge, and moves
with churn; a scandal does not make the ads more convincing."""

import dataclasses

import numpy as np
import pytest

from sim.codes import LOYALTY_STAGES, NPS_GROUPS, Dimension
from sim.config import Config, LoyaltyConfig, NpsConfig
from sim.engine.census import likelihood_to_recommend, take_census
from sim.engine.population import Consumers
from sim.interventions.scenarios import BrandScandal
from sim.model import LoyaltyModel
from sim.runs.simulation import replicate
from tests.helpers import consumers_with_expectation


def _config(n: int = 4000, steps: int = 104, seed: int = 0, **changes) -> Config:
    config = Config(seed=seed, steps=steps, burn_in=104)
    config.population.n = n
    for key, value in changes.items():
        node = config
        *path, leaf = key.split(".")
        for part in path:
            node = getattr(node, part)
        setattr(node, leaf, value)
    return config


@pytest.fixture(scope="module")
def defaults() -> list[dict]:
    return replicate(_config(n=8000, steps=156), 2)


def test_the_summary_reports_churn_by_nps_group_and_loyalty_stage_ordered(defaults):
    for summary in defaults:
        by_group = summary["rates"]["annual_churn_by_nps_group"]
        by_stage = summary["rates"]["annual_churn_by_loyalty_stage"]
        assert list(by_group) == list(NPS_GROUPS) and list(by_stage) == list(LOYALTY_STAGES)
        assert by_group["detractor"] > by_group["passive"] > by_group["promoter"]
        assert by_stage["none"] > by_stage["cognitive"] > by_stage["affective"]
        assert by_stage["affective"] > by_stage["word_of_mouth"]


def test_the_recommendation_answer_is_spread_not_on_a_knife_edge():
    consumers = consumers_with_expectation(20_000, 5.0)
    consumers.recommend_style[:] = np.random.default_rng(0).normal(0, 1.8, 20_000)
    consumers.attitude[:], consumers.loyalty[:] = 0.4, 0.35
    c = consumers
    answers = likelihood_to_recommend(c.attitude, c.loyalty, c.recommend_style, NpsConfig())
    counts = np.bincount(answers.astype(int), minlength=11) / len(answers)
    assert (counts > 0.05).sum() >= 5  # at one attitude, answers over at least five scores
    census = take_census(c, NpsConfig(), LoyaltyConfig(), 1, 0.0)
    groups = np.bincount(census.nps_group, minlength=3) / len(answers)
    assert (groups > 0.1).all()  # promoters, passives and detractors, none empty


def test_one_point_more_offering_moves_nps_by_single_digits_and_churn_with_it():
    seeds = (0, 1)
    base = replicate(_config(seed=0), len(seeds))
    better = replicate(_config(seed=0, **{"firm.offering.convenience": 6.0}), len(seeds))
    pairs = [(a["rates"], b["rates"]) for a, b in zip(base, better, strict=True)]
    nps = np.mean([b["mean_nps"] - a["mean_nps"] for a, b in pairs])
    churn = np.mean([b["annual_churn_rate"] - a["annual_churn_rate"] for a, b in pairs])
    assert 2.0 < nps < 15.0  # not tens of points
    assert churn < -0.005  # and churn falls as NPS rises


def test_loyalty_protects_setting_its_weight_to_zero_raises_the_churn_of_the_loyal():
    """Most churn is of new customers (loyalty stage none), whom loyalty does
    not yet protect; behaviourally loyal customers leave far more often
    without it."""

    def behavioural_churn(config: Config) -> float:
        runs = replicate(config, 2)
        return np.mean([r["rates"]["annual_churn_by_loyalty_stage"]["behavioural"] for r in runs])

    loyal = behavioural_churn(_config())
    weightless = behavioural_churn(_config(**{"churn.loyalty_weight": 0.0}))
    assert weightless > 1.3 * loyal


def test_no_negative_experience_trigger_means_far_less_churn():
    base = replicate(_config(), 1)[0]["rates"]["annual_churn_rate"]
    calm = replicate(_config(**{"churn.negative_experience_weight": 0.0}), 1)[0]
    assert calm["rates"]["annual_churn_rate"] < 0.6 * base
    assert calm["rates"]["silent_loss_share"] < 0.2


def test_a_scandal_lowers_what_the_ads_claim_with_the_brand():
    model = LoyaltyModel(_config(n=500, steps=1))
    market = model.market
    premium, claimed = market.promise_premium.copy(), market.promise[0, Dimension.brand]
    scandal = BrandScandal(model.config.scenario)
    scandal.start(model.world)
    assert market.offering[0, Dimension.brand] == pytest.approx(claimed - 3.0)
    assert market.promise[0, Dimension.brand] == pytest.approx(claimed - 3.0)
    assert np.array_equal(market.promise_premium, premium)  # no extra pull for the ads


def test_traits_are_drawn_once_and_stay():
    model = LoyaltyModel(_config(n=2000, steps=5))
    style = model.consumers.recommend_style.copy()
    propensity = model.consumers.complaint_propensity.copy()
    model.run_for(5)
    assert np.array_equal(style, model.consumers.recommend_style)
    assert np.array_equal(propensity, model.consumers.complaint_propensity)
    assert propensity.mean() == pytest.approx(1.0, rel=0.15)
    assert np.median(propensity) < 0.5  # most rarely complain, a few often (TARP)


def test_the_consumers_table_lists_every_state_it_keeps():
    names = {f.name for f in dataclasses.fields(Consumers)}
    assert {"complaint_propensity", "recommend_style", "episode", "episode_start"} <= names


def test_the_census_counts_what_a_recount_of_the_market_finds():
    """The census kernel's tallies against numpy's count of the same arrays."""
    config = Config(seed=4, burn_in=0)
    config.population.n = 5_000
    model = LoyaltyModel(config)
    model.run_for(8)
    c, census = model.consumers, model.census
    focal = c.provider == 0
    by_firm = np.bincount(c.provider[c.provider >= 0], minlength=len(census.customers))
    assert census.customers.tolist() == by_firm.tolist()
    assert census.prospects == int((c.provider < 0).sum())
    groups = np.bincount(census.nps_group[focal], minlength=len(NPS_GROUPS))
    assert census.focal_groups.tolist() == groups.tolist()
    stages = np.bincount(census.loyalty_stage[focal], minlength=len(LOYALTY_STAGES))
    assert census.focal_stages.tolist() == stages.tolist()
    at_risk = config.competition.at_risk_attitude
    assert census.at_risk == int((c.attitude[focal] < at_risk).sum())
    assert census.mean_attitude == pytest.approx(c.attitude[focal].mean(dtype=np.float64))
    assert census.mean_loyalty == pytest.approx(c.loyalty[focal].mean(dtype=np.float64))
    assert census.mean_expectation == pytest.approx(c.expectation.mean(dtype=np.float64))
