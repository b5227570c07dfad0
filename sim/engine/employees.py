"""Employees of the focal firm and the service-profit chain (docs/ODD.md 7.3a).

Loyal employees make loyal customers (the satisfaction article,
忠实的员工带来忠实的顾客; the employee-loyalty article, 从员工忠诚到顾客忠诚;
Heskett et al. 1994). Pay, training,
recognition, empowerment, workload, how the firm is doing and how satisfied
their customers are drive engagement. Engaged, skilled employees deliver
better service with fewer failures. Disengaged ones quit, leaving a vacancy,
a low-skill new hire, and customers who lose their relationship. Some of
those customers follow the employee out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from scipy.special import expit

from sim.codes import NO_EMPLOYEE
from sim.config import EmployeesConfig
from sim.engine.levers import StaffLevers
from sim.engine.population import Consumers


def target_engagement(
    pay: float | np.ndarray,
    levers: StaffLevers,
    overload: np.ndarray,
    firm_performance: float,
    customer_satisfaction: np.ndarray,
    config: EmployeesConfig,
) -> np.ndarray:
    """The engagement an employee tends to, in [0, 1]: a logistic score.

    Pay relative to the market (with any profit-sharing bonus), training,
    recognition and empowerment raise it; overload (visits beyond capacity)
    lowers it; a firm doing well and satisfied customers raise it (docs/ODD.md
    7.3a). Weights are assumptions.
    """
    c = config
    score = (
        c.engagement_bias
        + c.pay_weight * (np.asarray(pay) - 1.0)
        + c.training_weight * levers.training
        + c.recognition_weight * levers.recognition
        + c.empowerment_weight * levers.empowerment
        - c.overload_weight * overload
        + c.firm_performance_weight * firm_performance
        + c.customer_satisfaction_weight * customer_satisfaction
    )
    return expit(score)


def quit_hazard(
    engagement: np.ndarray, labour_market_tightness: float, config: EmployeesConfig
) -> np.ndarray:
    """Weekly probability of quitting: sigmoid(q0 - w * engagement + labour market).

    Defaults give about 60 % annual turnover at engagement 0.3 and about 15 % at
    0.8 (assumption, in the range reported for retail and service staff).
    """
    return expit(
        config.quit_base_logit
        - config.quit_engagement_weight * engagement
        + labour_market_tightness
    )


@dataclass
class Staff:
    """One row per position of the focal firm; a vacant position has no employee."""

    filled: np.ndarray  # bool
    skill: np.ndarray  # [0, 1]
    engagement: np.ndarray  # [0, 1]
    tenure: np.ndarray  # weeks in the job
    workload: np.ndarray  # visits served this week / capacity
    served_satisfaction: np.ndarray  # mean tanh(satisfaction) of customers served
    vacancy_weeks: np.ndarray  # weeks until a vacant position is filled
    margin: float = 0.0  # recent profit margin (moving average)
    firm_performance: float = 0.0  # tanh(margin / reference margin)
    bonus_per_employee: float = 0.0  # last week's profit-sharing bonus

    @classmethod
    def initial(cls, positions: int, config: EmployeesConfig, rng: np.random.Generator) -> Staff:
        """A staff already in post: tenure about three years on average, skill
        grown from a new hire's over that tenure, fairly engaged (assumption)."""
        tenure = rng.geometric(1 / 150, positions).astype(np.int32)
        growth = config.learning_rate * (1.0 + config.training_learning_boost * config.training)
        unlearned = (1.0 - config.new_hire_skill) * np.exp(-growth * tenure)
        return cls(
            filled=np.ones(positions, dtype=bool),
            skill=1.0 - unlearned,
            engagement=rng.uniform(0.6, 0.9, positions),
            tenure=tenure,
            workload=np.zeros(positions),
            served_satisfaction=np.zeros(positions),
            vacancy_weeks=np.zeros(positions, dtype=np.int32),
        )

    @property
    def positions(self) -> int:
        return len(self.filled)

    def open_positions(self, count: int, weeks_to_fill: int) -> None:
        """Add `count` vacant positions, filled after `weeks_to_fill` weeks."""
        self.filled = np.concatenate([self.filled, np.zeros(count, dtype=bool)])
        for name in ("skill", "engagement", "workload", "served_satisfaction"):
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(count)]))
        self.tenure = np.concatenate([self.tenure, np.zeros(count, dtype=np.int32)])
        waiting = np.full(count, weeks_to_fill, dtype=np.int32)
        self.vacancy_weeks = np.concatenate([self.vacancy_weeks, waiting])

    def overload(self) -> np.ndarray:
        return np.maximum(self.workload - 1.0, 0.0)


@dataclass
class ServiceDelivery:
    """What the serving employees add to this week's focal-firm encounters."""

    employee: np.ndarray  # position serving each visit
    service: np.ndarray  # points added to the service dimension
    relationship: np.ndarray  # points added to the relationship dimension
    failure_multiplier: np.ndarray  # factor on the firm's failure probability


