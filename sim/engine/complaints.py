"""Complaints, service recovery and silent defection (docs/ODD.md 7.3b).

The CX-methods article's case (负面客户体验的成本): of customers' negative
experiences only 2 % are voiced. After handling, 38 % of complainers are satisfied and
stay, 34 % remain at risk, 28 % leave. Of the silent 98 %, whom the firm
never hears about, 55 % are at risk and 45 % leave. The firm sees complaints,
not silent dissatisfaction. Making complaining easy, recovering well (warmly
and in one stop, the satisfaction article) and following customers up are
its levers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from sim.codes import Outcome
from sim.config import ChurnConfig, ComplaintsConfig
from sim.engine.levers import ComplaintLevers
from sim.engine.population import Consumers

USUAL_EMPOWERMENT = 0.3
"""The empowerment of staff at which recovery has its base quality (the
default lever, employees.empowerment)."""
USUAL_RECOVERY_QUALITY = 0.38
"""The CX-methods article's recovery rate: quality above it costs training."""
USUAL_CASES_PER_EMPLOYEE = 0.3
"""Handling capacity that comes with the staff at no extra cost (the default lever)."""


def voice_probability(
    severity: np.ndarray,
    propensity: np.ndarray,
    levers: ComplaintLevers,
    config: ComplaintsConfig,
) -> np.ndarray:
    """Chance that a negative experience is voiced as a complaint.

    p = voice_share x ease x segment propensity x (severity / mean severity)^k
        x (1 - count_incentive x incentive_suppression)

    Averaged over this week's negative experiences this is the voice share
    (2 %, the CX-methods article) times the ease of complaining. Worse
    experiences are voiced more (k = `severity_elasticity`). Rewarding staff
    for *fewer* complaints suppresses the voiced share, not the
    dissatisfaction (the CX-methods article).
    """
    if not len(severity):
        return np.zeros(0)
    relative = severity / severity.mean() if severity.mean() > 0 else np.ones_like(severity)
    p = (
        config.voice_share
        * levers.ease
        * propensity
        * relative**config.severity_elasticity
        * (1.0 - levers.count_incentive * config.incentive_suppression)
    )
    return np.clip(p, 0.0, 1.0)


def recovery_quality(
    handlers: Handlers, late: np.ndarray, levers: ComplaintLevers, config: ComplaintsConfig
) -> np.ndarray:
    """Chance that a handled complaint ends with a satisfied customer.

    The default is 38 % (the CX-methods article). Skill and empowerment of
    the employee who handles it, and one-stop handling (the satisfaction
    article), raise it. Handling beyond the week's capacity (a slow
    response) lowers it.
    """
    q = (
        levers.recovery_quality
        + config.recovery_skill_effect * (handlers.skill - handlers.reference_skill)
        + config.recovery_empowerment_effect * (handlers.empowerment - USUAL_EMPOWERMENT)
        + config.one_stop_bonus * levers.one_stop
    )
    return np.clip(q, 0.0, 1.0) * np.where(late, config.late_quality_factor, 1.0)


def silent_loss_probability(
    pull: np.ndarray, member: np.ndarray, config: ComplaintsConfig, churn: ChurnConfig
) -> np.ndarray:
    """Chance that a silent dissatisfied customer leaves.

    The CX-methods article: 45 % leave. That is the chance with no better
    alternative in sight (pull 0) at the market's usual switching costs. A
    rival's advantage, praise heard for rivals and their offers raise it;
    extra switching costs and programme membership lower it. All act on the
    logit scale with the churn hazard's own weights (docs/ODD.md 7.6).
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
    otherwise lost with `lost_share_of_unrecovered` (28 / 62, the CX-methods
    article), else unresolved (at risk)."""
    recovered = rng.random(len(quality)) < quality
    lost = rng.random(len(quality)) < config.lost_share_of_unrecovered
    return np.where(recovered, Outcome.recovered, np.where(lost, Outcome.lost, Outcome.unresolved))


@dataclass
class Cases:
    """This week's visits to one firm, as the complaint funnel needs them (per visit)."""

    visitors: np.ndarray  # consumer indices
    satisfaction: np.ndarray  # Delta-law score of the visit
    propensity: np.ndarray  # the visitor's segment's complaint propensity
    pull: np.ndarray  # toward other firms, last week
    member: np.ndarray  # of the focal firm's loyalty programme


@dataclass
class Handlers:
    """Who handles a firm's complaints this week."""

    skill: np.ndarray  # of the employee who served each visit
    empowerment: float
    reference_skill: float  # skill at which recovery has its base quality
    capacity: float  # cases handled on time this week


