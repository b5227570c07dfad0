"""The loyalty model: consumers on a word-of-mouth network choosing among firms.

One step is one week. Each step (the ODD's schedule, docs/ODD.md):
strategy and scenario set the levers; customers visit their provider and judge
the encounter (experience); promoters and detractors talk (word of mouth);
advertising reaches consumers; expectations move; customers leave (churn);
prospects adopt (acquisition); the focal firm books the step (economics).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim import scenarios, strategies
from sim.acquisition import acquire
from sim.agents import Competitor, Customer, FocalFirm
from sim.churn import competitor_pull, depart
from sim.config import Config, validate
from sim.economics import account, visit_revenue
from sim.experience import ExpectationSources, serve_encounters, update_expectations
from sim.firms import Market
from sim.metrics import COLUMNS, FOCAL, StepEvents, measure
from sim.population import PROSPECT, Consumers, Segments
from sim.word_of_mouth import (
    adjacency,
    build_network,
    heard_experience,
    listen,
    referrals,
    spread,
)


class LoyaltyModel(mesa.Model):
    """Customer loyalty dynamics of a focal firm among rivals (MODEL.md)."""

    def __init__(self, config: Config | None = None) -> None:
        config = config or Config()
        validate(config)
        super().__init__(rng=config.seed)
        self.config = config
        self.segments = Segments.from_config(config.population)
        self.market = Market.from_config(config.firm, config.competition.rivals)
        self.network = adjacency(build_network(config.network, config.population.n, config.seed))
        self.consumers = Consumers.initial(
            config.population, self.segments, self.market.n_firms - 1, self.rng
        )
        self.strategy = strategies.build(config.strategy)
        self.conditions = scenarios.build(config.scenario)
        self.cumulative_profit = 0.0

        Customer.create_agents(self, config.population.n, np.arange(config.population.n))
        FocalFirm(self, 0)
        for index in range(1, self.market.n_firms):
            Competitor(self, index)

        self.kpis = measure(0, self.consumers, None, 0.0, config.loyalty)
        self.datacollector = mesa.DataCollector(
            model_reporters={col: _reporter(col) for col in COLUMNS},
            # per concrete class: a superclass key would make Mesa scan every consumer
            agenttype_reporters=dict.fromkeys((FocalFirm, Competitor), FIRM_REPORTERS),
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        cfg, rng, c = self.config, self.rng, self.consumers
        self.strategy.apply(self)
        self.conditions.apply(self)
        levels = self.market.delivered_levels(self.segments, cfg.experience.price_points_per_index)
        utility = Market.attractiveness(levels, self.segments)
        customers_before = int((c.provider == FOCAL).sum())

        encounters = serve_encounters(
            c, self.segments, levels, self.market.failure_probability, cfg.experience, rng
        )
        focal_visit = c.provider[encounters.visitors] == FOCAL

        messages = spread(c, encounters.visitors, self.network, cfg.word_of_mouth, rng)
        negative_heard, praise_elsewhere = listen(c, messages, cfg.word_of_mouth)
        referral_counts = referrals(c, messages, self.market.n_firms)

        exposure = rng.random((c.n, self.market.n_firms)) < self.market.advertising_reach
        advertised = np.flatnonzero(exposure.any(axis=1))
        ads = exposure[advertised]
        promise = (ads @ self.market.promise) / ads.sum(axis=1, keepdims=True)
        heard, told = heard_experience(c, messages)
        update_expectations(
            c,
            ExpectationSources(
                baseline=np.take(self._baseline_expectation(), c.segment, axis=0),
                competitors=np.take(self.market.best_alternative(), c.provider + 1, axis=0),
                encounters=encounters,
                advertised=advertised,
                promise=promise,
                heard=heard,
                word_of_mouth=told,
            ),
            cfg.expectation,
            rng,
        )

        pull = competitor_pull(c, utility, praise_elsewhere)
        departures = depart(
            c, utility, pull, negative_heard, cfg.churn, cfg.economics.steps_per_year, rng
        )
        c.switch_provider(
            departures.leavers, departures.destination, cfg.acquisition.new_customer_attitude
        )
        c.churn_reason[departures.leavers] = departures.reason

        prospects = c.provider == PROSPECT
        prospects[departures.leavers] = False  # no same-step return
        acquisitions = acquire(
            c,
            np.flatnonzero(prospects),
            exposure,
            referral_counts,
            cfg.acquisition,
            cfg.word_of_mouth,
            rng,
        )
        c.switch_provider(
            acquisitions.consumers, acquisitions.firm, cfg.acquisition.new_customer_attitude
        )
        c.tenure[c.provider != PROSPECT] += 1

        ledger = self._book(encounters, focal_visit, acquisitions, departures, exposure)
        self.cumulative_profit += ledger.profit
        self.kpis = measure(
            self.steps,
            c,
            StepEvents(
                customers_before,
                encounters,
                focal_visit,
                messages,
                departures,
                acquisitions,
                ledger,
            ),
            self.cumulative_profit,
            cfg.loyalty,
        )
        self.datacollector.collect(self)

    def _baseline_expectation(self) -> np.ndarray:
        """Segment baselines, rising by `expectation.drift` points a week
        (consumption trends, seed 004 "消费因素")."""
        drifted = self.segments.expectation + self.config.expectation.drift * self.steps
        return np.clip(drifted, 0.0, 10.0)

    def _book(self, encounters, focal_visit, acquisitions, departures, exposure):
        """The focal firm's revenue and costs this step (sim/economics.py)."""
        cfg, c = self.config.economics, self.consumers
        visitors = encounters.visitors[focal_visit]
        spend = self.segments.spend_per_visit[c.segment[visitors]]
        loyalty = c.loyalty[visitors]
        revenue = visit_revenue(spend, loyalty, self.market.price[FOCAL], cfg.loyalty_spend_uplift)
        c.spend[visitors] += revenue
        new_customers = int((acquisitions.firm == FOCAL).sum()) + int(
            ((departures.destination == FOCAL) & (departures.origin != FOCAL)).sum()
        )
        ledger = account(
            revenue,
            visit_revenue(spend, loyalty, 1.0, cfg.loyalty_spend_uplift),
            loyalty,
            int((c.provider == FOCAL).sum()),
            new_customers,
            int(exposure[:, FOCAL].sum()),
            cfg,
        )
        ledger.costs["strategy"] = self.strategy.cost(self)
        return ledger


FIRM_REPORTERS = {"firm": "name", "customers": "customers", "market_share": "market_share"}


def _reporter(column: str):
    return lambda model: model.kpis[column]
