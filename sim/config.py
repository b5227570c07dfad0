"""Typed configuration schema, registered in Hydra's ConfigStore, and its checks.

Every tunable number of the model lives here with its default; `docs/ODD.md`
gives each default's source. Types are enforced by OmegaConf when Hydra
composes the config; ranges are enforced by `validate` before a run starts,
so a bad value ends in one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar

import numpy as np
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sim.codes import DIMENSIONS


class ConfigError(ValueError):
    """A configuration value outside what the model allows."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(f"{key}={value!r} is not allowed: expected {allowed}")
        self.key, self.value, self.allowed = key, value, allowed

    def __reduce__(self) -> tuple:  # so that it crosses to and from worker processes
        return (ConfigError, (self.key, self.value, self.allowed))


# --- declarative range checks -------------------------------------------------


def _checked(default: Any, ok: Callable[[Any], bool], allowed: str) -> Any:
    meta = {"ok": ok, "allowed": allowed}
    if is_dataclass(default) or isinstance(default, list):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


def probability(default: float) -> Any:
    return _checked(default, lambda v: 0.0 <= v <= 1.0, "a probability in [0, 1]")


def non_negative(default: float) -> Any:
    return _checked(default, lambda v: v >= 0, "a number >= 0")


def positive(default: float) -> Any:
    return _checked(default, lambda v: v > 0, "a number > 0")


def score(default: Any) -> Any:
    return _checked(default, lambda v: 0.0 <= v <= 10.0, "a score in [0, 10]")


def attitude(default: float) -> Any:
    return _checked(default, lambda v: -1.0 <= v <= 1.0, "an attitude in [-1, 1]")


def count(default: int, minimum: int = 1) -> Any:
    return _checked(default, lambda v: v >= minimum, f"an integer >= {minimum}")


@dataclass(frozen=True)
class Prior:
    """The range a free parameter is calibrated over (sim/calibrate.py): uniform
    on [low, high], or log-uniform when `log`."""

    low: float
    high: float
    log: bool = False


def fitted(checked: Any, low: float, high: float, log: bool = False) -> Any:
    """A free parameter of the calibration: its range check (`probability(...)`,
    ...) and its prior. Its default is the calibration to the source texts'
    statistics (configs/calibration/seeds.yaml)."""
    return field(
        default=checked.default, metadata={**checked.metadata, "prior": Prior(low, high, log)}
    )


def uncertain(checked: Any, low: float, high: float, log: bool = False) -> Any:
    """A parameter the calibration does not fit but whose value is uncertain:
    its range check and the range of plausible values the uncertainty
    analysis explores (`python -m sim.sensitivity`, `uncertainty=ensemble`;
    docs/ODD.md, "Uncertain parameters" gives each range's source)."""
    return field(
        default=checked.default, metadata={**checked.metadata, "range": Prior(low, high, log)}
    )


def _ranged(config: Any, prefix: str, kinds: tuple[str, ...]) -> dict[str, Prior]:
    found = {}
    for f in fields(config):
        value = getattr(config, f.name)
        kind = next((k for k in kinds if k in f.metadata), None)
        if kind:
            found[prefix + f.name] = f.metadata[kind]
        elif is_dataclass(value) and not isinstance(value, Dimensions):
            found.update(_ranged(value, f"{prefix}{f.name}.", kinds))
    return found


def free_parameters() -> dict[str, Prior]:
    """Every free parameter of the calibration, by config key, with its prior."""
    return _ranged(Config(), "", ("prior",))


def uncertain_parameters() -> dict[str, Prior]:
    """Every parameter the uncertainty analysis varies, by config key, with
    its range: the calibration's free parameters over their priors, and the
    parameters marked `uncertain` over their plausible ranges."""
    return _ranged(Config(), "", ("prior", "range"))


def lookup(config: Any, key: str) -> Any:
    """The value at a dotted config key (`churn.loyalty_weight`)."""
    for part in key.split("."):
        config = getattr(config, part)
    return config


def assign(config: Any, key: str, value: Any) -> None:
    """Set the value at a dotted config key."""
    *path, leaf = key.split(".")
    setattr(lookup(config, ".".join(path)) if path else config, leaf, value)


def validate(config: Any, prefix: str = "") -> None:
    """Check every field that carries a range; raise ConfigError on the first miss."""
    for f in fields(config):
        key = f"{prefix}{f.name}"
        value = getattr(config, f.name)
        if isinstance(value, float) and not math.isfinite(value):  # nan and inf, any key
            raise ConfigError(key, value, "a finite number")
        if "ok" in f.metadata:
            _check(key, value, f.metadata)
        if is_dataclass(value):
            validate(value, key + ".")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if is_dataclass(item):
                    validate(item, f"{key}[{i}].")
    if hasattr(config, "check"):
        config.check(prefix)


def _check(key: str, value: Any, meta: dict) -> None:
    if is_dataclass(value):  # a per-dimension vector: check each component
        for f in fields(value):
            _check(f"{key}.{f.name}", getattr(value, f.name), meta)
    elif value is None or not meta["ok"](value):
        raise ConfigError(key, value, meta["allowed"])


# --- schema -------------------------------------------------------------------


@dataclass
class Dimensions:
    """One number per experience dimension (a score, a weight or a level)."""

    product: float = 0.0
    service: float = 0.0
    relationship: float = 0.0
    price: float = 0.0
    convenience: float = 0.0
    brand: float = 0.0

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, d) for d in DIMENSIONS], dtype=float)


