"""Mesa agents of the loyalty model: customers, employees and firms.

The model's rules run on whole arrays (sim/engine), so an agent is a view
onto its row: reading `customer.attitude` reads the engine's state, and
writing it changes the state. This keeps the Mesa API (agents_by_type,
DataCollector agent reporters, per-agent inspection) at no cost to speed.
The model (sim/model.py) holds the arrays: `model.consumers`, `model.staff`,
`model.market`.
"""

from __future__ import annotations

import mesa

from sim.codes import DIMENSIONS, FOCAL, LOYALTY_STAGES, PROSPECT, REASONS
from sim.engine.census import likelihood_to_recommend
from sim.engine.employees import customers_of


def _row_field(table: str, row: str, name: str, doc: str) -> property:
    """An agent attribute that reads and writes its row of one of the model's arrays."""

    def get(self: mesa.Agent):
        return getattr(getattr(self.model, table), name)[getattr(self, row)].item()

    def set_(self: mesa.Agent, value) -> None:
        getattr(getattr(self.model, table), name)[getattr(self, row)] = value

    return property(get, set_, doc=doc)


def _consumer_field(name: str, doc: str) -> property:
    return _row_field("consumers", "index", name, doc)


def _staff_field(name: str, doc: str) -> property:
    return _row_field("staff", "position", name, doc)


class Customer(mesa.Agent):
    """A consumer of the market: a customer of the focal firm, of a rival, or a prospect."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = int(index)  # row in model.consumers, and node in the network

    provider = _consumer_field("provider", "Firm code: -1 prospect, 0 focal, 1.. rivals.")
    tenure = _consumer_field("tenure", "Steps with the current provider.")
    attitude = _consumer_field("attitude", "Running attitude toward the provider, [-1, 1].")
    loyalty = _consumer_field("loyalty", "Stock of net experience with the provider, [0, 1].")
    satisfaction = _consumer_field("satisfaction", "Delta-law score of the last encounter.")
    member = _consumer_field("member", "Member of the focal firm's loyalty programme.")
    spend = _consumer_field("spend", "Cumulative revenue paid to the focal firm.")
    visit_probability = _consumer_field("visit_probability", "Chance of a visit a week.")
    spend_per_visit = _consumer_field("spend_per_visit", "A visit's spend before price, loyalty.")

    @property
    def is_customer(self) -> bool:
        """A customer of the focal firm."""
        return self.provider == FOCAL

    @property
    def provider_name(self) -> str:
        p = self.provider
        return "prospect" if p == PROSPECT else self.model.market.names[p]

    @property
    def segment(self) -> str:
        return self.model.segments.names[self.model.consumers.segment[self.index]]

    @property
    def expectation(self) -> dict[str, float]:
        row = self.model.consumers.expectation[self.index]
        return dict(zip(DIMENSIONS, row.tolist(), strict=True))

    @property
    def loyalty_stage(self) -> str:
        """Their loyalty stage, as of the last step's census."""
        return LOYALTY_STAGES[self.model.census.loyalty_stage[self.index]]

    @property
    def likelihood_to_recommend(self) -> int:
        """Their 0-10 answer to "how likely are you to recommend your provider?"."""
        c = self.model.consumers
        i = slice(self.index, self.index + 1)
        answers = likelihood_to_recommend(
            c.attitude[i], c.loyalty[i], c.recommend_style[i], self.model.config.nps
        )
        return int(answers[0])

    @property
    def churn_reason(self) -> str | None:
        code = self.model.consumers.churn_reason[self.index]
        return None if code < 0 else REASONS[code]

    @property
    def neighbours(self) -> list[int]:
        """Indices of the consumers this one talks to."""
        net = self.model.network
        return net.indices[net.indptr[self.index] : net.indptr[self.index + 1]].tolist()


class Firm(mesa.Agent):
    """A firm of the market; row `index` of model.market (FOCAL is the focal firm)."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        return self.model.market.names[self.index]

    @property
    def offering(self) -> dict[str, float]:
        return dict(zip(DIMENSIONS, self.model.market.offering[self.index].tolist(), strict=True))

    @property
    def price(self) -> float:
        return float(self.model.market.price[self.index])

    @property
    def advertising_reach(self) -> float:
        return float(self.model.market.advertising_reach[self.index])

    @property
    def customers(self) -> int:
        """Its customers as of the last step (counted once a week for every firm)."""
        return int(self.model.census.customers[self.index])

    @property
    def market_share(self) -> float:
        """Its share of all consumers with a provider, as of the last step."""
        return float(self.model.share_history[-1][self.index])


class FocalFirm(Firm):
    """The firm whose customer-experience strategy is being tested."""


class Competitor(Firm):
    """A rival firm with its own offering; it adapts (sim/engine/competitors.py)."""


class Employee(mesa.Agent):
    """A member of the focal firm's staff, holding one position.

    Created when hired and removed when they quit; the position and its
    customers stay with the firm.
    """

    skill = _staff_field("skill", "Skill, [0, 1]: grows with experience and training.")
    engagement = _staff_field("engagement", "Engagement (job satisfaction), [0, 1].")
    tenure = _staff_field("tenure", "Weeks in the job.")
    workload = _staff_field("workload", "Visits served last week / capacity.")

    def __init__(self, model: mesa.Model, position: int) -> None:
        super().__init__(model)
        self.position = position  # row in model.staff

    @property
    def customers(self) -> int:
        """Customers for whom this is the usual employee."""
        employee = self.model.consumers.employee
        return len(customers_of(employee, [self.position], self.model.staff.positions))
