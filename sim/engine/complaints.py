"""Negative experiences, voice and service recovery (docs/ODD.md 7.3b).

The CX-methods article's case (负面客户体验的成本): 22 % of customers have a
negative experience in a year; only 2 % of those are voiced; of complainers
38 % are recovered, 34 % stay at risk and 28 % leave; of the silent, 45 %
leave. Here none of these is a rate typed in: a negative experience is a
visit far below expectation (the Delta law), voice is each customer's own
choice (their readiness to complain, how bad it was, how loyal they are, how
easy the firm makes it), recovery follows from who handles the complaint and
how soon, and leaving is the churn hazard's choice, which a negative
experience left unresolved raises that week (sim/engine/churn.py). The firm
sees complaints, not silent dissatisfaction.

The mechanisms act on every negative experience. The article counts
customers a year, so the funnel is counted as it does: a customer's first
negative experience in a year opens an *episode* (`Episode`: the firm never
heard of it, or heard and recovered it, or left it unresolved), and a
customer who leaves within the year of an unresolved or silent episode is a
loss of that episode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import Episode, Outcome
from sim.config import ComplaintsConfig
from sim.engine.levers import ComplaintLevers
from sim.engine.population import Consumers

USUAL_EMPOWERMENT = 0.3
"""The empowerment of staff at which recovery has its base quality (the
default lever, employees.empowerment)."""
USUAL_RECOVERY_QUALITY = 0.38
"""The CX-methods article's recovery rate: quality above it costs training."""
USUAL_CASES_PER_EMPLOYEE = 0.3
"""Handling capacity that comes with the staff at no extra cost (the default lever)."""
YEAR = 52


def voice_probability(
    severity: np.ndarray,
    propensity: np.ndarray,
    loyalty: np.ndarray,
    levers: ComplaintLevers,
    config: ComplaintsConfig,
) -> np.ndarray:
    """Chance that a negative experience is voiced as a complaint.

    p = 1 - exp(-r), r = voice_rate x ease x propensity
                         x exp(w_s (severity - 1) + w_l loyalty) x (1 - incentive x suppression)

    `propensity` is the customer's own readiness (a lasting trait, mean 1)
    times their segment's. Worse experiences are voiced more; loyal
    customers complain rather than leave (Hirschman 1970: exit, voice and
    loyalty). Making complaining easy multiplies the rate, which raises voice
    less than in proportion: the ready complain already, most never do (TARP).
    Rewarding staff for *fewer* complaints suppresses voice, not
    dissatisfaction (the CX-methods article).
    """
    rate = (
        config.voice_rate
        * levers.ease
        * propensity
        * np.exp(
            config.voice_severity_weight * (severity - 1.0) + config.voice_loyalty_weight * loyalty
        )
        * (1.0 - levers.count_incentive * config.incentive_suppression)
    )
    return -np.expm1(-rate)


@dataclass
class Cases:
    """This week's visits to one firm, as the complaint funnel needs them (per
    visit). The model passes only the visits below the threshold, and counts
    the others in `other_visits` (follow-up contacts and costs need them)."""

    visitors: np.ndarray  # consumer indices
    satisfaction: np.ndarray  # Delta-law score of the visit
    segment_propensity: np.ndarray  # the visitor's segment's readiness to complain
    other_visits: int = 0  # the firm's visits this week not among these


@dataclass
class Handlers:
    """Who handles a firm's complaints this week."""

    skill: np.ndarray  # of the employee who served each visit
    empowerment: float
    reference_skill: float  # skill at which recovery has its base quality
    capacity: float  # cases handled on time this week