@dataclass
class SegmentConfig:
    """A customer segment: what it weighs, what it expects, how it buys."""

    name: str = "mainstream"
    share: float = probability(1.0)
    importance: Dimensions = non_negative(Dimensions(*(1 / 6,) * 6))
    expectation: Dimensions = score(Dimensions(*(6.0,) * 6))
    price_sensitivity: float = non_negative(1.0)
    visit_probability: float = probability(0.5)
    spend_per_visit: float = non_negative(40.0)
    complaint_propensity: float = non_negative(1.0)

    def check(self, prefix: str) -> None:
        if self.importance.as_array().sum() <= 0:
            raise ConfigError(prefix + "importance", self.importance, "weights with a positive sum")


def _default_segments() -> list[SegmentConfig]:
    """Three illustrative segments (assumption; the CX-methods article: segments weigh the
    six dimensions differently, "两个聚焦的金科玉律")."""
    return [
        SegmentConfig(
            name="value_seekers",
            share=0.40,
            importance=Dimensions(0.20, 0.10, 0.05, 0.35, 0.20, 0.10),
            expectation=Dimensions(5.0, 4.5, 3.0, 6.0, 4.5, 5.0),
            price_sensitivity=1.5,
            visit_probability=0.5,
            spend_per_visit=40.0,
        ),
        SegmentConfig(
            name="experience_seekers",
            share=0.35,
            importance=Dimensions(0.20, 0.30, 0.20, 0.10, 0.10, 0.10),
            expectation=Dimensions(5.5, 5.0, 3.5, 5.5, 4.5, 5.5),
            price_sensitivity=0.7,
            visit_probability=0.4,
            spend_per_visit=60.0,
        ),
        SegmentConfig(
            name="convenience_seekers",
            share=0.25,
            importance=Dimensions(0.15, 0.15, 0.05, 0.15, 0.40, 0.10),
            expectation=Dimensions(5.0, 4.5, 3.0, 5.5, 5.5, 5.0),
            price_sensitivity=1.0,
            visit_probability=0.6,
            spend_per_visit=35.0,
        ),
    ]


SEPARATORS = {",": ",", ";": ";", "tab": "\t", "whitespace": r"\s+"}
"""How a transaction log's columns are separated: the choices and what pandas reads."""


@dataclass
class TransactionLogConfig:
    """Where a firm's transaction log is and how its columns map
    (sim/transactions.py). A column is a name in the header, or without a
    header its position from 0. The defaults read a CSV with the header
    `customer,date,amount`."""

    path: str | None = None
    separator: str = _checked(",", lambda v: v in SEPARATORS, "one of " + ", ".join(SEPARATORS))
    header: bool = True
    customer: str = "customer"
    date: str = "date"
    amount: str = "amount"
    quantity: str | None = None  # optional: units per purchase
    channel: str | None = None  # optional: where the purchase was made
    date_format: str = "%Y-%m-%d"


POPULATION_SOURCES = ("segments", "from_log", "log_cohort")


@dataclass
class PopulationConfig:
    """Who is in the market at week 0 (docs/ODD.md 5): with `source` segments,
    customers of every firm drawn by share from illustrative segments; with
    from_log (`population=from_log`), the firm's own customers as its
    transaction log leaves them at `log_date` (its last day by default), each
    with their own habits, and the rest of the `n` consumers prospects; with
    log_cohort (`population=log_cohort`), the log's customers from its first
    day, each entering the market in the week of their first purchase, with a
    weekly purchase rate drawn from Gamma(`purchase_rate_shape`, mean
    `purchase_rate_mean`) as in BG/NBD (Fader, Hardie & Lee 2005)."""

    source: str = "segments"
    n: int = count(10_000)
    initial_focal_share: float = probability(0.30)
    initial_competitor_share: float = probability(0.50)
    segments: list[SegmentConfig] = field(default_factory=_default_segments)
    log: TransactionLogConfig = field(default_factory=TransactionLogConfig)
    log_date: str | None = None  # YYYY-MM-DD
    # log_cohort: how purchase rates spread among the log's customers (calibrated
    # to the log by `python -m sim.forecast`; assumptions otherwise)
    purchase_rate_shape: float = positive(0.5)
    purchase_rate_mean: float = positive(0.1)  # purchases a week

    def check(self, prefix: str) -> None:
        if self.source not in POPULATION_SOURCES:
            raise ConfigError(prefix + "source", self.source, " or ".join(POPULATION_SOURCES))
        if self.source != "segments" and self.log.path is None:
            raise ConfigError(
                prefix + "log.path", None, f"a transaction log file (population={self.source})"
            )
        if not self.segments:
            raise ConfigError(prefix + "segments", [], "at least one segment")
        total = sum(s.share for s in self.segments)
        if abs(total - 1.0) > 1e-6:
            raise ConfigError(prefix + "segments[*].share", round(total, 6), "shares summing to 1")
        if self.initial_focal_share + self.initial_competitor_share > 1.0:
            raise ConfigError(
                prefix + "initial_competitor_share",
                self.initial_competitor_share,
                f"at most 1 - initial_focal_share = {1 - self.initial_focal_share:g}",
            )


@dataclass
class NetworkConfig:
    """The word-of-mouth network (the satisfaction article: customers talk to other customers)."""

    kind: str = "small_world"
    mean_degree: int = count(12, minimum=2)
    rewiring: float = probability(0.1)
    path: str | None = None


