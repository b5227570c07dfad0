"""The focal firm's economics (docs/ODD.md 7.8; the satisfaction article's
loyalty economics).

Loyal customers buy more and cost less to serve (Reichheld 1996); acquiring
a customer costs several times what keeping one does (the satisfaction
article: 3-6x).
Every cost item is a named line so that later mechanisms (staff, complaint
handling, programmes, strategies) add lines, not logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from sim.config import EconomicsConfig
from sim.engine.population import Consumers

MONEY = "currency units"
"""What money is counted in (docs/ODD.md: spend, prices and costs are in currency units
per week); every money axis and table says so."""

COST_ITEMS = (
    "cost_of_goods",
    "service",
    "retention",
    "acquisition",
    "advertising",
    "fixed",
    "staff",
    "training",
    "recognition",
    "complaints",
    "strategy",
)


@dataclass
class Ledger:
    revenue: float = 0.0
    costs: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COST_ITEMS, 0.0))
    investment: float = 0.0  # what strategies spent, a memo for ROI (not another cost)

    @property
    def total_costs(self) -> float:
        return sum(self.costs.values())

    @property
    def profit(self) -> float:
        return self.revenue - self.total_costs


@njit(cache=True, inline="always")
def revenue_of_visit(spend_per_visit: float, loyalty, price: float, uplift: float) -> float:
    """Revenue of a visit = spend x price index x (1 + uplift x loyalty): loyal
    customers buy more (Reichheld 1996). The loyalty term in float32, as
    loyalty is kept."""
    return spend_per_visit * price * (np.float32(1.0) + np.float32(uplift) * loyalty)


def visit_revenue(
    spend_per_visit: np.ndarray, loyalty: np.ndarray, price: float, uplift: float
) -> np.ndarray:
    """Revenue per visit (`revenue_of_visit`), of float32 loyalties."""
    revenue = np.empty(len(spend_per_visit))
    _revenues(spend_per_visit, loyalty.astype(np.float32), price, uplift, revenue)
    return revenue


@njit(cache=True)
def _revenues(spend_per_visit, loyalty, price, uplift, revenue):
    for v in range(len(revenue)):
        revenue[v] = revenue_of_visit(spend_per_visit[v], loyalty[v], price, uplift)


@dataclass
class Sales:
    """The focal firm's visits this week, as the accounts need them (per visit)."""

    revenue: np.ndarray  # at the firm's price
    volume: np.ndarray  # at the reference price (1): what cost of goods scales with
    loyalty: np.ndarray  # of the visitor


def sell(visitors: np.ndarray, consumers: Consumers, price: float, uplift: float) -> Sales:
    """Each visit's revenue and volume (`revenue_of_visit`), in one pass that
    also adds the revenue to the visitor's spend. Writes the visitors' spend."""
    sales = Sales(
        np.empty(len(visitors)), np.empty(len(visitors)), np.empty(len(visitors), np.float32)
    )
    c = consumers
    _sell(visitors, c.spend_per_visit, c.loyalty, c.spend, price, uplift, *vars(sales).values())
    return sales


@njit(cache=True, parallel=True)
def _sell(visitors, spend_per_visit, loyalty, spend, price, uplift, revenue, volume, loyal):
    for v in prange(len(visitors)):  # each visitor once: no two threads add to one spend
        i = visitors[v]
        revenue[v] = revenue_of_visit(spend_per_visit[i], loyalty[i], price, uplift)
        volume[v] = revenue_of_visit(spend_per_visit[i], loyalty[i], 1.0, uplift)
        loyal[v] = loyalty[i]
        spend[i] += revenue[v]


def account(
    revenue_by_visit: np.ndarray,
    volume_by_visit: np.ndarray,
    loyalty_of_visitor: np.ndarray,
    customers: int,
    new_customers: int,
    advertising_contacts: int,
    market_size: int,
    config: EconomicsConfig,
) -> Ledger:
    """One step's revenue and costs of the focal firm.

    `volume_by_visit` is revenue at the reference price: cost of goods scales
    with volume, not price, so a price cut costs margin. Acquisition costs
    `acquisition_cost_multiple` times a year's retention spend per customer.
    Fixed costs (stores, overheads) are sized to the market the firm serves,
    `fixed_cost_per_consumer` per consumer, so results do not hang on `population.n`.
    """
    annual_retention = config.retention_cost_per_customer * config.steps_per_year
    ledger = Ledger(revenue=float(revenue_by_visit.sum()))
    ledger.costs.update(
        cost_of_goods=float(volume_by_visit.sum() * (1.0 - config.gross_margin)),
        service=float(
            (
                config.cost_to_serve_per_visit
                * (1.0 - config.loyalty_cost_saving * loyalty_of_visitor)
            ).sum()
        ),
        retention=config.retention_cost_per_customer * customers,
        acquisition=config.acquisition_cost_multiple * annual_retention * new_customers,
        advertising=config.advertising_cost_per_contact * advertising_contacts,
        fixed=config.fixed_cost_per_consumer * market_size,
    )
    return ledger


def customer_lifetime_value(
    annual_margin_per_customer: float, annual_retention: float, discount_rate: float
) -> float:
    """CLV = m r / (1 + d - r) (Gupta & Lehmann 2003), infinite horizon."""
    return annual_margin_per_customer * annual_retention / (1.0 + discount_rate - annual_retention)