def serve(
    consumers: Consumers,
    visitors: np.ndarray,
    staff: Staff,
    config: EmployeesConfig,
    rng: np.random.Generator,
) -> ServiceDelivery:
    """Each visit is served by the customer's usual employee (a new one if
    they have none or theirs has left); service follows that employee's
    skill and engagement, failures fall with skill and rise with overload.
    Reads the staff's skill and engagement; writes their workload, and the
    visitors' usual employee and bond.
    """
    employee = np.empty(len(visitors), dtype=consumers.employee.dtype)
    orphan = np.empty(len(visitors), dtype=np.bool_)
    _usual_employee(visitors, consumers.employee, staff.filled, employee, orphan)
    filled = np.flatnonzero(staff.filled)
    if len(filled):
        employee[orphan] = rng.choice(filled, size=int(orphan.sum()))
    else:
        employee[:] = NO_EMPLOYEE

    served = employee != NO_EMPLOYEE
    staff.workload = (
        np.bincount(employee[served], minlength=staff.positions) / config.capacity_visits
    )
    # what an employee adds depends on the employee alone: once per position,
    # and once for a visit no one serves (skill and engagement count as 0)
    skill = np.append(staff.skill, 0.0)
    engagement = np.append(staff.engagement, 0.0)
    overload = staff.overload()
    overload = np.append(overload, overload[0] if len(overload) else 0.0)  # as numpy indexed it
    service = config.service_skill_effect * (
        skill - config.reference_skill
    ) + config.service_engagement_effect * (engagement - config.reference_engagement)
    failure = np.exp(-config.failure_skill_effect * (skill - config.reference_skill)) * (
        1.0 + config.overload_failure_effect * overload
    )
    delivery = ServiceDelivery(
        employee, *(np.empty(len(visitors)) for _ in ("service", "relationship", "failure"))
    )
    _attend(
        visitors,
        employee,
        orphan,
        service,
        failure,
        np.array([config.bond_effect, config.reference_bond, config.bond_rate]),
        consumers.employee,
        consumers.bond,
        delivery.service,
        delivery.relationship,
        delivery.failure_multiplier,
    )
    return delivery


@njit(cache=True, parallel=True)
def _usual_employee(visitors, usual, filled, employee, orphan):
    """Per visit, the customer's usual employee, and whether they have none
    (or theirs has left)."""
    for v in prange(len(visitors)):
        e = usual[visitors[v]]
        employee[v] = e
        orphan[v] = (e == NO_EMPLOYEE) | ~filled[max(e, 0)]  # branch-free


@njit(cache=True, parallel=True)
def _attend(
    visitors,
    employee,
    orphan,
    service_by,
    failure_by,
    bond_params,
    usual,
    bond,
    service,
    relationship,
    failure,
):
    """Per visit, what the serving employee adds to service and to the
    failure rate (row `positions` of `service_by` and `failure_by`: no one),
    and what the customer's bond with them adds to the relationship; then the
    bond grows, from 0 with a new employee. Writes the visitors' usual
    employee and bond."""
    effect, reference, rate = bond_params
    no_one = len(service_by) - 1
    for v in prange(len(visitors)):
        i, e = visitors[v], employee[v]
        row = e if e != NO_EMPLOYEE else no_one
        service[v] = service_by[row]
        failure[v] = failure_by[row]
        usual[i] = e
        if orphan[v]:
            bond[i] = 0.0
        relationship[v] = effect * (bond[i] - reference)
        bond[i] += rate * (1.0 - bond[i])


def develop(
    staff: Staff,
    delivery: ServiceDelivery,
    felt: np.ndarray,
    levers: StaffLevers,
    config: EmployeesConfig,
) -> None:
    """A week in the job: engagement moves toward its target, skill grows.
    `felt` is how each visit felt to the customer, tanh(satisfaction /
    scale) (`Encounters.felt`). Writes the staff's served_satisfaction,
    engagement, skill and tenure."""
    visits = np.zeros(staff.positions, dtype=np.int64)
    felt_by = np.zeros(staff.positions)
    _tally_served(delivery.employee, felt, visits, felt_by)
    served = np.zeros(staff.positions)
    staff.served_satisfaction = np.divide(felt_by, visits, out=served, where=visits > 0)
    pay = levers.pay + staff.bonus_per_employee / config.wage if config.wage else levers.pay
    target = target_engagement(
        pay,
        levers,
        staff.overload(),
        staff.firm_performance,
        staff.served_satisfaction,
        config,
    )
    f = staff.filled
    staff.engagement[f] += config.engagement_rate * (target[f] - staff.engagement[f])
    growth = config.learning_rate * (1.0 + config.training_learning_boost * levers.training)
    staff.skill[f] += growth * (1.0 - staff.skill[f])
    staff.tenure[f] += 1