@dataclass
class FirmConfig:
    """A firm's offering on the six dimensions, its price and its advertising."""

    name: str = "Focal"
    offering: Dimensions = score(Dimensions(6.0, 6.0, 4.0, 7.0, 5.0, 7.0))
    price: float = positive(1.0)
    advertising_reach: float = probability(0.02)
    promise_premium: float = non_negative(0.0)
    service_failure_probability: float = probability(0.05)


def _default_rivals() -> list[FirmConfig]:
    """Two illustrative rivals (assumption): a discounter and a convenience chain."""
    return [
        FirmConfig(
            name="Discounter",
            offering=Dimensions(5.5, 5.0, 3.5, 7.5, 5.5, 5.5),
            price=0.95,
        ),
        FirmConfig(
            name="Convenience chain",
            offering=Dimensions(5.5, 5.5, 4.0, 6.0, 7.0, 6.0),
            price=1.05,
        ),
    ]


MAX_RIVALS = 62
"""Focal firm, rivals and an entrant fit in one 64-bit set per consumer (advertising reach)."""


@dataclass
class CompetitionConfig:
    """Rivals and how they adapt (docs/ODD.md 7.6a; the employee-loyalty article:
    competition among the factors that bound loyalty). Behaviour numbers are
    assumptions."""

    rivals: list[FirmConfig] = field(default_factory=_default_rivals)
    review_weeks: int = count(13)
    share_loss_threshold: float = probability(0.01)
    price_response: float = probability(0.03)
    advertising_response: float = non_negative(0.25)
    min_price: float = positive(0.8)
    max_advertising_reach: float = probability(0.1)
    poaching_reach: float = probability(0.05)
    poaching_offer: float = non_negative(0.5)
    at_risk_attitude: float = attitude(0.0)
    improvement_rate: float = non_negative(0.002)

    def check(self, prefix: str) -> None:
        if len(self.rivals) > MAX_RIVALS:
            raise ConfigError(
                prefix + "rivals", f"{len(self.rivals)} rivals", f"at most {MAX_RIVALS}"
            )


@dataclass
class EmployeesConfig:
    """The focal firm's staff: the service-profit chain (the satisfaction article,
    忠实的员工带来忠实的顾客; the employee-loyalty article, 从员工忠诚到顾客忠诚;
    Heskett et al. 1994). Numbers are assumptions."""

    # levers (strategies change these)
    customers_per_employee: float = positive(60.0)
    pay: float = positive(1.0)
    training: float = probability(0.2)
    recognition: float = probability(0.3)
    empowerment: float = probability(0.3)
    profit_sharing: float = probability(0.0)
    # costs per employee-week
    wage: float = non_negative(300.0)
    training_cost: float = non_negative(100.0)
    recognition_cost: float = non_negative(30.0)
    empowerment_cost: float = non_negative(30.0)
    # engagement (job satisfaction): logit of its target level
    engagement_rate: float = probability(0.05)
    engagement_bias: float = -0.5
    pay_weight: float = non_negative(5.0)
    training_weight: float = non_negative(1.0)
    recognition_weight: float = non_negative(1.5)
    empowerment_weight: float = non_negative(1.5)
    overload_weight: float = non_negative(3.0)
    firm_performance_weight: float = non_negative(1.0)
    customer_satisfaction_weight: float = non_negative(1.0)
    reference_margin: float = positive(0.15)
    # skill
    learning_rate: float = probability(0.01)
    training_learning_boost: float = non_negative(2.0)
    new_hire_skill: float = probability(0.2)
    new_hire_engagement: float = probability(0.6)
    # turnover
    quit_base_logit: float = -3.0
    quit_engagement_weight: float = non_negative(3.5)
    labour_market_tightness: float = 0.0
    hiring_delay: int = count(4, minimum=0)
    staffing_review_weeks: int = count(13, minimum=0)  # 0: the staff stays as it began
    # service delivery
    capacity_visits: float = positive(40.0)
    service_skill_effect: float = non_negative(2.0)
    service_engagement_effect: float = uncertain(non_negative(2.0), 0.5, 4.0)
    reference_skill: float = probability(0.85)
    reference_engagement: float = probability(0.75)
    failure_skill_effect: float = non_negative(1.5)
    overload_failure_effect: float = non_negative(2.0)
    # relationship with the usual employee
    bond_rate: float = probability(0.1)
    bond_effect: float = non_negative(2.0)
    reference_bond: float = probability(0.5)
    follow_probability: float = probability(0.1)


