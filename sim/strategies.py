"""Customer-experience strategies: lever changes from a rollout step on (MODEL.md §9).

Each `strategy/NAME.yaml` switches on one strategy of `StrategyConfig`
(sim/config.py holds their parameters); several can be on at once
(`python run.py strategy=[staff_training,loyalty_program]`). None on is the
baseline, the "do nothing" every comparison is made against.

A strategy changes the model's own copy of its levers once, at its rollout
step (`start`), may act every week after (`every_week`), and may shape an
encounter (`experience_uplift`). What it costs reaches the ledger two ways:
a lever that already has a cost line (training, pay, complaint handling,
advertising) is costed there; a new outlay (programme rewards, referral
bonuses, delights, store investment) is the `strategy` cost line
(`cost`). The strategy's investment, the denominator of its ROI, is both
together plus any revenue given up (a price cut), measured against the levers
as they were before rollout (`LoyaltyModel._book`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import config as schema
from sim.config import DIMENSIONS, StrategyConfig, StrategyOptions
from sim.firms import RELATIONSHIP, SERVICE
from sim.population import N_DIMS
from sim.schedule import FromStep
from sim.survey import key_dimension, survey

if TYPE_CHECKING:
    from sim.model import LoyaltyModel

FOCAL = 0


@dataclass
class Week:
    """What a strategy's weekly cost may depend on."""

    visitors: np.ndarray  # the focal firm's visitors this week
    revenue: np.ndarray  # revenue of each of those visits
    referred: int  # new customers the focal firm won by referral


@dataclass
class Strategy(FromStep):
    """A documented set of lever changes with a cost, from `rollout_step` on:
    `start` makes the lever changes at rollout, `every_week` acts after."""

    options: StrategyOptions
    rollout_step: int

    def first_step(self) -> int:
        return self.rollout_step

    def experience_uplift(self, model: LoyaltyModel, visitors: np.ndarray) -> np.ndarray | None:
        """Extra experience (visitors x 6) of this week's focal visits, or None."""
        return None

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        """This week's new outlay (the `strategy` cost line); levers with a
        cost line of their own are costed there."""
        return 0.0

    def targeted(self, model: LoyaltyModel) -> np.ndarray:
        """Per consumer: in the target segment (everyone if none is named)."""
        segment = self.options.target_segment
        if segment is None:
            return np.ones(model.consumers.n, dtype=bool)
        return model.consumers.segment == model.segments.names.index(segment)

    def target_segments(self, model: LoyaltyModel) -> list[int]:
        segment = self.options.target_segment
        if segment is None:
            return list(range(len(model.segments.names)))
        return [model.segments.names.index(segment)]


class StaffTraining(Strategy):
    """Train the focal firm's staff more: `employees.training` becomes
    `strategy.staff_training.training` (default 0.6, from 0.2). Skill grows
    faster and engagement rises (seed 004 "员工培训"; the service-profit chain,
    seed 003). Costed on the `training` line."""

    options: schema.StaffTraining

    def start(self, model: LoyaltyModel) -> None:
        model.config.employees.training = self.options.training


class EmployeeEngagement(Strategy):
    """Pay, recognise and empower staff: `employees.pay`, `.recognition` and
    `.empowerment` become this strategy's values (defaults 1.1, 0.6, 0.6).
    Engaged staff serve better and stay (seed 003 "忠实的员工带来忠实的顾客";
    Heskett et al. 1994). Costed on the `staff` and `recognition` lines."""

    options: schema.EmployeeEngagement

    def start(self, model: LoyaltyModel) -> None:
        staff = model.config.employees
        staff.pay = self.options.pay
        staff.recognition = self.options.recognition
        staff.empowerment = self.options.empowerment


class EasyComplaints(Strategy):
    """Make complaining easy: more channels (`complaints.ease`, default 5x) and
    no incentive to keep the complaint count low (seed 001: only 2 % of the
    dissatisfied complain; the firm must hear the rest). Costed on the
    `complaints` line."""

    options: schema.EasyComplaints

    def start(self, model: LoyaltyModel) -> None:
        model.config.complaints.ease = self.options.ease
        model.config.complaints.count_incentive = self.options.count_incentive


