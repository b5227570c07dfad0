"""What every step reports (MODEL.md §11): one row of KPIs of the focal firm.

The firm sees complaints; the model also knows who was dissatisfied and said
nothing, so both are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.acquisition import ADVERTISING, REFERRAL, Acquisitions
from sim.churn import REASONS, Departures
from sim.complaints import LOST, RECOVERED, UNRESOLVED, ComplaintHandling
from sim.config import Config, LoyaltyConfig
from sim.economics import COST_ITEMS, Ledger, customer_lifetime_value
from sim.employees import Staff, Turnover
from sim.experience import Encounters
from sim.firms import SERVICE
from sim.population import LOYALTY_STAGES, PROSPECT, Consumers
from sim.word_of_mouth import Messages

FOCAL = 0

COMPLAINT_COUNTS = (
    "complaints",
    "recovered",
    "unresolved",
    "complaint_losses",
    "followed_up",
    "dissatisfied",
    "silent_dissatisfied",
    "silent_losses",
)
"""Per-week counts of the complaint funnel (sim/complaints.py)."""

COLUMNS = (
    "step",
    "customers",
    "prospects",
    "competitor_customers",
    "market_share",
    "acquired",
    "acquired_referral",
    "acquired_advertising",
    "acquired_switching",
    "churned",
    *(f"churned_{r}" for r in REASONS),
    "switched_to_competitors",
    "churn_rate",
    "retention_rate",
    "visits",
    "mean_satisfaction",
    "mean_attitude",
    "mean_loyalty",
    "mean_expectation",
    "nps",
    "promoters",
    "detractors",
    "at_risk",
    *(f"loyalty_{s}" for s in LOYALTY_STAGES),
    "employees",
    "vacancies",
    "employee_engagement",
    "employee_skill",
    "employee_quits",
    "employee_hires",
    "employee_workload",
    "service_quality",
    *COMPLAINT_COUNTS,
    "newly_dissatisfied",
    "observed_complaint_rate",
    "dissatisfaction_rate",
    "below_expectation_share",
    "word_of_mouth_positive",
    "word_of_mouth_negative",
    "revenue",
    *(f"cost_{c}" for c in COST_ITEMS),
    "costs",
    "profit",
    "cumulative_profit",
    "strategy_investment",
)


@dataclass
class StepEvents:
    """What happened in one step, as the mechanisms returned it."""

    customers_before: int
    encounters: Encounters
    focal_visit: np.ndarray  # bool per encounter: a visit to the focal firm
    messages: Messages
    departures: Departures
    acquisitions: Acquisitions
    ledger: Ledger
    staff_turnover: Turnover
    complaints: ComplaintHandling


def measure(
    step: int,
    consumers: Consumers,
    staff: Staff,
    events: StepEvents | None,
    cumulative_profit: float,
    loyalty: LoyaltyConfig,
    at_risk_attitude: float = 0.0,
) -> dict[str, float]:
    """The KPI row for this step; `events` is None for the initial state."""
    provider = consumers.provider
    focal = provider == FOCAL
    customers = int(focal.sum())
    competitor_customers = int(((provider != FOCAL) & (provider != PROSPECT)).sum())
    promoters = int((consumers.promoters() & focal).sum())
    detractors = int((consumers.detractors() & focal).sum())
    stages = np.bincount(consumers.loyalty_stage(loyalty)[focal], minlength=len(LOYALTY_STAGES))
    row: dict[str, float] = dict.fromkeys(COLUMNS, 0)
    row.update(
        step=step,
        customers=customers,
        prospects=int((provider == PROSPECT).sum()),
        competitor_customers=competitor_customers,
        market_share=_ratio(customers, customers + competitor_customers),
        mean_attitude=_mean(consumers.attitude[focal]),
        mean_loyalty=_mean(consumers.loyalty[focal]),
        mean_expectation=float(consumers.expectation.mean()),
        nps=100.0 * _ratio(promoters - detractors, customers),
        promoters=promoters,
        detractors=detractors,
        at_risk=int((focal & (consumers.attitude < at_risk_attitude)).sum()),
        cumulative_profit=cumulative_profit,
        employees=int(staff.filled.sum()),
        vacancies=int((~staff.filled).sum()),
        employee_engagement=_mean(staff.engagement[staff.filled]),
        employee_skill=_mean(staff.skill[staff.filled]),
        employee_workload=_mean(staff.workload[staff.filled]),
        **{f"loyalty_{s}": int(k) for s, k in zip(LOYALTY_STAGES, stages, strict=True)},
    )
    if events is not None:
        row.update(_flows(events))
    return row


def _flows(events: StepEvents) -> dict[str, float]:
    """Per-step flows: acquisition, churn, encounters, word of mouth, money."""
    dep, acq, enc = events.departures, events.acquisitions, events.encounters
    left = dep.origin == FOCAL
    reasons = np.bincount(dep.reason[left], minlength=len(REASONS))
    joined = acq.firm == FOCAL
    switched_in = int(((dep.destination == FOCAL) & (dep.origin != FOCAL)).sum())
    by_channel = np.bincount(acq.channel[joined], minlength=2)
    satisfaction = enc.satisfaction[events.focal_visit]
    below_expectation = int((satisfaction < 0).sum())
    handling = events.complaints
    complaints = len(handling.complained)
    dissatisfied = len(handling.dissatisfied)
    churned = int(left.sum())
    churn_rate = _ratio(churned, events.customers_before)
    ledger = events.ledger
    return {
        "acquired": int(joined.sum()) + switched_in,
        "acquired_referral": int(by_channel[REFERRAL]),
        "acquired_advertising": int(by_channel[ADVERTISING]),
        "acquired_switching": switched_in,
        "churned": churned,
        **{f"churned_{r}": int(k) for r, k in zip(REASONS, reasons, strict=True)},
        "switched_to_competitors": int((left & (dep.destination != PROSPECT)).sum()),
        "churn_rate": churn_rate,
        "retention_rate": 1.0 - churn_rate,
        "visits": len(satisfaction),
        "service_quality": _mean(enc.experience[events.focal_visit, SERVICE]),
        "employee_quits": len(events.staff_turnover.quits),
        "employee_hires": len(events.staff_turnover.hires),
        "mean_satisfaction": _mean(satisfaction),
        "complaints": complaints,
        "recovered": len(handling.with_outcome(RECOVERED)),
        "unresolved": len(handling.with_outcome(UNRESOLVED)),
        "complaint_losses": len(handling.with_outcome(LOST)),
        "followed_up": len(handling.followed_up),
        "dissatisfied": dissatisfied,
        "silent_dissatisfied": len(handling.silent),
        "silent_losses": len(handling.silent_lost),
        "newly_dissatisfied": handling.first_in_year,
        "observed_complaint_rate": _ratio(complaints, len(satisfaction)),
        "dissatisfaction_rate": _ratio(dissatisfied, len(satisfaction)),
        "below_expectation_share": _ratio(below_expectation, len(satisfaction)),
        "word_of_mouth_positive": int((events.messages.valence > 0).sum()),
        "word_of_mouth_negative": int((events.messages.valence < 0).sum()),
        "revenue": ledger.revenue,
        **{f"cost_{c}": v for c, v in ledger.costs.items()},
        "costs": ledger.total_costs,
        "profit": ledger.profit,
        "strategy_investment": ledger.investment,
    }


def _ratio(a: float, b: float) -> float:
    return float(a) / b if b else 0.0


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else 0.0


def summarise(timeseries: pd.DataFrame, config: Config) -> dict:
    """Final state and run totals (MODEL.md §11); rates are annualised."""
    econ = config.economics
    final, flows = timeseries.iloc[-1], timeseries.iloc[1:]
    years = len(flows) / econ.steps_per_year
    mean_customers = float(flows.customers.mean()) if len(flows) else 0.0
    customer_years = mean_customers * years
    annual_churn = _ratio(flows.churned.sum(), customer_years)
    retention = max(0.0, 1.0 - annual_churn)
    margin = (
        flows.revenue.sum()
        - flows[["cost_cost_of_goods", "cost_service", "cost_retention"]].sum().sum()
    )
    new_by_channel = {c: int(flows[f"acquired_{c}"].sum()) for c in ACQUIRED_BY}
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
            "customers_with_negative_experience_per_year": _ratio(
                flows.newly_dissatisfied.sum(), customer_years
            ),
            "observed_complaint_rate": _ratio(flows.complaints.sum(), flows.visits.sum()),
            "dissatisfaction_rate": _ratio(flows.dissatisfied.sum(), flows.visits.sum()),
            "voiced_share_of_negative_experiences": _ratio(
                flows.complaints.sum(), flows.newly_dissatisfied.sum()
            ),
            "below_expectation_share": _ratio(
                (flows.below_expectation_share * flows.visits).sum(), flows.visits.sum()
            ),
            "referral_share_of_new_customers": _ratio(
                new_by_channel["referral"],
                new_by_channel["referral"] + new_by_channel["advertising"],
            ),
            "mean_nps": float(flows.nps.mean()) if len(flows) else float(final.nps),
            "mean_satisfaction": float(flows.mean_satisfaction.mean()) if len(flows) else 0.0,
        },
        "economics": {
            "annual_margin_per_customer": _ratio(margin, customer_years),
            "customer_lifetime_value": customer_lifetime_value(
                _ratio(margin, customer_years), retention, econ.annual_discount_rate
            ),
            "profit_margin": _ratio(flows.profit.sum(), flows.revenue.sum()),
        },
    }


ACQUIRED_BY = ("referral", "advertising", "switching")

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
"""What a comparison of strategies reports per run (MODEL.md §11), over the
evaluation window."""


def evaluate(timeseries: pd.DataFrame, config: Config) -> dict:
    """The KPIS over the weeks after `strategy.rollout_step` (the whole run if
    it is not that long): what a strategy changed, free of the weeks before it."""
    start = config.strategy.rollout_step
    start = start if start < len(timeseries) - 1 else 0
    window = timeseries.iloc[start:]
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