def recovery_probability(
    skill: np.ndarray,
    loyalty: np.ndarray,
    severity: np.ndarray,
    late: np.ndarray,
    handlers: Handlers,
    levers: ComplaintLevers,
    config: ComplaintsConfig,
) -> np.ndarray:
    """Chance that a handled complaint ends with a satisfied customer.

    The firm's recovery process (`recovery_quality`, a lever) for a typical
    complaint, handled on time by a reference employee; more with the
    skill and empowerment of who handles it and with one-stop handling (the
    satisfaction article), more for a loyal customer (who gives the firm the
    benefit of the doubt), less for a worse experience, and a fraction of it
    when handled late, beyond the week's capacity.
    """
    q = (
        levers.recovery_quality
        + config.recovery_skill_effect * (skill - handlers.reference_skill)
        + config.recovery_empowerment_effect * (handlers.empowerment - USUAL_EMPOWERMENT)
        + config.one_stop_bonus * levers.one_stop
        + config.recovery_loyalty_effect * loyalty
        - config.recovery_severity_effect * severity
    )
    return np.clip(q, 0.0, 1.0) * np.where(late, config.late_quality_factor, 1.0)


@dataclass
class ComplaintHandling:
    """This week's negative experiences at one firm (or all rivals) and what
    became of them, per experience and, for the article's funnel, per
    episode. `settle` counts the episodes' losses once the week's exits are known."""

    dissatisfied: np.ndarray  # customers with a negative experience (the truth)
    complained: np.ndarray  # voiced it (what the firm sees)
    followed_up: np.ndarray  # silent, but found by proactive follow-up
    handled: np.ndarray  # complained + followed up
    outcome: np.ndarray  # an Outcome code per handled case: recovered or unresolved
    silent: np.ndarray  # never heard of by the firm
    episodes: np.ndarray  # count of the episodes begun this week, by Episode code
    contacts: int  # follow-up contacts made
    visits: int  # visits this week (the follow-up plan covers a share of them)
    losses: np.ndarray | None = None  # lost this week within a year of an episode, by code

    def with_outcome(self, code: Outcome) -> np.ndarray:
        return self.handled[self.outcome == code]

    def settle(self, consumers: Consumers, leavers: np.ndarray, clock: int) -> None:
        """Count the `leavers` (of this firm, this week) who leave within a
        year of an episode, by how it began. Reads episode and episode_start."""
        recent = clock - consumers.episode_start[leavers] < YEAR
        self.losses = np.bincount(consumers.episode[leavers][recent], minlength=len(Episode))


def handle(
    consumers: Consumers,
    cases: Cases,
    handlers: Handlers,
    clock: int,
    levers: ComplaintLevers,
    config: ComplaintsConfig,
    rng: np.random.Generator,
) -> ComplaintHandling:
    """Negative experiences among this week's visits to one firm: voiced or
    silent; complaints (and silent customers found by follow-up) handled,
    recovered or not. Exit is decided by the churn hazard, later in the week.

    `clock` is the week, counted from the start of the burn-in. Reads the
    visitors' loyalty and complaint propensity; reads and writes their
    last_negative; writes the episode of those whose first negative
    experience in a year this is, and the attitude and grievance of the handled.
    """
    visitors, satisfaction = cases.visitors, cases.satisfaction
    bad = satisfaction < config.negative_experience_threshold
    dissatisfied = visitors[bad]
    before = consumers.last_negative[dissatisfied]
    opens = (before < 0) | (before <= clock - YEAR)  # first in a year: an episode
    consumers.last_negative[dissatisfied] = clock

    severity = config.negative_experience_threshold - satisfaction[bad]
    loyalty = consumers.loyalty[dissatisfied]
    propensity = cases.segment_propensity[bad] * consumers.complaint_propensity[dissatisfied]
    voiced = rng.random(len(dissatisfied)) < voice_probability(
        severity, propensity, loyalty, levers, config
    )
    contacted = rng.random(len(visitors)) < levers.follow_up
    contacts = int(contacted.sum()) + int(rng.binomial(cases.other_visits, levers.follow_up))
    found = contacted[bad] & ~voiced
    handled_mask = voiced | found
    handled = dissatisfied[handled_mask]

    late = rng.permutation(len(handled)) >= handlers.capacity  # beyond this week's capacity
    q = recovery_probability(
        handlers.skill[bad][handled_mask],
        loyalty[handled_mask],
        severity[handled_mask],
        late,
        handlers,
        levers,
        config,
    )
    recovered = rng.random(len(handled)) < q
    outcome = np.where(recovered, Outcome.recovered, Outcome.unresolved).astype(np.int8)

    episode = np.full(len(dissatisfied), Episode.silent, dtype=np.int8)
    episode[np.flatnonzero(handled_mask)] = np.where(
        recovered, Episode.recovered, Episode.unresolved
    )
    starting = dissatisfied[opens]
    consumers.episode_start[starting] = clock
    consumers.episode[starting] = episode[opens]

    won_back = handled[recovered]
    consumers.attitude[won_back] = np.minimum(
        np.maximum(consumers.attitude[won_back], 0.0) + config.recovery_bonus, 1.0
    )
    consumers.grievance[won_back] *= 0.5
    still_unhappy = handled[~recovered]
    consumers.attitude[still_unhappy] = np.maximum(
        consumers.attitude[still_unhappy] - config.unresolved_attitude_penalty, -1.0
    )
    return ComplaintHandling(
        dissatisfied=dissatisfied,
        complained=dissatisfied[voiced],
        followed_up=dissatisfied[found],
        handled=handled,
        outcome=outcome,
        silent=dissatisfied[~handled_mask],
        episodes=np.bincount(episode[opens], minlength=len(Episode)),
        contacts=contacts,
        visits=len(visitors) + cases.other_visits,
    )


