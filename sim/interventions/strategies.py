"""Customer-experience strategies: lever changes from a rollout step on
(docs/ODD.md 7.9).

Each `strategy/NAME.yaml` switches on one strategy of `StrategyConfig`
(sim/config.py holds their parameters); several can be on at once
(`python run.py strategy=[staff_training,loyalty_program]`). None on is the
baseline, the "do nothing" every comparison is made against.

A strategy moves its levers (sim/engine/levers.py, or the firms' table) once,
at its rollout step (`start`), may act every week after (`every_week`), and
may shape an encounter (`experience_uplift`); it sees the market only through
`World`. What it costs reaches the ledger two ways: a lever that already has
a cost line (training, pay, complaint handling, advertising) is costed there;
a new outlay (programme rewards, referral bonuses, delights, store
investment) is the `strategy` cost line (`cost`). The strategy's investment,
the denominator of its ROI, is both together plus any revenue given up (a
price cut), measured against the levers as they were before rollout
(`LoyaltyModel.book`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import DIMENSIONS, FOCAL, N_DIMS, Dimension
from sim.config import (
    AdvertisingPushOptions,
    EasyComplaintsOptions,
    EmployeeEngagementOptions,
    FocusBestCustomersOptions,
    KeyExperienceOptions,
    LoyaltyProgramOptions,
    OnboardingOptions,
    PriceCutOptions,
    ProactiveFollowUpOptions,
    ReferralProgramOptions,
    ServiceRecoveryOptions,
    StaffTrainingOptions,
    StrategyConfig,
    StrategyOptions,
    SurpriseAndDelightOptions,
)
from sim.interventions.schedule import FromStep
from sim.interventions.survey import key_dimension, survey
from sim.interventions.world import World


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

    def experience_uplift(self, world: World, visitors: np.ndarray) -> np.ndarray | None:
        """Extra experience (visitors x 6) of this week's focal visits, or None."""
        return None

    def cost(self, world: World, week: Week) -> float:
        """This week's new outlay (the `strategy` cost line); levers with a
        cost line of their own are costed there."""
        return 0.0

    def targeted(self, world: World) -> np.ndarray:
        """Per consumer: in the target segment (everyone if none is named)."""
        segment = self.options.target_segment
        if segment is None:
            return np.ones(world.consumers.n, dtype=bool)
        return world.consumers.segment == world.segments.names.index(segment)

    def target_segments(self, world: World) -> list[int]:
        segment = self.options.target_segment
        if segment is None:
            return list(range(len(world.segments.names)))
        return [world.segments.names.index(segment)]


class StaffTraining(Strategy):
    """Train the focal firm's staff more: `employees.training` becomes
    `strategy.staff_training.training` (default 0.6, from 0.2). Skill grows
    faster and engagement rises (the employee-loyalty article, 员工培训; the
    service-profit chain, the satisfaction article). Costed on the `training` line."""

    options: StaffTrainingOptions

    def start(self, world: World) -> None:
        world.levers.staff.training = self.options.training


class EmployeeEngagement(Strategy):
    """Pay, recognise and empower staff: `employees.pay`, `.recognition` and
    `.empowerment` become this strategy's values (defaults 1.1, 0.6, 0.6).
    Engaged staff serve better and stay (the satisfaction article, 忠实的员工带来忠实的顾客;
    Heskett et al. 1994). Costed on the `staff` and `recognition` lines."""

    options: EmployeeEngagementOptions

    def start(self, world: World) -> None:
        staff = world.levers.staff
        staff.pay = self.options.pay
        staff.recognition = self.options.recognition
        staff.empowerment = self.options.empowerment


class EasyComplaints(Strategy):
    """Make complaining easy: more channels (`complaints.ease`, default 5x) and
    no incentive to keep the complaint count low (the CX-methods article: only 2 % of the
    dissatisfied complain; the firm must hear the rest). Costed on the
    `complaints` line."""

    options: EasyComplaintsOptions

    def start(self, world: World) -> None:
        world.levers.complaints.ease = self.options.ease
        world.levers.complaints.count_incentive = self.options.count_incentive


