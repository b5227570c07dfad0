import numpy as np
import pytest

from sim.config import CompetitionConfig
from sim.engine.competitors import adapt, poach
from sim.engine.firms import Market
from sim.interventions.scenarios import SCENARIOS
from tests.helpers import consumers_with_expectation, run_model, small_config

START = 20


def _after_start(scenario: str, seeds=(0, 1), **params):
    """Sum of each time-series column after the scenario starts, over seeds."""
    total = None
    for seed in seeds:
        config = small_config(n=4000, steps=72, seed=seed)
        config.scenario.name = scenario
        config.scenario.start_step = START
        for key, value in params.items():
            setattr(config.scenario, key, value)
        ts = run_model(config).datacollector.get_model_vars_dataframe()
        part = ts[ts.step > START].sum(numeric_only=True)
        total = part if total is None else total + part
    return total


@pytest.fixture(scope="module")
def stable():
    return _after_start("stable")


def test_a_rivals_price_cut_costs_the_focal_firm_customers(stable):
    war = _after_start("price_war", rival=1, price_cut=0.3)
    assert war.churned_price > stable.churned_price  # more leave for price
    assert war.acquired < stable.acquired  # and prospects prefer the cheaper rival
    assert war.customers < stable.customers


def test_a_brand_scandal_raises_ethics_reason_churn(stable):
    scandal = _after_start("brand_scandal", brand_drop=4.0)
    assert scandal.churned_ethics > 3 * max(stable.churned_ethics, 1)
    assert scandal.churned > stable.churned


def test_labour_shortage_raises_staff_quits(stable):
    assert _after_start("labour_shortage").employee_quits > 1.5 * stable.employee_quits


def test_downturn_lowers_revenue(stable):
    assert _after_start("downturn").revenue < 0.95 * stable.revenue


def test_rising_expectations_lower_satisfaction(stable):
    rising = _after_start("rising_expectations", expectation_drift=0.02)
    assert rising.mean_expectation > stable.mean_expectation
    assert rising.dissatisfied > stable.dissatisfied


def test_a_new_entrant_wins_customers_only_after_it_enters():
    config = small_config(n=4000, steps=60)
    config.scenario.name = "new_entrant"
    config.scenario.start_step = START
    model = run_model(config)
    firms = model.firm_table()
    entrant = firms[firms.firm == config.scenario.entrant.name]
    assert entrant.step.min() == START and entrant.customers.iloc[-1] > 0
    assert model.flow_table()["New entrant"].sum() > 0


def test_every_scenario_is_registered_with_a_config_file():
    from sim.runs.cli import group_options

    assert set(group_options("scenario")) == set(SCENARIOS)


def test_switching_costs_lower_churn():
    churn = {}
    for cost in (0.0, 2.0):
        config = small_config(n=3000, steps=52)
        config.churn.switching_cost = cost
        ts = run_model(config).datacollector.get_model_vars_dataframe()
        churn[cost] = ts.churned.sum()
    # they act on the hazard, not on the CX-methods article's silent defection (a fixed 45 %)
    assert churn[2.0] < 0.9 * churn[0.0]


def test_flows_conserve_consumers():
    model = run_model(small_config(n=2000, steps=40))
    flows = model.flow_table().to_numpy()
    provider = model.consumers.provider
    final = np.bincount(provider + 1, minlength=len(flows))
    start = final - flows.sum(axis=0) + flows.sum(axis=1)
    ts = model.datacollector.get_model_vars_dataframe()
    assert start[0] == ts.prospects.iloc[0] and start[1] == ts.customers.iloc[0]
    assert start.sum() == final.sum() == model.config.population.n
    assert np.all(np.diag(flows) == 0)


def _market(n_rivals=2):
    return Market(
        names=["Focal", *(f"R{i}" for i in range(n_rivals))],
        offering=np.full((n_rivals + 1, 6), 6.0),
        price=np.ones(n_rivals + 1),
        advertising_reach=np.full(n_rivals + 1, 0.02),
        promise=np.full((n_rivals + 1, 6), 6.0),
        failure_probability=np.full(n_rivals + 1, 0.05),
        focal_segment_bonus=np.zeros((1, 6)),
        promise_premium=np.zeros(n_rivals + 1),
        active=np.ones(n_rivals + 1, dtype=bool),
    )


def test_a_rival_that_loses_share_cuts_price_and_advertises_more():
    market, config = _market(), CompetitionConfig(review_weeks=13)
    history = [np.array([0.3, 0.4, 0.3])] * 13 + [np.array([0.4, 0.3, 0.3])]
    adapt(market, history, step=13, config=config)
    assert market.price[1] < 1.0 and market.advertising_reach[1] > 0.02  # lost share
    assert market.price[2] == 1.0 and market.price[0] == 1.0  # did not; focal never adapts


def test_rivals_improve_their_weakest_dimension():
    market = _market()
    market.offering[1, 4] = 3.0
    adapt(market, [], step=1, config=CompetitionConfig(improvement_rate=0.1))
    assert market.offering[1, 4] == pytest.approx(3.1)
    assert market.offering[0, 4] == 6.0


def test_rivals_court_only_the_focal_firms_at_risk_customers():
    consumers = consumers_with_expectation(1000, 5.0)
    consumers.attitude[:500] = -0.5  # at risk
    consumers.provider[::2] = 1  # half of everyone is a rival's customer
    offers = poach(
        consumers, _market(), CompetitionConfig(poaching_reach=0.5), np.random.default_rng(0)
    )
    courted = offers > 0
    assert courted.any()
    assert np.all(consumers.attitude[courted] < 0) and np.all(consumers.provider[courted] == 0)
