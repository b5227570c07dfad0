"""The levers: what strategies and scenarios change during a run, in one home.

The config (sim/config.py) is what the user asked for, and the model never
writes to it. At the start the model copies the levers out of it into a
`Levers`; strategies and scenarios (sim/interventions) move them, and the
mechanisms, the costs and the reports read them. The firms' own levers
(price, advertising reach, promise, offering) live in the firms' table
(`Market`, sim/engine/firms.py), beside every rival's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields

from sim.config import ComplaintsConfig, Config, EmployeesConfig


@dataclass
class StaffLevers:
    """How the focal firm treats its staff, and the labour market they are in
    (docs/ODD.md 7.3a). Each has the name of its key in `employees.*`."""

    pay: float  # relative to the market
    training: float
    recognition: float
    empowerment: float
    profit_sharing: float
    labour_market_tightness: float  # a market condition (scenario labour_shortage)

    @classmethod
    def from_config(cls, config: EmployeesConfig) -> StaffLevers:
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})


@dataclass
class ComplaintLevers:
    """How the focal firm hears and handles complaints (docs/ODD.md 7.3b). Each
    has the name of its key in `complaints.*`."""

    ease: float  # of complaining: channels
    count_incentive: float  # staff rewarded for few complaints
    recovery_quality: float
    one_stop: bool
    follow_up: float  # share of visits followed up
    cases_per_employee: float  # handling capacity a week

    @classmethod
    def from_config(cls, config: ComplaintsConfig) -> ComplaintLevers:
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})


@dataclass
class Levers:
    """Every lever a strategy or scenario may move, apart from the firms' table."""

    staff: StaffLevers
    complaints: ComplaintLevers
    referral_conversion: float  # per piece of praise heard (docs/ODD.md 7.7)
    expectation_drift: float  # points a week the segment baselines rise (7.5)

    @classmethod
    def from_config(cls, config: Config) -> Levers:
        return cls(
            staff=StaffLevers.from_config(config.employees),
            complaints=ComplaintLevers.from_config(config.complaints),
            referral_conversion=config.word_of_mouth.referral_conversion,
            expectation_drift=config.expectation.drift,
        )

    def copy(self) -> Levers:
        return copy.deepcopy(self)
