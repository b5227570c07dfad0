"""What every week reports (docs/ODD.md, Observation): one row of KPIs of the
focal firm, collected by Mesa's DataCollector. The run summary over the rows
is sim/runs/summary.py.

The firm sees complaints; the model also knows who was dissatisfied and said
nothing, so both are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import (
    ACQUIRED_BY,
    FOCAL,
    LOYALTY_STAGES,
    PROSPECT,
    REASONS,
    Channel,
    Dimension,
    Outcome,
)
from sim.config import LoyaltyConfig
from sim.engine.acquisition import Acquisitions
from sim.engine.churn import Departures
from sim.engine.complaints import ComplaintHandling
from sim.engine.economics import COST_ITEMS, Ledger
from sim.engine.employees import Staff, Turnover
from sim.engine.experience import Encounters
from sim.engine.population import Consumers
from sim.engine.word_of_mouth import Messages

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
"""Per-week counts of the complaint funnel (sim/engine/complaints.py)."""

COLUMNS = (
    "step",
    "customers",
    "prospects",
    "competitor_customers",
    "market_share",
    "acquired",
    *(f"acquired_{way}" for way in ACQUIRED_BY),
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
        market_share=ratio(customers, customers + competitor_customers),
        mean_attitude=_mean(consumers.attitude[focal]),
        mean_loyalty=_mean(consumers.loyalty[focal]),
        mean_expectation=float(consumers.expectation.mean()),
        nps=100.0 * ratio(promoters - detractors, customers),
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
    by_channel = np.bincount(acq.channel[joined], minlength=len(Channel))
    satisfaction = enc.satisfaction[events.focal_visit]
    below_expectation = int((satisfaction < 0).sum())
    handling = events.complaints
    complaints = len(handling.complained)
    dissatisfied = len(handling.dissatisfied)
    churned = int(left.sum())
    churn_rate = ratio(churned, events.customers_before)
    ledger = events.ledger
    return {
        "acquired": int(joined.sum()) + switched_in,
        "acquired_referral": int(by_channel[Channel.referral]),
        "acquired_advertising": int(by_channel[Channel.advertising]),
        "acquired_switching": switched_in,
        "churned": churned,
        **{f"churned_{r}": int(k) for r, k in zip(REASONS, reasons, strict=True)},
        "switched_to_competitors": int((left & (dep.destination != PROSPECT)).sum()),
        "churn_rate": churn_rate,
        "retention_rate": 1.0 - churn_rate,
        "visits": len(satisfaction),
        "service_quality": _mean(enc.experience[events.focal_visit, Dimension.service]),
        "employee_quits": len(events.staff_turnover.quits),
        "employee_hires": len(events.staff_turnover.hires),
        "mean_satisfaction": _mean(satisfaction),
        "complaints": complaints,
        "recovered": len(handling.with_outcome(Outcome.recovered)),
        "unresolved": len(handling.with_outcome(Outcome.unresolved)),
        "complaint_losses": len(handling.with_outcome(Outcome.lost)),
        "followed_up": len(handling.followed_up),
        "dissatisfied": dissatisfied,
        "silent_dissatisfied": len(handling.silent),
        "silent_losses": len(handling.silent_lost),
        "newly_dissatisfied": handling.first_in_year,
        "observed_complaint_rate": ratio(complaints, len(satisfaction)),
        "dissatisfaction_rate": ratio(dissatisfied, len(satisfaction)),
        "below_expectation_share": ratio(below_expectation, len(satisfaction)),
        "word_of_mouth_positive": int((events.messages.valence > 0).sum()),
        "word_of_mouth_negative": int((events.messages.valence < 0).sum()),
        "revenue": ledger.revenue,
        **{f"cost_{c}": v for c, v in ledger.costs.items()},
        "costs": ledger.total_costs,
        "profit": ledger.profit,
        "strategy_investment": ledger.investment,
    }


def ratio(a: float, b: float) -> float:
    """a / b, and 0 where b is 0 (a week with no visits, a run with no customers)."""
    return float(a) / b if b else 0.0


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else 0.0