@dataclass
class ComplaintsConfig:
    """Negative experiences, voice and service recovery (docs/ODD.md 7.3b; the
    CX-methods article, 负面客户体验的成本; the satisfaction article: complaints
    handled warmly and in one stop). Exit after a negative experience is the
    churn hazard's (`churn.*`)."""

    # what counts as a negative experience: a visit this far below expectation
    negative_experience_threshold: float = -1.0
    # voice: a rate per negative experience, for a customer of usual propensity
    voice_rate: float = fitted(non_negative(0.0210645), 0.002, 0.2, log=True)
    ease: float = non_negative(1.0)
    voice_severity_weight: float = non_negative(0.5)
    voice_loyalty_weight: float = non_negative(1.0)
    propensity_shape: float = positive(0.3)
    count_incentive: float = probability(0.0)
    incentive_suppression: float = probability(0.8)
    # recovery of a handled complaint
    recovery_quality: float = fitted(probability(0.218383), 0.05, 0.9)
    recovery_skill_effect: float = non_negative(0.3)
    recovery_empowerment_effect: float = non_negative(0.3)
    recovery_loyalty_effect: float = non_negative(0.2)
    recovery_severity_effect: float = non_negative(0.05)
    one_stop: bool = False
    one_stop_bonus: float = probability(0.15)
    cases_per_employee: float = non_negative(0.3)
    late_quality_factor: float = probability(0.5)
    recovery_bonus: float = non_negative(0.05)
    unresolved_attitude_penalty: float = non_negative(0.3)
    follow_up: float = probability(0.0)
    # costs
    # costs, each a rate on the work it adds (docs/ODD.md 7.3b, "Costs"; assumptions)
    handling_cost: float = non_negative(25.0)  # per case handled
    one_stop_cost: float = non_negative(10.0)  # per case handled in one stop
    quality_cost_per_case: float = non_negative(10.0)  # per case, per 10 points above 38 %
    channel_cost_per_complaint: float = non_negative(5.0)  # per complaint, per unit of ease > 1
    capacity_cost: float = non_negative(20.0)  # per employee, per 0.1 cases above the usual
    follow_up_cost: float = non_negative(2.0)  # per contact


@dataclass
class ExperienceConfig:
    """Encounters and the Delta law (the CX-methods article, 三角定律; the
    satisfaction article)."""

    noise: float = non_negative(0.7)
    loss_aversion: float = uncertain(positive(2.0), 1.5, 2.5)
    satisfaction_scale: float = positive(1.5)
    attitude_learning_rate: float = probability(0.2)
    loyalty_learning_rate: float = probability(0.05)
    failure_severity: float = fitted(non_negative(2.69766), 1.0, 8.0)
    price_points_per_index: float = non_negative(10.0)


@dataclass
class LoyaltyConfig:
    """Thresholds of the four loyalty stages (the employee-loyalty article:
    认知、情感、行为、口碑忠诚).

    Stage by loyalty level: cognitive, then affective; behavioural also needs
    a habit of repeat purchase (tenure); word-of-mouth loyalty, the deepest,
    needs more loyalty still and the customer to be a promoter (an advocate).
    Thresholds are assumptions.
    """

    cognitive: float = probability(0.15)
    affective: float = probability(0.30)
    behavioural: float = probability(0.45)
    behavioural_min_tenure: int = count(26, minimum=0)
    word_of_mouth: float = probability(0.6)


@dataclass
class ExpectationWeights:
    """Relative pull of each source of expectations (the CX-methods article, 客户期望决定因素)."""

    own_experience: float = non_negative(0.3)
    segment_baseline: float = non_negative(0.4)
    advertising: float = non_negative(0.1)
    word_of_mouth: float = non_negative(0.1)
    competitors: float = non_negative(0.1)


@dataclass
class ExpectationConfig:
    adjustment_rate: float = uncertain(probability(0.1), 0.02, 0.3, log=True)
    weights: ExpectationWeights = field(default_factory=ExpectationWeights)
    drift: float = 0.0
    noise: float = non_negative(0.02)


@dataclass
class WordOfMouthConfig:
    """Who talks, to how many, and what it does to the listener (docs/ODD.md
    7.4; the satisfaction article). Rates are per tie of the network."""

    promoter_tie_rate: float = fitted(probability(0.0395879), 0.005, 0.2, log=True)  # a week, a tie
    detractor_tie_rate: float = uncertain(probability(0.02), 0.005, 0.08, log=True)  # a week, a tie
    unhappy_tie_probability: float = fitted(probability(0.807158), 0.3, 1.0)  # a tie
    attitude_influence: float = non_negative(0.05)
    referral_conversion: float = fitted(probability(0.0517443), 0.005, 0.5, log=True)


@dataclass
class NpsConfig:
    """The 0-10 answer to "how likely are you to recommend us?" (Reichheld
    2003; docs/ODD.md 7.3): baseline + attitude and loyalty + a personal style,
    rounded. Numbers are assumptions."""

    baseline: float = 7.2
    attitude_weight: float = non_negative(2.0)
    loyalty_weight: float = non_negative(1.0)
    spread: float = non_negative(1.8)


@dataclass
class AcquisitionConfig:
    advertising_conversion: float = uncertain(probability(0.15), 0.05, 0.3)
    promise_pull: float = non_negative(0.2)  # more conversion per point promised above delivery
    promise_anchoring: float = probability(0.5)  # share of an overpromise new customers expect
    new_customer_attitude: float = attitude(0.1)
    warning_deterrence: float = non_negative(1.0)  # per warning heard about a firm


@dataclass
class ChurnConfig:
    """The weekly exit hazard (docs/ODD.md 7.6): its standing part, and the
    triggers of a week with a negative experience."""

    base_logit: float = fitted(_checked(-7.62096, lambda v: v < 0, "a logit < 0"), -11.0, -5.0)
    attitude_weight: float = uncertain(non_negative(3.0), 1.0, 5.0)
    loyalty_weight: float = uncertain(non_negative(3.0), 1.0, 5.0)
    tenure_weight: float = non_negative(0.5)
    competitor_pull_weight: float = uncertain(non_negative(1.0), 0.25, 2.0)
    negative_word_of_mouth_weight: float = non_negative(0.3)
    negative_experience_weight: float = fitted(non_negative(9.29573), 3.0, 13.0)
    unresolved_complaint_weight: float = fitted(
        _checked(-0.847986, lambda v: True, "a number"), -3.0, 3.0
    )
    switching_cost: float = non_negative(0.0)
    membership_weight: float = non_negative(1.0)
    involuntary_probability: float = probability(0.0002)
    exit_share: float = probability(0.3)
    choice_sharpness: float = non_negative(2.0)