class ServiceRecovery(Strategy):
    """Better recovery: higher recovery quality (default 0.6, from seed 001's
    38 %) and one-stop handling (seed 003: complaints handled warmly and in one
    stop keep the customer). Costed on the `complaints` line."""

    options: schema.ServiceRecovery

    def start(self, model: LoyaltyModel) -> None:
        complaints = model.config.complaints
        complaints.recovery_quality = self.options.recovery_quality
        complaints.one_stop = self.options.one_stop


class ProactiveFollowUp(Strategy):
    """Contact a share of recent customers (default 30 % of visits) to find the
    silent dissatisfied and handle them like complaints (seed 004
    "客户跟踪服务"; seed 001: 98 % never complain). Costed on the `complaints`
    line (per contact)."""

    options: schema.ProactiveFollowUp

    def start(self, model: LoyaltyModel) -> None:
        model.config.complaints.follow_up = self.options.follow_up


class LoyaltyProgram(Strategy):
    """A membership programme (seed 000 "会员制营销"): each week a share
    (`enrolment_rate`, default 5 %) of the target customers not yet members
    join. Members are harder to lose: `churn.membership_weight` lowers their
    churn hazard and silent defection. Costs: rewards, `reward_share` of
    members' spend (default 2 %), and `cost_per_member` a week."""

    options: schema.LoyaltyProgram

    def every_week(self, model: LoyaltyModel) -> None:
        c = model.consumers
        eligible = np.flatnonzero((c.provider == FOCAL) & ~c.member & self.targeted(model))
        joining = eligible[model.rng.random(len(eligible)) < self.options.enrolment_rate]
        c.member[joining] = True

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        members = model.consumers.member
        rewards = self.options.reward_share * week.revenue[members[week.visitors]].sum()
        return float(rewards + self.options.cost_per_member * members.sum())


class KeyExperience(Strategy):
    """Invest in the key experience (seed 001's seven steps, "美苏电器"): at
    rollout, survey the focal firm's (target) customers, find the dimension
    with the worst importance-weighted gap, and raise the offering there by
    `points` (default 1). `allocation: even` spreads the same points over all
    six dimensions instead: the same budget, unfocused. Costs `cost_per_point`
    per point, customer and week (the seed's extra stores on the same street)."""

    options: schema.KeyExperience
    dimension: str | None = None

    def start(self, model: LoyaltyModel) -> None:
        per_dimension = np.zeros(N_DIMS)
        if self.options.allocation == "key":
            table = survey(
                model, self.options.survey_sample, self.options.target_segment, model.rng
            )
            self.dimension = key_dimension(table)
            per_dimension[DIMENSIONS.index(self.dimension)] = self.options.points
        else:
            per_dimension[:] = self.options.points / N_DIMS
        model.market.focal_segment_bonus[self.target_segments(model)] += per_dimension

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        customers = int((model.consumers.provider == FOCAL).sum())
        return self.options.cost_per_point * self.options.points * customers


class AdvertisingPush(Strategy):
    """Advertise more and promise more: the focal firm's reach (default 5 %,
    from 2 %) and its promise premium (default 1 point above what it delivers).
    It acquires, and raises expectations (seed 001 "客户期望决定因素": what a
    firm promises sets what customers expect). Costed on the `advertising` line."""

    options: schema.AdvertisingPush

    def start(self, model: LoyaltyModel) -> None:
        market = model.market
        market.advertising_reach[FOCAL] = self.options.advertising_reach
        market.promise[FOCAL] = np.clip(
            market.offering[FOCAL] + self.options.promise_premium, 0.0, 10.0
        )


class PriceCut(Strategy):
    """Cut the price index (default 0.9, a 10 % cut): more value for money on
    the price dimension, less revenue per visit. Its investment is the revenue
    given up at the new price."""

    options: schema.PriceCut

    def start(self, model: LoyaltyModel) -> None:
        model.market.price[FOCAL] = self.options.price


