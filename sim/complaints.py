"""Complaints, service recovery and silent defection (MODEL.md §4).

Seed 001's case ("负面客户体验的成本"): of customers' negative experiences
only 2 % are voiced. After handling, 38 % of complainers are satisfied and
stay, 34 % remain at risk, 28 % leave. Of the silent 98 %, whom the firm
never hears about, 55 % are at risk and 45 % leave. The firm sees complaints,
not silent dissatisfaction. Making complaining easy, recovering well (warmly
and in one stop, seed 003) and following customers up are its levers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from sim.config import ChurnConfig, ComplaintsConfig
from sim.population import Consumers

RECOVERED, UNRESOLVED, LOST = 0, 1, 2
REFERENCE_EMPOWERMENT = 0.3  # the default empowerment lever (sim/config.py)


def voice_probability(
    severity: np.ndarray, propensity: np.ndarray, config: ComplaintsConfig
) -> np.ndarray:
    """Chance that a negative experience is voiced as a complaint.

    p = voice_share x ease x segment propensity x (severity / mean severity)^k
        x (1 - count_incentive x incentive_suppression)

    Averaged over this week's negative experiences this is the voice share
    (2 %, seed 001) times the ease of complaining. Worse experiences are
    voiced more (k = `severity_elasticity`). Rewarding staff for *fewer*
    complaints suppresses the voiced share, not the dissatisfaction (seed 001).
    """
    if not len(severity):
        return np.zeros(0)
    relative = severity / severity.mean() if severity.mean() > 0 else np.ones_like(severity)
    p = (
        config.voice_share
        * config.ease
        * propensity
        * relative**config.severity_elasticity
        * (1.0 - config.count_incentive * config.incentive_suppression)
    )
    return np.clip(p, 0.0, 1.0)


def recovery_quality(
    skill: np.ndarray,
    empowerment: float,
    late: np.ndarray,
    reference_skill: float,
    config: ComplaintsConfig,
) -> np.ndarray:
    """Chance that a handled complaint ends with a satisfied customer.

    The default is 38 % (seed 001). Skill and empowerment of the employee who
    handles it, and one-stop handling (seed 003), raise it. Handling beyond
    the week's capacity (a slow response) lowers it.
    """
    q = (
        config.recovery_quality
        + config.recovery_skill_effect * (skill - reference_skill)
        + config.recovery_empowerment_effect * (empowerment - REFERENCE_EMPOWERMENT)
        + config.one_stop_bonus * config.one_stop
    )
    return np.clip(q, 0.0, 1.0) * np.where(late, config.late_quality_factor, 1.0)


def silent_loss_probability(
    pull: np.ndarray, member: np.ndarray, config: ComplaintsConfig, churn: ChurnConfig
) -> np.ndarray:
    """Chance that a silent dissatisfied customer leaves.

    Seed 001: 45 % leave. That is the chance with no better alternative in
    sight (pull 0) at the market's usual switching costs. A rival's advantage,
    praise heard for rivals and their offers raise it; extra switching costs
    and programme membership lower it. All act on the logit scale with the
    churn hazard's own weights (MODEL.md §7).
    """
    p0 = np.clip(config.silent_loss_probability, 1e-9, 1 - 1e-9)
    z = (
        np.log(p0 / (1 - p0))
        + churn.competitor_pull_weight * pull
        - churn.switching_cost
        - churn.membership_weight * member
    )
    return expit(z)


def resolve(quality: np.ndarray, config: ComplaintsConfig, rng: np.random.Generator) -> np.ndarray:
    """Outcome of each handled complaint: recovered with probability `quality`;
    otherwise lost with `lost_share_of_unrecovered` (28 / 62, seed 001), else
    unresolved (at risk)."""
    recovered = rng.random(len(quality)) < quality
    lost = rng.random(len(quality)) < config.lost_share_of_unrecovered
    return np.where(recovered, RECOVERED, np.where(lost, LOST, UNRESOLVED))


@dataclass
class ComplaintHandling:
    """This week's negative experiences at the focal firm and what became of them."""

    dissatisfied: np.ndarray  # customers with a negative experience (the truth)
    first_in_year: int  # of those, how many had none in the previous 52 weeks (the funnel's cases)
    complained: np.ndarray  # voiced it (what the firm sees)
    followed_up: np.ndarray  # silent, but found by proactive follow-up
    handled: np.ndarray  # complained + followed up
    outcome: np.ndarray  # RECOVERED / UNRESOLVED / LOST per handled case
    silent: np.ndarray  # never heard of by the firm
    silent_lost: np.ndarray  # of the silent, those who leave at once
    contacts: int  # follow-up contacts made
    visits: int  # visits this week (the follow-up plan covers a share of them)

    def with_outcome(self, code: int) -> np.ndarray:
        return self.handled[self.outcome == code]