@dataclass
class EconomicsConfig:
    """Focal-firm economics per step (the satisfaction article's loyalty economics)."""

    gross_margin: float = probability(0.4)
    loyalty_spend_uplift: float = uncertain(non_negative(0.5), 0.1, 1.0)
    cost_to_serve_per_visit: float = non_negative(2.0)
    loyalty_cost_saving: float = probability(0.3)
    retention_cost_per_customer: float = non_negative(0.2)
    acquisition_cost_multiple: float = non_negative(5.0)
    advertising_cost_per_contact: float = non_negative(0.5)
    fixed_cost_per_consumer: float = non_negative(1.0)  # a week, per consumer in the market
    annual_discount_rate: float = non_negative(0.1)
    steps_per_year: int = count(52)


# --- strategies (docs/ODD.md 7.9; sim/strategies.py says what each one does) ------


@dataclass
class StrategyOptions:
    """What every strategy has: switched on by its config-group file, a rollout
    step (null: `strategy.rollout_step`), and, where it makes sense, a target
    segment (null: every customer)."""

    enabled: bool = False
    rollout_step: int | None = None
    target_segment: str | None = None
    targetable: ClassVar[bool] = False  # firm-wide levers cannot be aimed at a segment

    def check(self, prefix: str) -> None:
        if self.rollout_step is not None and self.rollout_step < 0:
            raise ConfigError(prefix + "rollout_step", self.rollout_step, "null or an integer >= 0")
        if self.target_segment is not None and not self.targetable:
            raise ConfigError(
                prefix + "target_segment", self.target_segment, "null (a firm-wide strategy)"
            )


@dataclass
class StaffTrainingOptions(StrategyOptions):
    training: float = probability(0.6)


@dataclass
class EmployeeEngagementOptions(StrategyOptions):
    pay: float = positive(1.1)
    recognition: float = probability(0.6)
    empowerment: float = probability(0.6)


@dataclass
class EasyComplaintsOptions(StrategyOptions):
    ease: float = non_negative(5.0)
    count_incentive: float = probability(0.0)


@dataclass
class ServiceRecoveryOptions(StrategyOptions):
    recovery_quality: float = probability(0.6)
    one_stop: bool = True


@dataclass
class ProactiveFollowUpOptions(StrategyOptions):
    follow_up: float = probability(0.3)


@dataclass
class LoyaltyProgramOptions(StrategyOptions):
    targetable: ClassVar[bool] = True
    enrolment_rate: float = probability(0.05)
    reward_share: float = probability(0.02)
    cost_per_member: float = non_negative(0.1)


@dataclass
class KeyExperienceOptions(StrategyOptions):
    targetable: ClassVar[bool] = True
    allocation: str = "key"
    points: float = non_negative(1.0)
    cost_per_point: float = non_negative(0.5)  # per customer and week
    survey_sample: int = count(1000)

    def check(self, prefix: str) -> None:
        super().check(prefix)
        if self.allocation not in ("key", "even"):
            raise ConfigError(prefix + "allocation", self.allocation, "'key' or 'even'")


@dataclass
class AdvertisingPushOptions(StrategyOptions):
    advertising_reach: float = probability(0.05)
    promise_premium: float = non_negative(1.0)


@dataclass
class PriceCutOptions(StrategyOptions):
    price: float = positive(0.9)


@dataclass
class ReferralProgramOptions(StrategyOptions):
    conversion_factor: float = positive(1.5)
    reward_per_referral: float = non_negative(20.0)


@dataclass
class SurpriseAndDelightOptions(StrategyOptions):
    targetable: ClassVar[bool] = True
    delight_probability: float = probability(0.05)
    delight_points: float = non_negative(3.0)
    cost_per_delight: float = non_negative(5.0)


@dataclass
class FocusBestCustomersOptions(StrategyOptions):
    targetable: ClassVar[bool] = True
    service_points: float = non_negative(1.0)
    relationship_points: float = non_negative(1.0)
    cost_per_customer: float = non_negative(1.0)


@dataclass
class OnboardingOptions(StrategyOptions):
    targetable: ClassVar[bool] = True
    weeks: int = count(2)  # a relationship's first weeks whose visits it shapes
    service_points: float = non_negative(1.0)
    relationship_points: float = non_negative(1.0)
    cost_per_visit: float = non_negative(2.0)


