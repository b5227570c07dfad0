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

from sim.config import EconomicsConfig

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


def visit_revenue(
    spend_per_visit: np.ndarray, loyalty: np.ndarray, price: float, uplift: float
) -> np.ndarray:
    """Revenue per visit = spend x price index x (1 + uplift x loyalty)."""
    return spend_per_visit * price * (1.0 + uplift * loyalty)


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