class ServiceRecovery(Strategy):
    """Better recovery: higher recovery quality (default 0.6, from the CX-methods
    article's 38 %) and one-stop handling (the satisfaction article: complaints
    handled warmly and in one stop keep the customer). Costed on the
    `complaints` line."""

    options: ServiceRecoveryOptions

    def start(self, world: World) -> None:
        complaints = world.levers.complaints
        complaints.recovery_quality = self.options.recovery_quality
        complaints.one_stop = self.options.one_stop


class ProactiveFollowUp(Strategy):
    """Contact a share of recent customers (default 30 % of visits) to find the
    silent dissatisfied and handle them like complaints (the employee-loyalty
    article, 客户跟踪服务; the CX-methods article: 98 % never complain). Costed on the `complaints`
    line (per contact)."""

    options: ProactiveFollowUpOptions

    def start(self, world: World) -> None:
        world.levers.complaints.follow_up = self.options.follow_up


class LoyaltyProgram(Strategy):
    """A membership programme (the CX-management overview, 会员制营销): each week a share
    (`enrolment_rate`, default 5 %) of the target customers not yet members
    join. Members are harder to lose: `churn.membership_weight` lowers their
    churn hazard and silent defection. Costs: rewards, `reward_share` of
    members' spend (default 2 %), and `cost_per_member` a week."""

    options: LoyaltyProgramOptions

    def every_week(self, world: World) -> None:
        c = world.consumers
        eligible = np.flatnonzero((c.provider == FOCAL) & ~c.member & self.targeted(world))
        joining = eligible[world.rng.random(len(eligible)) < self.options.enrolment_rate]
        c.member[joining] = True

    def cost(self, world: World, week: Week) -> float:
        members = world.consumers.member
        rewards = self.options.reward_share * week.revenue[members[week.visitors]].sum()
        return float(rewards + self.options.cost_per_member * members.sum())


class KeyExperience(Strategy):
    """Invest in the key experience (the CX-methods article's seven steps, 美苏电器): at
    rollout, survey the focal firm's (target) customers, find the dimension
    with the worst importance-weighted gap, and raise the offering there by
    `points` (default 1). `allocation: even` spreads the same points over all
    six dimensions instead: the same budget, unfocused. Costs `cost_per_point`
    per point, customer and week (the article's extra stores on the same street)."""

    options: KeyExperienceOptions
    dimension: str | None = None

    def start(self, world: World) -> None:
        per_dimension = np.zeros(N_DIMS)
        if self.options.allocation == "key":
            table = survey(
                world.consumers,
                world.segments,
                self.options.survey_sample,
                world.rng,
                self.options.target_segment,
            )
            self.dimension = key_dimension(table)
            per_dimension[DIMENSIONS.index(self.dimension)] = self.options.points
        else:
            per_dimension[:] = self.options.points / N_DIMS
        world.market.focal_segment_bonus[self.target_segments(world)] += per_dimension

    def cost(self, world: World, week: Week) -> float:
        customers = int((world.consumers.provider == FOCAL).sum())
        return self.options.cost_per_point * self.options.points * customers


class AdvertisingPush(Strategy):
    """Advertise more and promise more: the focal firm's reach (default 5 %,
    from 2 %) and its promise premium (default 1 point above what it delivers).
    It acquires, and raises expectations (the CX-methods article, 客户期望决定因素: what a
    firm promises sets what customers expect). Costed on the `advertising` line."""

    options: AdvertisingPushOptions

    def start(self, world: World) -> None:
        market = world.market
        market.advertising_reach[FOCAL] = self.options.advertising_reach
        market.promise_premium[FOCAL] = self.options.promise_premium
        market.promise[FOCAL] = np.clip(
            market.offering[FOCAL] + self.options.promise_premium, 0.0, 10.0
        )


class PriceCut(Strategy):
    """Cut the price index (default 0.9, a 10 % cut): more value for money on
    the price dimension, less revenue per visit. Its investment is the revenue
    given up at the new price."""

    options: PriceCutOptions

    def start(self, world: World) -> None:
        world.market.price[FOCAL] = self.options.price


class ReferralProgram(Strategy):
    """Reward referrals (the satisfaction article: loyal customers bring
    others): a reward makes each recommendation `conversion_factor` times as
    likely to win the friend (default 1.5), and each new customer won by
    referral costs `reward_per_referral` (default 20)."""

    options: ReferralProgramOptions

    def start(self, world: World) -> None:
        conversion = world.levers.referral_conversion * self.options.conversion_factor
        world.levers.referral_conversion = min(conversion, 1.0)

    def cost(self, world: World, week: Week) -> float:
        return self.options.reward_per_referral * week.referred