@dataclass
class StrategyConfig:
    """The strategies in force: each `strategy/NAME.yaml` switches one on
    (`strategy=[staff_training,loyalty_program]` combines them); none is the
    baseline. Defaults are illustrative assumptions (docs/ODD.md §strategies)."""

    rollout_step: int = count(52, minimum=0)
    staff_training: StaffTrainingOptions = field(default_factory=StaffTrainingOptions)
    employee_engagement: EmployeeEngagementOptions = field(
        default_factory=EmployeeEngagementOptions
    )
    easy_complaints: EasyComplaintsOptions = field(default_factory=EasyComplaintsOptions)
    service_recovery: ServiceRecoveryOptions = field(default_factory=ServiceRecoveryOptions)
    proactive_follow_up: ProactiveFollowUpOptions = field(default_factory=ProactiveFollowUpOptions)
    loyalty_program: LoyaltyProgramOptions = field(default_factory=LoyaltyProgramOptions)
    key_experience: KeyExperienceOptions = field(default_factory=KeyExperienceOptions)
    advertising_push: AdvertisingPushOptions = field(default_factory=AdvertisingPushOptions)
    price_cut: PriceCutOptions = field(default_factory=PriceCutOptions)
    referral_program: ReferralProgramOptions = field(default_factory=ReferralProgramOptions)
    surprise_and_delight: SurpriseAndDelightOptions = field(
        default_factory=SurpriseAndDelightOptions
    )
    focus_best_customers: FocusBestCustomersOptions = field(
        default_factory=FocusBestCustomersOptions
    )
    onboarding: OnboardingOptions = field(default_factory=OnboardingOptions)

    def enabled(self) -> dict[str, StrategyOptions]:
        """The strategies switched on, by name, in the schema's order."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), StrategyOptions) and getattr(self, f.name).enabled
        }

    def starts(self) -> dict[str, tuple[str, int]]:
        """Each strategy switched on: the key that sets its rollout week, and the week."""
        return {
            name: (f"strategy.{name}.rollout_step", options.rollout_step)
            if options.rollout_step is not None
            else ("strategy.rollout_step", self.rollout_step)
            for name, options in self.enabled().items()
        }

    @property
    def name(self) -> str:
        """`baseline`, one strategy's name, or several joined by `+`."""
        return "+".join(self.enabled()) or "baseline"


def _default_entrant() -> FirmConfig:
    """A substitute (assumption): very convenient and cheap, weak on relationship."""
    return FirmConfig(
        name="New entrant",
        offering=Dimensions(5.5, 5.0, 2.5, 7.5, 8.0, 5.0),
        price=0.9,
        advertising_reach=0.08,
    )


@dataclass
class ScenarioConfig:
    """Market conditions (docs/ODD.md 7.6b). `name` picks the scenario; the other
    fields are the parameters the scenarios read (each documents which)."""

    name: str = "stable"
    start_step: int = count(52, minimum=0)
    rival: int = count(1)
    price_cut: float = probability(0.2)
    entrant: FirmConfig = field(default_factory=_default_entrant)
    brand_drop: float = non_negative(3.0)
    brand_recovery: float = probability(0.01)
    labour_market_tightness: float = 1.5
    price_sensitivity_factor: float = positive(1.5)
    spend_factor: float = positive(0.85)
    expectation_drift: float = 0.005


@dataclass
class UncertaintyConfig:
    """Parameter uncertainty (docs/ODD.md, Uncertainty analysis;
    sim/runs/uncertainty.py). With `draw` null the parameters are as
    configured; with `draw` k (`uncertainty=ensemble` sweeps k over
    range(`draws`)) the calibration's free parameters take an accepted trial of
    the calibration in `trials` (distance at most `accept`) and the other
    uncertain parameters a draw from their ranges, the same for every seed and
    strategy of draw k."""

    name: str = "none"
    draw: int | None = None
    draws: int = count(20, minimum=2)
    trials: str | None = "experiments/results/calibration/trials.csv"  # null: the priors
    accept: float = positive(1.0)
    seed: int = count(0, minimum=0)  # of the draws: independent of the runs' seeds

    def check(self, prefix: str) -> None:
        if self.draw is not None and self.draw < 0:
            raise ConfigError(prefix + "draw", self.draw, "null or an integer >= 0")


@dataclass
class OutputConfig:
    """What a run writes. For large sweeps: `plots=false` and `tables=csv.gz`
    (about a sixth of the size; pandas reads it as it reads CSV)."""

    plots: bool = True
    # under 500 networkx lays the sample out by its dense spring method: 0.5 s, not 2
    network_plot_max_nodes: int = count(480, minimum=10)
    progress: bool = True
    tables: str = "csv"
    checkpoint_every: int = count(52, minimum=0)  # weeks between checkpoints; 0: none

    def check(self, prefix: str) -> None:
        if self.tables not in TABLE_FORMATS:
            raise ConfigError(prefix + "tables", self.tables, "'csv' or 'csv.gz'")


TABLE_FORMATS = ("csv", "csv.gz")


