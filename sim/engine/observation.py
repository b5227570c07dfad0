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
    NPS_GROUPS,
    PROSPECT,
    REASONS,
    Channel,
    Episode,
    NpsGroup,
    Outcome,
)
from sim.engine.acquisition import Acquisitions
from sim.engine.census import Census
from sim.engine.churn import Departures
from sim.engine.complaints import ComplaintHandling
from sim.engine.economics import COST_ITEMS, Ledger
from sim.engine.employees import Staff, Turnover
from sim.engine.experience import Encounters
from sim.engine.word_of_mouth import Messages

COMPLAINT_COUNTS = (
    "dissatisfied",
    "complaints",
    "followed_up",
    "recovered",
    "unresolved",
    "newly_dissatisfied",
    "newly_heard",
    "newly_recovered",
    "silent_dissatisfied",
    "complaint_losses",
    "silent_losses",
)
"""Per-week counts of negative experiences and of the CX-methods article's
funnel (sim/engine/complaints.py): experiences first, then episodes (a
customer's first negative experience in a year) and their losses."""

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
    "passives",
    "detractors",
    "at_risk",
    *(f"loyalty_{s}" for s in LOYALTY_STAGES),
    *(f"lost_{g}s" for g in NPS_GROUPS),
    *(f"lost_loyalty_{s}" for s in LOYALTY_STAGES),
    "employees",
    "vacancies",
    "employee_engagement",
    "employee_skill",
    "employee_quits",
    "employee_hires",
    "employee_workload",
    "service_quality",
    *COMPLAINT_COUNTS,
    "observed_complaint_rate",
    "dissatisfaction_rate",
    "below_expectation_share",
    "word_of_mouth_positive",
    "word_of_mouth_negative",
    "unhappy_customers",
    "told_by_unhappy",
    "revenue",
    *(f"cost_{c}" for c in COST_ITEMS),
    "costs",
    "profit",
    "cumulative_profit",
    "strategy_investment",
)


@dataclass
class StepEvents:
    """What happened in one week, as the mechanisms returned it."""

    standing: Census  # the market as the week began
    encounters: Encounters
    focal_visit: np.ndarray  # the encounters at the focal firm (indices)
    messages: Messages
    departures: Departures
    acquisitions: Acquisitions
    ledger: Ledger
    staff_turnover: Turnover
    complaints: ComplaintHandling


def measure(
    step: int,
    census: Census,
    staff: Staff,
    events: StepEvents | None,
    cumulative_profit: float,
) -> dict[str, float]:
    """The KPI row for this week, from the census that closed it; `events` is
    None for the initial state."""
    customers = census.focal_customers
    competitor_customers = int(census.customers.sum()) - customers
    groups = census.focal_groups
    promoters, detractors = int(groups[NpsGroup.promoter]), int(groups[NpsGroup.detractor])
    row: dict[str, float] = dict.fromkeys(COLUMNS, 0)
    row.update(
        step=step,
        customers=customers,
        prospects=census.prospects,
        competitor_customers=competitor_customers,
        market_share=ratio(customers, customers + competitor_customers),
        mean_attitude=census.mean_attitude,
        mean_loyalty=census.mean_loyalty,
        mean_expectation=census.mean_expectation,
        nps=100.0 * ratio(promoters - detractors, customers),
        promoters=promoters,
        passives=int(groups[NpsGroup.passive]),
        detractors=detractors,
        at_risk=census.at_risk,
        cumulative_profit=cumulative_profit,
        employees=int(staff.filled.sum()),
        vacancies=int((~staff.filled).sum()),
        employee_engagement=_mean(staff.engagement[staff.filled]),
        employee_skill=_mean(staff.skill[staff.filled]),
        employee_workload=_mean(staff.workload[staff.filled]),
        **{
            f"loyalty_{s}": int(k) for s, k in zip(LOYALTY_STAGES, census.focal_stages, strict=True)
        },
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
    below_expectation = int(np.count_nonzero(satisfaction < 0))
    handling = events.complaints
    episodes = handling.episodes
    complaints = len(handling.complained)
    dissatisfied = len(handling.dissatisfied)
    churned = int(left.sum())
    churn_rate = ratio(churned, events.standing.focal_customers)
    lost = dep.leavers[left]
    by_group = np.bincount(events.standing.nps_group[lost], minlength=len(NpsGroup))
    by_stage = np.bincount(events.standing.loyalty_stage[lost], minlength=len(LOYALTY_STAGES))
    ledger = events.ledger
    return {
        "acquired": int(joined.sum()) + switched_in,
        "acquired_referral": int(by_channel[Channel.referral]),
        "acquired_advertising": int(by_channel[Channel.advertising]),
        "acquired_switching": switched_in,
        "churned": churned,
        **{f"churned_{r}": int(k) for r, k in zip(REASONS, reasons, strict=True)},
        "switched_to_competitors": int((left & (dep.destination != PROSPECT)).sum()),
        **{f"lost_{g}s": int(k) for g, k in zip(NPS_GROUPS, by_group, strict=True)},
        **{f"lost_loyalty_{s}": int(k) for s, k in zip(LOYALTY_STAGES, by_stage, strict=True)},
        "churn_rate": churn_rate,
        "retention_rate": 1.0 - churn_rate,
        "visits": len(satisfaction),
        "service_quality": _mean(enc.service_quality[events.focal_visit]),
        "employee_quits": len(events.staff_turnover.quits),
        "employee_hires": len(events.staff_turnover.hires),
        "mean_satisfaction": _mean(satisfaction),
        "dissatisfied": dissatisfied,
        "complaints": complaints,
        "followed_up": len(handling.followed_up),
        "recovered": len(handling.with_outcome(Outcome.recovered)),
        "unresolved": len(handling.with_outcome(Outcome.unresolved)),
        "newly_dissatisfied": int(episodes.sum()),
        "newly_heard": int(episodes[Episode.recovered] + episodes[Episode.unresolved]),
        "newly_recovered": int(episodes[Episode.recovered]),
        "silent_dissatisfied": int(episodes[Episode.silent]),
        "complaint_losses": int(handling.losses[Episode.unresolved]),
        "silent_losses": int(handling.losses[Episode.silent]),
        "observed_complaint_rate": ratio(complaints, len(satisfaction)),
        "dissatisfaction_rate": ratio(dissatisfied, len(satisfaction)),
        "below_expectation_share": ratio(below_expectation, len(satisfaction)),
        "word_of_mouth_positive": int(np.count_nonzero(events.messages.valence > 0)),
        "word_of_mouth_negative": int(np.count_nonzero(events.messages.valence < 0)),
        "unhappy_customers": events.messages.unhappy_talkers,
        "told_by_unhappy": events.messages.unhappy_told,
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
