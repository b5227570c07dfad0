"""Every code of the model, defined once.

The engine stores codes as small integers in numpy arrays (a consumer's
provider, a leaver's reason, a complaint's outcome); these enums give them
their names. An `IntEnum` compares and indexes like the integer it stands
for, so `consumers.provider == FOCAL` and `experience[:, Dimension.SERVICE]`
work on arrays as they are. The names are what every table, chart and
config key prints (`Reason.price.name == "price"`). Codes count from 0 in the
order given.
"""

from __future__ import annotations

from enum import IntEnum

PROSPECT = -1
"""Provider code of a consumer with no provider."""

FOCAL = 0
"""Provider code (and market row) of the focal firm; rivals are 1, 2, ..."""

NO_EMPLOYEE = -1
"""A consumer with no usual employee at the focal firm, or a visit nobody served."""

NOT_YET = -1
"""A week that has not happened: no negative experience yet, no churn reason yet."""


Dimension = IntEnum("Dimension", "product service relationship price convenience brand", start=0)
"""The six experience dimensions of the CX-methods article (客户体验主要类型;
docs/ODD.md, "Sources")."""


DIMENSIONS = tuple(d.name for d in Dimension)
N_DIMS = len(Dimension)


Reason = IntEnum(
    "Reason",
    "price service_irritation missing_features negative_encounter complaint_response "
    "competitor_action ethics involuntary employee_departure",
    start=0,
)
"""Why a customer left: the eight reasons of the satisfaction article
(docs/ODD.md 7.6), plus leaving with a departed employee (7.3a)."""


REASONS = tuple(r.name for r in Reason)


Outcome = IntEnum("Outcome", "recovered unresolved lost", start=0)
"""What became of a handled complaint (docs/ODD.md 7.3b)."""

Episode = IntEnum("Episode", "none silent recovered unresolved", start=0)
"""A customer's year after their first negative experience in a year (the
CX-methods article's funnel counts customers per year): the firm never heard
of it, or heard and recovered it, or heard and left it unresolved."""


Channel = IntEnum("Channel", "advertising referral", start=0)
"""How a prospect became a customer (docs/ODD.md 7.7)."""


CHANNELS = tuple(c.name for c in Channel)

ACQUIRED_BY = (Channel.referral.name, Channel.advertising.name, "switching")
"""How a firm gains customers: the two channels, and switching from a rival
(the `acquired_*` columns of timeseries.csv)."""


LoyaltyStage = IntEnum(
    "LoyaltyStage", "none cognitive affective behavioural word_of_mouth", start=0
)
"""The four stages of loyalty of the employee-loyalty article (认知、情感、行为、
口碑忠诚), after "none" (docs/ODD.md 7.3)."""


LOYALTY_STAGES = tuple(s.name for s in LoyaltyStage)


NpsGroup = IntEnum("NpsGroup", "promoter passive detractor", start=0)
"""A customer's answer to the recommendation question, grouped as NPS counts
it (Reichheld 2003): 9-10 promoter, 7-8 passive, 0-6 detractor."""


NPS_GROUPS = tuple(g.name for g in NpsGroup)
