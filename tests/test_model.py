import numpy as np
import pandas as pd

from sim.agents import Competitor, Customer, FocalFirm
from sim.codes import PROSPECT, REASONS
from sim.engine.observation import COLUMNS
from sim.runs.simulation import replicate, simulate
from tests.helpers import run_model, small_config


def test_population_is_conserved_every_step(baseline_run):
    ts = baseline_run.datacollector.get_model_vars_dataframe()
    total = ts.customers + ts.prospects + ts.competitor_customers
    assert (total == baseline_run.config.population.n).all()


def test_rates_and_shares_stay_in_unit_interval(baseline_run):
    ts = baseline_run.datacollector.get_model_vars_dataframe()
    for col in ("market_share", "churn_rate", "retention_rate", "below_expectation_share"):
        assert ts[col].between(0, 1).all(), col
    assert ts.nps.between(-100, 100).all()


def test_churn_reasons_add_up_to_churn_and_stocks_follow_flows(baseline_run):
    ts = baseline_run.datacollector.get_model_vars_dataframe()
    by_reason = ts[[f"churned_{r}" for r in REASONS]].sum(axis=1)
    assert (by_reason == ts.churned).all()
    acquired = ts.acquired_referral + ts.acquired_advertising + ts.acquired_switching
    assert (acquired == ts.acquired).all()
    change = ts.customers.diff().iloc[1:]
    assert (change == (ts.acquired - ts.churned).iloc[1:]).all()


def test_timeseries_has_the_contract_columns(baseline_run):
    ts = baseline_run.datacollector.get_model_vars_dataframe()
    assert list(ts.columns) == list(COLUMNS)
    assert len(ts) == baseline_run.config.steps + 1


def test_same_seed_same_results_different_seed_different_results():
    a = run_model(small_config(seed=7)).datacollector.get_model_vars_dataframe()
    b = run_model(small_config(seed=7)).datacollector.get_model_vars_dataframe()
    c = run_model(small_config(seed=8)).datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_customer_agents_are_views_on_the_engine_state(baseline_run):
    model = baseline_run
    customers = model.agents_by_type[Customer]
    assert len(customers) == model.config.population.n
    agent = next(a for a in customers if a.is_customer)
    assert agent.attitude == model.consumers.attitude[agent.index]
    assert set(agent.expectation) == {
        "product",
        "service",
        "relationship",
        "price",
        "convenience",
        "brand",
    }
    agent.attitude = -0.5
    assert model.consumers.attitude[agent.index] == -0.5
    assert agent.loyalty_stage in ("none", "cognitive", "affective", "behavioural", "word_of_mouth")
    assert all(0 <= j < model.config.population.n for j in agent.neighbours)


def test_firm_agents_report_market_shares(baseline_run):
    model = baseline_run
    assert len(model.agents_by_type[FocalFirm]) == 1
    assert len(model.agents_by_type[Competitor]) == len(model.config.competition.rivals)
    firms = model.datacollector.get_agenttype_vars_dataframe(Competitor)
    assert firms.market_share.between(0, 1).all()
    served = (model.consumers.provider != PROSPECT).sum()
    shares = [f.market_share for f in model.agents if hasattr(f, "market_share")]
    assert np.isclose(sum(shares), 1.0) and served > 0


def test_no_rivals_means_no_switching():
    config = small_config(steps=30)
    config.competition.rivals = []
    config.population.initial_competitor_share = 0.0
    ts = run_model(config).datacollector.get_model_vars_dataframe()
    assert (ts.competitor_customers == 0).all()
    assert ts.switched_to_competitors.sum() == 0 and ts.acquired_switching.sum() == 0
    assert ts.churned.sum() > 0


def test_better_experience_lowers_churn():
    churn = {}
    for label, service in (("poor", 3.0), ("excellent", 9.0)):
        config = small_config(n=3000, steps=52)
        config.firm.offering.service = service
        config.firm.offering.convenience = service
        ts = run_model(config).datacollector.get_model_vars_dataframe()
        churn[label] = ts.churned.sum() / ts.customers.mean()
    assert churn["excellent"] < 0.7 * churn["poor"]


def test_a_replicated_run_summarises_as_summary_json_does(tmp_path):
    """`replicate` (the experiments' runs) gives the summary and the evaluation
    window that `simulate` writes to summary.json, on the same numbers."""
    config = small_config(n=800, steps=12)
    config.strategy.rollout_step = 4
    replicated = replicate(config, 1)[0]
    written = simulate(config, tmp_path)
    assert replicated["evaluation"] == written["evaluation"]
    assert replicated["rates"] == written["rates"] and replicated["final"] == written["final"]