@njit(cache=True)
def _tally_served(employee, felt, visits, felt_by):
    """Per position, the visits it served and the sum of how they felt (in
    the order of the visits, as np.bincount adds them)."""
    for v in range(len(employee)):
        e = employee[v]
        if e != NO_EMPLOYEE:
            visits[e] += 1
            felt_by[e] += felt[v]


@dataclass
class Turnover:
    quits: np.ndarray  # positions whose employee left this week
    hires: np.ndarray  # positions filled this week
    orphaned: np.ndarray  # customers who lost their usual employee
    followers: np.ndarray  # of those, customers who follow the employee out


def hiring_delay(labour_market_tightness: float, config: EmployeesConfig) -> int:
    """Weeks a vacancy stays open: longer in a tight labour market."""
    return round(config.hiring_delay * (1.0 + max(labour_market_tightness, 0.0)))


def staff_up(
    staff: Staff, customers: int, labour_market_tightness: float, config: EmployeesConfig
) -> int:
    """The firm's staffing review: open the positions a grown customer base
    needs (`customers_per_employee` each); a shrinking one loses staff only as
    they quit. Returns the positions opened; writes the staff table."""
    needed = math.ceil(customers / config.customers_per_employee) - staff.positions
    if needed > 0:
        staff.open_positions(needed, hiring_delay(labour_market_tightness, config))
    return max(needed, 0)


def turnover(
    staff: Staff,
    consumers: Consumers,
    labour_market_tightness: float,
    config: EmployeesConfig,
    rng: np.random.Generator,
) -> Turnover:
    """Quits, their customers' lost relationships, and hires into vacancies.
    Writes the staff table (filled, skill, engagement, tenure, vacancy_weeks)
    and the orphaned customers' usual employee and bond."""
    waiting = ~staff.filled
    staff.vacancy_weeks[waiting] -= 1
    hires = np.flatnonzero(waiting & (staff.vacancy_weeks <= 0))
    staff.filled[hires] = True
    staff.skill[hires] = config.new_hire_skill
    staff.engagement[hires] = config.new_hire_engagement
    staff.tenure[hires] = 0

    hazard = quit_hazard(staff.engagement, labour_market_tightness, config)
    leaving = staff.filled & (rng.random(staff.positions) < hazard)
    leaving[hires] = False
    quits = np.flatnonzero(leaving)
    staff.filled[quits] = False
    staff.vacancy_weeks[quits] = hiring_delay(labour_market_tightness, config)

    orphaned = customers_of(consumers.employee, quits, staff.positions)
    follow = rng.random(len(orphaned)) < config.follow_probability * consumers.bond[orphaned]
    consumers.employee[orphaned] = NO_EMPLOYEE
    consumers.bond[orphaned] = 0.0
    return Turnover(quits, hires, orphaned, orphaned[follow])


def customers_of(employee: np.ndarray, positions: np.ndarray, n_positions: int) -> np.ndarray:
    """The consumers whose usual employee holds one of `positions`."""
    if not len(positions):
        return np.empty(0, dtype=np.int64)
    chosen = np.zeros(n_positions, dtype=np.bool_)
    chosen[positions] = True
    found = np.empty(len(employee), dtype=np.bool_)
    _served_by(employee, chosen, found)
    return np.flatnonzero(found)


@njit(cache=True, parallel=True)
def _served_by(employee, chosen, found):
    for i in prange(len(employee)):
        found[i] = (employee[i] != NO_EMPLOYEE) & chosen[max(employee[i], 0)]  # branch-free


def staff_costs(employed: int, levers: StaffLevers, config: EmployeesConfig) -> dict[str, float]:
    """The week's cost of the staff levers: wages at `pay`, training, and
    recognition and empowerment (one line), per employee in post."""
    return {
        "staff": employed * config.wage * levers.pay,
        "training": employed * levers.training * config.training_cost,
        "recognition": employed
        * (
            levers.recognition * config.recognition_cost
            + levers.empowerment * config.empowerment_cost
        ),
    }


def payroll(
    staff: Staff, profit_before_staff: float, levers: StaffLevers, config: EmployeesConfig
) -> dict:
    """The week's staff cost lines. Profit sharing pays a share of what is
    left after the other staff costs, when positive, as a bonus (writes the
    staff's bonus_per_employee)."""
    employed = int(staff.filled.sum())
    lines = staff_costs(employed, levers, config)
    bonus = levers.profit_sharing * max(profit_before_staff - sum(lines.values()), 0.0)
    staff.bonus_per_employee = bonus / employed if employed else 0.0
    lines["staff"] += bonus
    return lines


def observe_firm(staff: Staff, profit: float, revenue: float, config: EmployeesConfig) -> None:
    """Staff sense how the firm is doing: a 10-week average of the profit
    margin (writes the staff's margin and firm_performance)."""
    margin = profit / revenue if revenue else 0.0
    staff.margin = 0.9 * staff.margin + 0.1 * margin
    staff.firm_performance = float(np.tanh(staff.margin / config.reference_margin))