class SurpriseAndDelight(Strategy):
    """Surprise a share of visits (default 5 %) of the target customers with
    something they did not expect: `delight_points` more on relationship for
    that encounter (the CX-methods article: exceeding expectations is what delights,
    三角定律). Costs `cost_per_delight` each."""

    options: SurpriseAndDelightOptions
    delights = 0  # this week's

    def experience_uplift(self, world: World, visitors: np.ndarray) -> np.ndarray | None:
        uplift = np.zeros((len(visitors), N_DIMS))
        chosen = self.targeted(world)[visitors] & (
            world.rng.random(len(visitors)) < self.options.delight_probability
        )
        uplift[chosen, Dimension.relationship] = self.options.delight_points
        self.delights = int(chosen.sum())
        return uplift

    def cost(self, world: World, week: Week) -> float:
        return self.options.cost_per_delight * self.delights


class FocusBestCustomers(Strategy):
    """Serve the most valuable segment better (the CX-methods article, 两个聚焦的金科玉律:
    not all customers matter equally; find the best): a premium tier with more
    service and relationship (default +1 point each) for the target segment,
    by default the one with the highest spend a week per customer. Costs
    `cost_per_customer` a week per customer in the tier."""

    options: FocusBestCustomersOptions
    segment: int = -1

    def start(self, world: World) -> None:
        if self.options.target_segment is None:
            c, segments = world.consumers, range(len(world.segments.names))
            weekly = c.spend_per_visit * c.visit_probability
            mean = [
                weekly[c.segment == s].mean() if (c.segment == s).any() else 0.0 for s in segments
            ]
            self.segment = int(np.argmax(mean))
        else:
            self.segment = world.segments.names.index(self.options.target_segment)
        bonus = world.market.focal_segment_bonus[self.segment]
        bonus[Dimension.service] += self.options.service_points
        bonus[Dimension.relationship] += self.options.relationship_points

    def cost(self, world: World, week: Week) -> float:
        c = world.consumers
        tier = (c.provider == FOCAL) & (c.segment == self.segment)
        return self.options.cost_per_customer * float(tier.sum())


class Onboarding(Strategy):
    """Make a new customer's first experience better: visits in the first
    `weeks` weeks of a relationship with the focal firm get `service_points`
    more on service and `relationship_points` more on relationship (default
    +1 each; the CX-management overview: manage the experience at the key
    touchpoints, 关键触点, and the first purchase is the first of them). Costs
    `cost_per_visit` per visit it shapes."""

    options: OnboardingOptions
    welcomed = 0  # this week's

    def experience_uplift(self, world: World, visitors: np.ndarray) -> np.ndarray | None:
        uplift = np.zeros((len(visitors), N_DIMS))
        new = self.targeted(world)[visitors] & (
            world.consumers.tenure[visitors] < self.options.weeks
        )
        uplift[new, Dimension.service] = self.options.service_points
        uplift[new, Dimension.relationship] = self.options.relationship_points
        self.welcomed = int(new.sum())
        return uplift

    def cost(self, world: World, week: Week) -> float:
        return self.options.cost_per_visit * self.welcomed


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
    "onboarding": Onboarding,
}


@dataclass
class Strategies:
    """The strategies in force, applied in the schema's order; none is the baseline."""

    members: list[Strategy]

    def apply(self, world: World, step: int) -> None:
        for strategy in self.members:
            strategy.apply(world, step)

    def experience_uplift(self, world: World, visitors: np.ndarray) -> np.ndarray | None:
        """The members' uplifts added up; None if none gives one (the baseline)."""
        uplifts = [s.experience_uplift(world, visitors) for s in self.members if s.started]
        uplifts = [uplift for uplift in uplifts if uplift is not None]
        return sum(uplifts) if uplifts else None

    def cost(self, world: World, week: Week) -> float:
        return float(sum(s.cost(world, week) for s in self.members if s.started))


def build(config: StrategyConfig) -> Strategies:
    """The strategies switched on in `config`, each with its rollout step."""
    starts = config.starts()
    return Strategies(
        [STRATEGIES[name](options, starts[name][1]) for name, options in config.enabled().items()]
    )
