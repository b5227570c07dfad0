"""The run summary (docs/ODD.md, Observation): final state, totals and
annualised rates over a run's weekly KPI rows (sim/engine/observation.py),
and the KPIs a comparison of strategies reads over the weeks after rollout."""

from __future__ import annotations

import pandas as pd

from sim.codes import ACQUIRED_BY, LOYALTY_STAGES, NPS_GROUPS, REASONS
from sim.config import Config, EconomicsConfig
from sim.engine.economics import customer_lifetime_value
from sim.engine.observation import COMPLAINT_COUNTS, ratio


def annual_churn_by(
    timeseries: pd.DataFrame, groups: dict[str, tuple[str, str]], econ: EconomicsConfig
) -> dict[str, float]:
    """Annual churn of each group of the focal firm's customers, by the group
    they were in as each week began: `groups` maps a group to its columns
    (customers in it at the end of a week, customers it lost in a week)."""
    exposure = timeseries.shift(1).iloc[1:]
    flows = timeseries.iloc[1:]
    return {
        group: ratio(flows[lost].sum() * econ.steps_per_year, exposure[size].sum())
        for group, (size, lost) in groups.items()
    }


def summarise(timeseries: pd.DataFrame, config: Config) -> dict:
    """Final state and run totals (docs/ODD.md, Observation); rates are annualised."""
    econ = config.economics
    final, flows = timeseries.iloc[-1], timeseries.iloc[1:]
    years = len(flows) / econ.steps_per_year
    mean_customers = float(flows.customers.mean()) if len(flows) else 0.0
    customer_years = mean_customers * years
    annual_churn = ratio(flows.churned.sum(), customer_years)
    retention = max(0.0, 1.0 - annual_churn)
    margin = (
        flows.revenue.sum()
        - flows[["cost_cost_of_goods", "cost_service", "cost_retention"]].sum().sum()
    )
    new_by_channel = {c: int(flows[f"acquired_{c}"].sum()) for c in ACQUIRED_BY}
    heard = flows.newly_heard.sum()  # episodes the firm heard of: the article's complainers
    return {
        "final": {
            k: _plain(final[k])
            for k in (
                "customers",
                "prospects",
                "competitor_customers",
                "market_share",
                "nps",
                "mean_attitude",
                "mean_loyalty",
                *(f"loyalty_{s}" for s in LOYALTY_STAGES),
                "cumulative_profit",
            )
        },
        "totals": {
            "acquired": int(flows.acquired.sum()),
            **{f"acquired_{c}": v for c, v in new_by_channel.items()},
            "churned": int(flows.churned.sum()),
            **{f"churned_{r}": int(flows[f"churned_{r}"].sum()) for r in REASONS},
            "visits": int(flows.visits.sum()),
            **{k: int(flows[k].sum()) for k in COMPLAINT_COUNTS},
            "revenue": float(flows.revenue.sum()),
            "costs": float(flows.costs.sum()),
            "profit": float(flows.profit.sum()),
        },
        "rates": {
            "annual_churn_rate": annual_churn,
            "annual_retention_rate": retention,
            "customers_with_negative_experience_per_year": ratio(
                flows.newly_dissatisfied.sum(), customer_years
            ),
            "observed_complaint_rate": ratio(flows.complaints.sum(), flows.visits.sum()),
            "dissatisfaction_rate": ratio(flows.dissatisfied.sum(), flows.visits.sum()),
            "voiced_share_of_negative_experiences": ratio(heard, flows.newly_dissatisfied.sum()),
            "recovered_share_of_complaints": ratio(flows.newly_recovered.sum(), heard),
            "unresolved_share_of_complaints": ratio(
                heard - flows.newly_recovered.sum() - flows.complaint_losses.sum(), heard
            ),
            "lost_share_of_complaints": ratio(flows.complaint_losses.sum(), heard),
            "silent_loss_share": ratio(flows.silent_losses.sum(), flows.silent_dissatisfied.sum()),
            "told_per_unhappy_customer": ratio(
                flows.told_by_unhappy.sum(), flows.unhappy_customers.sum()
            ),
            "positive_to_negative_word_of_mouth": ratio(
                flows.word_of_mouth_positive.sum(), flows.word_of_mouth_negative.sum()
            ),
            "annual_churn_by_nps_group": annual_churn_by(
                timeseries, {g: (f"{g}s", f"lost_{g}s") for g in NPS_GROUPS}, econ
            ),
            "annual_churn_by_loyalty_stage": annual_churn_by(
                timeseries,
                {s: (f"loyalty_{s}", f"lost_loyalty_{s}") for s in LOYALTY_STAGES},
                econ,
            ),
            "below_expectation_share": ratio(
                (flows.below_expectation_share * flows.visits).sum(), flows.visits.sum()
            ),
            "referral_share_of_new_customers": ratio(
                new_by_channel["referral"],
                new_by_channel["referral"] + new_by_channel["advertising"],
            ),
            "mean_nps": float(flows.nps.mean()) if len(flows) else float(final.nps),
            "mean_satisfaction": float(flows.mean_satisfaction.mean()) if len(flows) else 0.0,
        },
        "economics": {
            "annual_margin_per_customer": ratio(margin, customer_years),
            "customer_lifetime_value": customer_lifetime_value(
                ratio(margin, customer_years), retention, econ.annual_discount_rate
            ),
            "profit_margin": ratio(flows.profit.sum(), flows.revenue.sum()),
        },
    }


KPIS = {
    "annual_churn_rate": "annual churn rate",
    "mean_nps": "mean NPS",
    "revenue": "revenue",
    "profit": "profit",
    "customer_lifetime_value": "customer lifetime value",
    "customers": "customers at the end",
    "market_share": "market share at the end",
    "strategy_investment": "strategy investment",
}
"""What a comparison of strategies reports per run (docs/ODD.md, Observation), over the
evaluation window."""


def evaluate(timeseries: pd.DataFrame, config: Config) -> dict:
    """The KPIs over the weeks from `strategy.rollout_step` on, that week
    included (the whole run if it is not that long): what a strategy changed,
    free of the weeks before it. The window opens on the row of the week before
    (`from_step`): its stocks are where the flows start."""
    rollout = config.strategy.rollout_step
    window = timeseries.iloc[max(rollout - 1, 0) if rollout < len(timeseries) else 0 :]
    summary = summarise(window, config)
    flows = window.iloc[1:]
    return {
        "from_step": int(window.step.iloc[0]),
        "to_step": int(window.step.iloc[-1]),
        "annual_churn_rate": summary["rates"]["annual_churn_rate"],
        "mean_nps": summary["rates"]["mean_nps"],
        "revenue": summary["totals"]["revenue"],
        "profit": summary["totals"]["profit"],
        "customer_lifetime_value": summary["economics"]["customer_lifetime_value"],
        "customers": summary["final"]["customers"],
        "market_share": summary["final"]["market_share"],
        "strategy_investment": float(flows.strategy_investment.sum()),
    }


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)