def handle(
    consumers: Consumers,
    visitors: np.ndarray,
    satisfaction: np.ndarray,
    skill: np.ndarray,
    propensity: np.ndarray,
    empowerment: float,
    reference_skill: float,
    capacity: float,
    step: int,
    pull: np.ndarray,
    member: np.ndarray,
    config: ComplaintsConfig,
    churn: ChurnConfig,
    rng: np.random.Generator,
) -> ComplaintHandling:
    """Voice, follow-up, recovery and silent defection for this week's visits.

    `visitors`, `satisfaction`, `skill` (of the serving employee),
    `propensity` (of the segment), `pull` (toward other firms, last week) and
    `member` (of the loyalty programme) are per visit. `capacity` is how many
    cases the firm's staff can handle on time this week. Seed 001's funnel counts
    customers per year, so it runs on a customer's first negative experience
    in 52 weeks; a repeat within the year hurts only through the Delta law
    (attitude and grievance).
    """
    bad = satisfaction < config.negative_experience_threshold
    dissatisfied = visitors[bad]
    before = consumers.last_negative[visitors]
    negative = bad & ((before < 0) | (before <= step - 52))  # first in a year
    consumers.last_negative[dissatisfied] = step
    dissatisfied_now = dissatisfied
    dissatisfied = visitors[negative]

    severity = config.negative_experience_threshold - satisfaction[negative]
    voiced = rng.random(len(dissatisfied)) < voice_probability(
        severity, propensity[negative], config
    )
    contacted = rng.random(len(visitors)) < config.follow_up
    found = contacted[negative] & ~voiced
    handled_mask = voiced | found
    handled = dissatisfied[handled_mask]

    late = rng.permutation(len(handled)) >= capacity  # beyond this week's capacity
    quality = recovery_quality(
        skill[negative][handled_mask], empowerment, late, reference_skill, config
    )
    outcome = resolve(quality, config, rng)

    silent = dissatisfied[~handled_mask]
    p_leave = silent_loss_probability(
        pull[negative][~handled_mask], member[negative][~handled_mask], config, churn
    )
    silent_lost = silent[rng.random(len(silent)) < p_leave]

    recovered = handled[outcome == RECOVERED]
    consumers.attitude[recovered] = np.minimum(
        np.maximum(consumers.attitude[recovered], 0.0) + config.recovery_bonus, 1.0
    )
    consumers.grievance[recovered] *= 0.5
    unresolved = handled[outcome == UNRESOLVED]
    consumers.attitude[unresolved] = np.maximum(
        consumers.attitude[unresolved] - config.unresolved_attitude_penalty, -1.0
    )
    return ComplaintHandling(
        dissatisfied=dissatisfied_now,
        first_in_year=len(dissatisfied),
        complained=dissatisfied[voiced],
        followed_up=dissatisfied[found],
        handled=handled,
        outcome=outcome,
        silent=silent,
        silent_lost=silent_lost,
        contacts=int(contacted.sum()),
        visits=len(visitors),
    )


def handling_costs(handling: ComplaintHandling, employees: int, config: ComplaintsConfig) -> float:
    """The week's cost of the complaint levers (all assumptions): cases handled
    (more for one-stop handling), recovery quality above seed 001's 38 %
    (training of the handlers), channels beyond the usual (ease above 1),
    handling capacity above the default, and follow-up contacts (planned: a
    share `follow_up` of the week's visits)."""
    cases = len(handling.handled)
    default = ComplaintsConfig()
    return (
        cases * (config.handling_cost + config.one_stop_cost * config.one_stop)
        + config.quality_cost * max(config.recovery_quality - default.recovery_quality, 0.0)
        + config.channel_cost * max(config.ease - 1.0, 0.0)
        + config.capacity_cost
        * employees
        * max(config.cases_per_employee - default.cases_per_employee, 0.0)
        / 0.1
        + config.follow_up_cost * config.follow_up * handling.visits
    )


def closed_form_funnel(
    revenue: float,
    negative_share: float,
    voice_share: float,
    follow_up: float,
    config: ComplaintsConfig,
) -> dict[str, float]:
    """Seed 001's arithmetic: revenue lost to complainers and to the silent.

    revenue x negative share x (voiced + followed-up) x 28 % for complainers;
    revenue x negative share x silent x 45 % for the silent. With the seed's
    figures (USD 50 M, 22 %, 2 %, no follow-up): USD 61,600 and USD 4,851,000.
    """
    handled = voice_share + (1.0 - voice_share) * follow_up
    lost_if_handled = (1.0 - config.recovery_quality) * config.lost_share_of_unrecovered
    return {
        "complainer_loss": revenue * negative_share * handled * lost_if_handled,
        "silent_loss": revenue * negative_share * (1.0 - handled) * config.silent_loss_probability,
    }