@dataclass
class Config:
    """The whole run. `seed`, `steps`, `population.n`, `network.kind`,
    `network.path`, `strategy` and `scenario` are a contract with other tools.
    `burn_in` weeks run first and are not recorded, so that week 0 is a market
    close to its steady state; loyalty, a slow stock, keeps building
    (docs/ODD.md 5)."""

    seed: int = count(0, minimum=0)
    steps: int = count(156, minimum=0)
    burn_in: int = count(156, minimum=0)  # weeks run before week 0, not recorded
    resume: bool = False  # continue from the run folder's checkpoint (sim/runs/simulation.py)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    firm: FirmConfig = field(default_factory=FirmConfig)
    competition: CompetitionConfig = field(default_factory=CompetitionConfig)
    experience: ExperienceConfig = field(default_factory=ExperienceConfig)
    expectation: ExpectationConfig = field(default_factory=ExpectationConfig)
    loyalty: LoyaltyConfig = field(default_factory=LoyaltyConfig)
    employees: EmployeesConfig = field(default_factory=EmployeesConfig)
    complaints: ComplaintsConfig = field(default_factory=ComplaintsConfig)
    word_of_mouth: WordOfMouthConfig = field(default_factory=WordOfMouthConfig)
    nps: NpsConfig = field(default_factory=NpsConfig)
    acquisition: AcquisitionConfig = field(default_factory=AcquisitionConfig)
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    economics: EconomicsConfig = field(default_factory=EconomicsConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    uncertainty: UncertaintyConfig = field(default_factory=UncertaintyConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def check(self, prefix: str) -> None:
        degree, n = self.network.mean_degree, self.population.n
        rivals = len(self.competition.rivals)
        if self.scenario.name == "price_war" and self.scenario.rival > rivals:
            raise ConfigError(
                "scenario.rival", self.scenario.rival, f"a rival number in 1..{rivals}"
            )
        if self.network.path is not None and self.network.kind != "file":
            raise ConfigError("network.path", self.network.path, "null unless network=file")
        if self.network.kind != "file" and degree >= n:
            raise ConfigError("network.mean_degree", degree, f"less than population.n = {n}")
        starts = list(self.strategy.starts().values())
        if self.scenario.name != "stable":
            starts.append(("scenario.start_step", self.scenario.start_step))
        for key, week in starts:  # one that starts after the last week changes nothing
            if week > self.steps:
                raise ConfigError(
                    key, week, f"at most steps = {self.steps} (it would start after the last week)"
                )
        segments = [s.name for s in self.population.segments]
        for name, options in self.strategy.enabled().items():
            if options.target_segment not in (None, *segments):
                raise ConfigError(
                    f"strategy.{name}.target_segment",
                    options.target_segment,
                    f"null or one of {', '.join(segments)}",
                )


@dataclass
class TargetConfig:
    """A statistic the calibration fits (configs/targets/*.yaml): a key of a run
    summary's `rates` (sim/runs/summary.py), the value to fit, the distance from
    it that is acceptable, and where the value comes from."""

    statistic: str = MISSING
    value: float = MISSING
    tolerance: float = MISSING
    source: str = ""

    def check(self, prefix: str) -> None:
        if not self.tolerance > 0:
            raise ConfigError(prefix + "tolerance", self.tolerance, "a number > 0")


@dataclass
class CalibrationRun(Config):
    """`python -m sim.calibrate`: the model's config plus the calibration's
    budget (`trials`, `seeds` per trial) and its targets (configs/targets/)."""

    trials: int = count(100)
    seeds: int = count(3)
    targets: dict[str, TargetConfig] = field(default_factory=dict)
    free: list[str] | None = None  # the free parameters to fit; null: all of them
    save_as: str | None = None  # also write configs/calibration/<save_as>.yaml

    def check(self, prefix: str) -> None:
        super().check(prefix)
        if not self.targets:
            raise ConfigError("targets", {}, "at least one target (configs/targets/*.yaml)")
        for name, target in self.targets.items():
            validate(target, f"targets.{name}.")
        known = free_parameters()
        for key in self.free or ():
            if key not in known:
                raise ConfigError("free", key, f"free parameters among {', '.join(known)}")


@dataclass
class ForecastData(TransactionLogConfig):
    """The log `python -m sim.forecast` learns from and forecasts: its columns
    (TransactionLogConfig), the weeks from its first day it calibrates on, and
    how many prospects share the market with its customers."""

    path: str | None = "tests/data/cdnow/CDNOW_sample.txt"
    calibration_weeks: int = count(39, minimum=2)
    prospects: int = count(0, minimum=0)


@dataclass
class ForecastRun(Config):
    """`python -m sim.forecast`: the model's config plus a log (`data`), the
    calibration's budget (`trials`, `seeds` per trial), its search space
    (`free`: KEY: [low, high] or [low, high, log]) and the seeds of the
    forecast (`forecast_seeds`)."""

    data: ForecastData = field(default_factory=ForecastData)
    trials: int = count(300)
    seeds: int = count(4)
    forecast_seeds: int = count(20, minimum=2)
    free: dict[str, Any] = field(default_factory=dict)

    def check(self, prefix: str) -> None:
        super().check(prefix)
        if not self.free:
            raise ConfigError("free", {}, "at least one parameter to fit, KEY: [low, high]")
        for key, bounds in self.search_space().items():
            try:
                lookup(self, key)
            except AttributeError:
                allowed = "a number key of the model's config"
                raise ConfigError(f"free.{key}", bounds, allowed) from None
            low, high, _ = bounds
            if not low < high:
                raise ConfigError(f"free.{key}", [low, high], "[low, high] with low < high")

    def search_space(self) -> dict[str, tuple[float, float, bool]]:
        """Each fitted key: (low, high, on a log scale)."""
        space = {}
        for key, bounds in _flat(self.free).items():
            ok = isinstance(bounds, list | tuple) and len(bounds) in (2, 3)
            if not ok or not all(isinstance(b, int | float) for b in bounds[:2]):
                raise ConfigError(f"free.{key}", bounds, "[low, high] or [low, high, log]")
            if len(bounds) == 3 and bounds[2] != "log":
                raise ConfigError(f"free.{key}", bounds, "a third entry 'log' or none")
            log = len(bounds) == 3
            if log and bounds[0] <= 0:
                raise ConfigError(f"free.{key}", bounds, "low > 0 on a log scale")
            space[key] = (float(bounds[0]), float(bounds[1]), log)
        return space


SENSITIVITY_METHODS = ("morris", "sobol")


@dataclass
class SensitivityRun(Config):
    """`python -m sim.sensitivity`: the model's config plus the design of a
    global sensitivity analysis (SALib) over the uncertain parameters
    (`uncertain_parameters`): its method, budget and outputs."""

    method: str = "morris"
    trajectories: int = count(10, minimum=4)  # Morris: points = trajectories x (parameters + 1)
    levels: int = count(4, minimum=2)  # Morris: grid levels, even
    samples: int = count(64, minimum=8)  # Sobol: base sample, a power of 2
    seeds: int = count(2)  # runs per point (and per arm), averaged
    compare: str | None = "loyalty_program"  # the strategy whose profit difference is an output
    parameters: list[str] | None = None  # the parameters varied; null: all uncertain ones
    ranges: dict[str, Any] = field(default_factory=dict)  # KEY: [low, high] instead of KEY's own

    def check(self, prefix: str) -> None:
        super().check(prefix)
        if self.method not in SENSITIVITY_METHODS:
            raise ConfigError("method", self.method, f"one of {', '.join(SENSITIVITY_METHODS)}")
        if self.levels % 2:
            raise ConfigError("levels", self.levels, "an even number of levels (SALib's Morris)")
        if self.samples & (self.samples - 1):
            raise ConfigError("samples", self.samples, "a power of 2 (Sobol' sequences)")
        strategies = [f.name for f in fields(StrategyConfig) if f.name != "rollout_step"]
        if self.compare is not None and self.compare not in strategies:
            raise ConfigError("compare", self.compare, f"null or one of {', '.join(strategies)}")
        if self.compare is not None:  # the compared runs switch it on: it must start in time
            options = getattr(self.strategy, self.compare)
            key, week = (
                (f"strategy.{self.compare}.rollout_step", options.rollout_step)
                if options.rollout_step is not None
                else ("strategy.rollout_step", self.strategy.rollout_step)
            )
            if week > self.steps:
                raise ConfigError(
                    key, week, f"at most steps = {self.steps} (compare={self.compare} starts then)"
                )
        if self.strategy.name != "baseline":
            raise ConfigError(
                "strategy", self.strategy.name, "baseline (name the strategy to weigh in compare=)"
            )
        known = uncertain_parameters()
        for key in self.parameters or ():
            if key not in known:
                raise ConfigError("parameters", key, f"uncertain parameters: {', '.join(known)}")
        for key, bounds in _flat(self.ranges).items():
            if key not in known:
                raise ConfigError(f"ranges.{key}", bounds, f"ranges of {', '.join(known)}")
            low_high = isinstance(bounds, list | tuple) and len(bounds) == 2
            if not low_high or not all(isinstance(b, int | float) for b in bounds):
                raise ConfigError(f"ranges.{key}", bounds, "[low, high], two numbers")
            if not bounds[0] < bounds[1]:
                raise ConfigError(f"ranges.{key}", list(bounds), "[low, high] with low < high")
            if known[key].log and bounds[0] <= 0:
                raise ConfigError(f"ranges.{key}", list(bounds), "low > 0 (a log-uniform range)")
            for end in bounds:
                _check(f"ranges.{key}", end, _field_metadata(self, key))

    def varied(self) -> dict[str, Prior]:
        """The parameters the analysis varies, each with its range."""
        known = uncertain_parameters()
        ranges = {k: Prior(*map(float, b), known[k].log) for k, b in _flat(self.ranges).items()}
        return {key: ranges.get(key, known[key]) for key in (self.parameters or known)}


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{churn: {loyalty_weight: [1, 2]}}` as `{"churn.loyalty_weight": [1, 2]}`."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _field_metadata(config: Any, key: str) -> dict:
    path, _, leaf = key.rpartition(".")
    owner = lookup(config, path) if path else config
    return next(f.metadata for f in fields(owner) if f.name == leaf)


def register_configs(app: str = "config") -> None:
    """Make an app's schema known to Hydra: `configs/config.yaml` extends
    `base_config`, `configs/calibrate.yaml` `calibrate_config`, and so on;
    `${free_parameter_values:}` gives the free parameters' values in force.
    Only the app's own schema: storing one takes about 0.07 s, and every
    composition deep-copies all that are stored."""
    name, schema = {
        "config": ("base_config", Config),
        "calibrate": ("calibrate_config", CalibrationRun),
        "sensitivity": ("sensitivity_config", SensitivityRun),
        "forecast": ("forecast_config", ForecastRun),
    }[app]
    store = ConfigStore.instance()
    if f"{name}.yaml" not in store.repo:
        store.store(name=name, node=schema)
    if not OmegaConf.has_resolver("free_parameter_values"):  # CMA-ES starts from them
        OmegaConf.register_new_resolver("free_parameter_values", _free_parameter_values)


def _free_parameter_values(*, _root_: Any) -> dict[str, float]:
    free = _root_.get("free")
    if isinstance(free, DictConfig):  # a forecast's search space, KEY: [low, high]
        free = _flat(OmegaConf.to_container(free))
    keys = free or free_parameters()
    return {key: OmegaConf.select(_root_, key) for key in keys}