def handling_costs(
    handling: ComplaintHandling, employees: int, levers: ComplaintLevers, config: ComplaintsConfig
) -> float:
    """The week's cost of the complaint levers, each a rate on the work it adds
    (all assumptions): per case handled (more in one stop, and more for recovery
    quality above the usual 38 %: longer, more senior handling), per complaint
    received through channels beyond the usual (ease above 1), per employee for
    handling capacity above the usual, and per follow-up contact (planned: a
    share `follow_up` of the week's visits). A strategy's cost grows with its use."""
    cases = len(handling.handled)
    quality = max(levers.recovery_quality - USUAL_RECOVERY_QUALITY, 0.0) / 0.1
    return (
        cases
        * (
            config.handling_cost
            + config.one_stop_cost * levers.one_stop
            + config.quality_cost_per_case * quality
        )
        + config.channel_cost_per_complaint * max(levers.ease - 1.0, 0.0) * len(handling.complained)
        + config.capacity_cost
        * employees
        * max(levers.cases_per_employee - USUAL_CASES_PER_EMPLOYEE, 0.0)
        / 0.1
        + config.follow_up_cost * levers.follow_up * handling.visits
    )


@dataclass(frozen=True)
class Funnel:
    """The shares of the CX-methods article's funnel (负面客户体验的成本)."""

    negative_share: float  # of customers, with a negative experience a year
    voiced_share: float  # of negative experiences, voiced (or found by follow-up)
    lost_share_of_complainers: float
    silent_loss_share: float


ARTICLE_FUNNEL = Funnel(0.22, 0.02, 0.28, 0.45)
"""The article's own figures."""


def closed_form_funnel(revenue: float, funnel: Funnel) -> dict[str, float]:
    """The CX-methods article's arithmetic: revenue lost to complainers and to the silent.

    revenue x negative share x voiced x lost share of complainers, and
    revenue x negative share x silent x silent loss share. With the article's
    figures (USD 50 M, 22 %, 2 %, 28 %, 45 %): USD 61,600 and USD 4,851,000.
    """
    negative = revenue * funnel.negative_share
    return {
        "complainer_loss": negative * funnel.voiced_share * funnel.lost_share_of_complainers,
        "silent_loss": negative * (1.0 - funnel.voiced_share) * funnel.silent_loss_share,
    }