@dataclass
class ComplaintHandling:
    """This week's negative experiences at the focal firm and what became of them."""

    dissatisfied: np.ndarray  # customers with a negative experience (the truth)
    first_in_year: int  # of those, how many had none in the previous 52 weeks (the funnel's cases)
    complained: np.ndarray  # voiced it (what the firm sees)
    followed_up: np.ndarray  # silent, but found by proactive follow-up
    handled: np.ndarray  # complained + followed up
    outcome: np.ndarray  # an Outcome code per handled case
    silent: np.ndarray  # never heard of by the firm
    silent_lost: np.ndarray  # of the silent, those who leave at once
    contacts: int  # follow-up contacts made
    visits: int  # visits this week (the follow-up plan covers a share of them)

    def with_outcome(self, code: Outcome) -> np.ndarray:
        return self.handled[self.outcome == code]


def handle(
    consumers: Consumers,
    cases: Cases,
    handlers: Handlers,
    step: int,
    levers: ComplaintLevers,
    config: ComplaintsConfig,
    churn: ChurnConfig,
    rng: np.random.Generator,
) -> ComplaintHandling:
    """Voice, follow-up, recovery and silent defection for this week's visits.

    The CX-methods article's funnel counts customers per year, so it runs on
    a customer's first negative experience in 52 weeks; a repeat within the
    year hurts only through the Delta law (attitude and grievance). Reads and
    writes the visitors' last_negative; writes the attitude and grievance of
    the handled.
    """
    visitors, satisfaction = cases.visitors, cases.satisfaction
    bad = satisfaction < config.negative_experience_threshold
    dissatisfied = visitors[bad]
    before = consumers.last_negative[visitors]
    negative = bad & ((before < 0) | (before <= step - 52))  # first in a year
    consumers.last_negative[dissatisfied] = step
    dissatisfied_now = dissatisfied
    dissatisfied = visitors[negative]

    severity = config.negative_experience_threshold - satisfaction[negative]
    voiced = rng.random(len(dissatisfied)) < voice_probability(
        severity, cases.propensity[negative], levers, config
    )
    contacted = rng.random(len(visitors)) < levers.follow_up
    found = contacted[negative] & ~voiced
    handled_mask = voiced | found
    handled = dissatisfied[handled_mask]

    late = rng.permutation(len(handled)) >= handlers.capacity  # beyond this week's capacity
    handling = dataclasses.replace(handlers, skill=handlers.skill[negative][handled_mask])
    outcome = resolve(recovery_quality(handling, late, levers, config), config, rng)

    silent = dissatisfied[~handled_mask]
    p_leave = silent_loss_probability(
        cases.pull[negative][~handled_mask], cases.member[negative][~handled_mask], config, churn
    )
    silent_lost = silent[rng.random(len(silent)) < p_leave]

    recovered = handled[outcome == Outcome.recovered]
    consumers.attitude[recovered] = np.minimum(
        np.maximum(consumers.attitude[recovered], 0.0) + config.recovery_bonus, 1.0
    )
    consumers.grievance[recovered] *= 0.5
    unresolved = handled[outcome == Outcome.unresolved]
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


def handling_costs(
    handling: ComplaintHandling, employees: int, levers: ComplaintLevers, config: ComplaintsConfig
) -> float:
    """The week's cost of the complaint levers (all assumptions): cases handled
    (more for one-stop handling), recovery quality above the usual 38 %
    (training of the handlers), channels beyond the usual (ease above 1),
    handling capacity above the usual, and follow-up contacts (planned: a
    share `follow_up` of the week's visits)."""
    cases = len(handling.handled)
    return (
        cases * (config.handling_cost + config.one_stop_cost * levers.one_stop)
        + config.quality_cost * max(levers.recovery_quality - USUAL_RECOVERY_QUALITY, 0.0)
        + config.channel_cost * max(levers.ease - 1.0, 0.0)
        + config.capacity_cost
        * employees
        * max(levers.cases_per_employee - USUAL_CASES_PER_EMPLOYEE, 0.0)
        / 0.1
        + config.follow_up_cost * levers.follow_up * handling.visits
    )


def closed_form_funnel(
    revenue: float,
    negative_share: float,
    voice_share: float,
    follow_up: float,
    config: ComplaintsConfig,
) -> dict[str, float]:
    """The CX-methods article's arithmetic: revenue lost to complainers and to the silent.

    revenue x negative share x (voiced + followed-up) x 28 % for complainers;
    revenue x negative share x silent x 45 % for the silent. With the article's
    figures (USD 50 M, 22 %, 2 %, no follow-up): USD 61,600 and USD 4,851,000.
    """
    handled = voice_share + (1.0 - voice_share) * follow_up
    lost_if_handled = (1.0 - config.recovery_quality) * config.lost_share_of_unrecovered
    return {
        "complainer_loss": revenue * negative_share * handled * lost_if_handled,
        "silent_loss": revenue * negative_share * (1.0 - handled) * config.silent_loss_probability,
    }