class ReferralProgram(Strategy):
    """Reward referrals (seed 003: loyal customers bring others): referral
    conversion rises (default 0.2, from 0.13) and each new customer won by
    referral costs `reward_per_referral` (default 20)."""

    options: schema.ReferralProgram

    def start(self, model: LoyaltyModel) -> None:
        model.config.word_of_mouth.referral_conversion = self.options.referral_conversion

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        return self.options.reward_per_referral * week.referred


class SurpriseAndDelight(Strategy):
    """Surprise a share of visits (default 5 %) of the target customers with
    something they did not expect: `delight_points` more on relationship for
    that encounter (seed 001: exceeding expectations is what delights,
    "三角定律"). Costs `cost_per_delight` each."""

    options: schema.SurpriseAndDelight
    delights = 0  # this week's

    def experience_uplift(self, model: LoyaltyModel, visitors: np.ndarray) -> np.ndarray | None:
        uplift = np.zeros((len(visitors), N_DIMS))
        chosen = self.targeted(model)[visitors] & (
            model.rng.random(len(visitors)) < self.options.delight_probability
        )
        uplift[chosen, RELATIONSHIP] = self.options.delight_points
        self.delights = int(chosen.sum())
        return uplift

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        return self.options.cost_per_delight * self.delights


class FocusBestCustomers(Strategy):
    """Serve the most valuable segment better (seed 001 "两个聚焦的金科玉律":
    not all customers matter equally; find the best): a premium tier with more
    service and relationship (default +1 point each) for the target segment,
    by default the one with the highest spend a week per customer. Costs
    `cost_per_customer` a week per customer in the tier."""

    options: schema.FocusBestCustomers
    segment: int = -1

    def start(self, model: LoyaltyModel) -> None:
        if self.options.target_segment is None:
            weekly = model.segments.spend_per_visit * model.segments.visit_probability
            self.segment = int(np.argmax(weekly))
        else:
            self.segment = model.segments.names.index(self.options.target_segment)
        bonus = model.market.focal_segment_bonus[self.segment]
        bonus[SERVICE] += self.options.service_points
        bonus[RELATIONSHIP] += self.options.relationship_points

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        c = model.consumers
        tier = (c.provider == FOCAL) & (c.segment == self.segment)
        return self.options.cost_per_customer * float(tier.sum())


STRATEGIES: dict[str, type[Strategy]] = {
    "staff_training": StaffTraining,
    "employee_engagement": EmployeeEngagement,
    "easy_complaints": EasyComplaints,
    "service_recovery": ServiceRecovery,
    "proactive_follow_up": ProactiveFollowUp,
    "loyalty_program": LoyaltyProgram,
    "key_experience": KeyExperience,
    "advertising_push": AdvertisingPush,
    "price_cut": PriceCut,
    "referral_program": ReferralProgram,
    "surprise_and_delight": SurpriseAndDelight,
    "focus_best_customers": FocusBestCustomers,
}


@dataclass
class Strategies:
    """The strategies in force, applied in the schema's order; none is the baseline."""

    members: list[Strategy]

    def apply(self, model: LoyaltyModel) -> None:
        for strategy in self.members:
            strategy.apply(model)

    def experience_uplift(self, model: LoyaltyModel, visitors: np.ndarray) -> np.ndarray:
        total = np.zeros((len(visitors), N_DIMS))
        for strategy in self.members:
            if strategy.started:
                uplift = strategy.experience_uplift(model, visitors)
                if uplift is not None:
                    total += uplift
        return total

    def cost(self, model: LoyaltyModel, week: Week) -> float:
        return float(sum(s.cost(model, week) for s in self.members if s.started))


def build(config: StrategyConfig) -> Strategies:
    """The strategies switched on in `config`, each with its rollout step."""
    return Strategies(
        [
            STRATEGIES[name](
                options,
                config.rollout_step if options.rollout_step is None else options.rollout_step,
            )
            for name, options in config.enabled().items()
        ]
    )
