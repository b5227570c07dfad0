"""The loyalty model: consumers on a word-of-mouth network choosing among firms.

One step is one week. Each step (the ODD's schedule, docs/ODD.md):
strategy and scenario set the levers; customers visit their provider and the
focal firm's employees serve them (experience, employees); promoters and
detractors talk (word of mouth); advertising reaches consumers; expectations
move; employees quit and are hired (employees); customers leave (churn);
prospects adopt (acquisition); the focal firm books the step (economics).
"""

from __future__ import annotations

import copy
import dataclasses
import math

import mesa
import numpy as np
import pandas as pd

from sim import competitors, scenarios, strategies
from sim.acquisition import REFERRAL, Acquisitions, acquire, anchor_on_promise
from sim.agents import Competitor, Customer, Employee, FocalFirm
from sim.churn import REASON, Departures, competitor_pull, depart
from sim.complaints import (
    LOST,
    REFERENCE_EMPOWERMENT,
    UNRESOLVED,
    ComplaintHandling,
    handle,
    handling_costs,
)
from sim.config import Config, validate
from sim.economics import Ledger, account, visit_revenue
from sim.employees import (
    NO_EMPLOYEE,
    ServiceDelivery,
    Staff,
    Turnover,
    develop,
    observe_firm,
    payroll,
    serve,
    staff_costs,
    turnover,
)
from sim.experience import (
    Encounters,
    ExpectationSources,
    choose_visitors,
    expected_experience,
    serve_encounters,
    update_expectations,
)
from sim.firms import RELATIONSHIP, SERVICE, Market
from sim.metrics import COLUMNS, FOCAL, StepEvents, measure
from sim.population import PROSPECT, Consumers, Segments
from sim.strategies import Week
from sim.word_of_mouth import (
    Messages,
    adjacency,
    build_network,
    heard_experience,
    listen,
    referrals,
    spread,
)

FIRM_REPORTERS = {
    "firm": "name",
    "customers": "customers",
    "market_share": "market_share",
    "price": "price",
    "advertising_reach": "advertising_reach",
}


class LoyaltyModel(mesa.Model):
    """Customer loyalty dynamics of a focal firm among rivals (MODEL.md)."""

    def __init__(self, config: Config | None = None) -> None:
        config = copy.deepcopy(config or Config())  # strategies and scenarios change it
        validate(config)
        super().__init__(rng=config.seed)
        self.config = config
        self.reference_config = copy.deepcopy(config)  # the levers before any strategy
        rivals = config.competition.rivals
        self.strategy = strategies.build(config.strategy)
        self.conditions = scenarios.build(config.scenario, len(rivals))
        self.segments = Segments.from_config(config.population)
        self.baseline_expectation = self.segments.expectation.copy()
        self.market = Market.from_config(config.firm, rivals, self.conditions.entrants())
        self.market.focal_segment_bonus = np.zeros_like(self.segments.expectation)
        self.network = adjacency(build_network(config.network, config.population.n, config.seed))
        self.consumers = Consumers.initial(config.population, self.segments, len(rivals), self.rng)
        self.cumulative_profit = 0.0
        self.last_pull = np.zeros(config.population.n)
        self.share_history = [self.market.shares(self.consumers.provider)]
        # who moved where: row = from, column = to; 0 is "no provider", f + 1 is firm f
        self.flows = np.zeros((self.market.n_firms + 1, self.market.n_firms + 1), dtype=np.int64)

        focal = np.flatnonzero(self.consumers.provider == FOCAL)
        positions = max(1, math.ceil(len(focal) / config.employees.customers_per_employee))
        self.staff = Staff.initial(positions, config.employees, self.rng)
        self.consumers.employee[focal] = self.rng.integers(0, positions, len(focal))

        Customer.create_agents(self, config.population.n, np.arange(config.population.n))
        self.employees = {p: Employee(self, p) for p in range(positions)}
        FocalFirm(self, 0)
        for index in np.flatnonzero(self.market.active)[1:]:
            self.add_competitor(int(index))

        self.kpis = measure(
            0,
            self.consumers,
            self.staff,
            None,
            0.0,
            config.loyalty,
            config.competition.at_risk_attitude,
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={col: _reporter(col) for col in COLUMNS},
            # per concrete class: a superclass key would make Mesa scan every consumer
            agenttype_reporters=dict.fromkeys((FocalFirm, Competitor), FIRM_REPORTERS),
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        cfg, c = self.config, self.consumers
        self.strategy.apply(self)
        self.conditions.apply(self)
        competitors.adapt(self.market, self.share_history, self.steps, cfg.competition)
        self._drift_expectations()
        levels = self.market.delivered_levels(self.segments, cfg.experience.price_points_per_index)
        utility = self.market.attractiveness(levels, self.segments)
        customers_before = int((c.provider == FOCAL).sum())

        encounters, focal_visit, delivery = self._encounters(levels)
        complaints = self._complaints(encounters, focal_visit, delivery)
        at_rivals = self._rival_complaints(encounters, focal_visit)
        angry = np.concatenate(
            [h.with_outcome(code) for h in (complaints, at_rivals) for code in (UNRESOLVED, LOST)]
            + [complaints.silent_lost, at_rivals.silent_lost]
        )
        messages = spread(
            c, encounters.visitors, self.network, cfg.word_of_mouth, self.rng, angry=angry
        )
        negative_heard, praise_elsewhere = listen(c, messages, cfg.word_of_mouth)
        referral_counts = referrals(c, messages, self.market.n_firms)
        exposure = self.rng.random((c.n, self.market.n_firms)) < self.market.reach()
        self._expectations(encounters, messages, exposure)
        staff_turnover = self._staff_turnover()

        offers = competitors.poach(c, self.market, cfg.competition, self.rng)
        pull = competitor_pull(
            c, levels, utility, self.segments.importance, praise_elsewhere, offers
        )
        self.last_pull = pull.total  # silent defection next week reads it
        departures = depart(
            c,
            utility,
            pull,
            negative_heard,
            cfg.churn,
            cfg.economics.steps_per_year,
            self.rng,
            forced=[
                (staff_turnover.followers, REASON["employee_departure"]),
                (complaints.with_outcome(LOST), REASON["complaint_response"]),
                (at_rivals.with_outcome(LOST), REASON["complaint_response"]),
                (complaints.silent_lost, None),  # left without a word: their main reason
                (at_rivals.silent_lost, None),
            ],
        )
        c.switch_provider(
            departures.leavers, departures.destination, cfg.acquisition.new_customer_attitude
        )
        c.churn_reason[departures.leavers] = departures.reason
        prospects = c.provider == PROSPECT
        prospects[departures.leavers] = False  # no same-week return
        acquisitions = acquire(
            c,
            np.flatnonzero(prospects),
            exposure,
            referral_counts,
            np.maximum(self.market.promise - self.market.offering, 0.0).mean(axis=1),
            cfg.acquisition,
            cfg.word_of_mouth,
            self.rng,
        )
        c.switch_provider(
            acquisitions.consumers, acquisitions.firm, cfg.acquisition.new_customer_attitude
        )
        overpromise = self.market.promise - self.market.offering
        anchor_on_promise(c, acquisitions, overpromise, cfg.acquisition.promise_anchoring)
        c.tenure[c.provider != PROSPECT] += 1
        np.add.at(self.flows, (departures.origin + 1, departures.destination + 1), 1)
        np.add.at(self.flows, (0, acquisitions.firm + 1), 1)
        self.share_history.append(self.market.shares(c.provider))

        ledger = self._book(encounters, focal_visit, acquisitions, departures, exposure, complaints)
        self.cumulative_profit += ledger.profit
        self.kpis = measure(
            self.steps,
            c,
            self.staff,
            StepEvents(
                customers_before,
                encounters,
                focal_visit,
                messages,
                departures,
                acquisitions,
                ledger,
                staff_turnover,
                complaints,
            ),
            self.cumulative_profit,
            cfg.loyalty,
            cfg.competition.at_risk_attitude,
        )
        self.datacollector.collect(self)

    def run_for(self, steps: int) -> pd.DataFrame:
        """Advance `steps` weeks and return the whole time series so far."""
        for _ in range(steps):
            self.step()
        return self.datacollector.get_model_vars_dataframe()

    def _encounters(self, levels: np.ndarray) -> tuple[Encounters, np.ndarray, ServiceDelivery]:
        """Visits: rivals deliver their offering; the focal firm's employees
        shape its service and relationship levels and its failure rate."""
        cfg, c = self.config, self.consumers
        visitors = choose_visitors(c, self.segments, self.rng)
        provider = c.provider[visitors]
        expected = expected_experience(levels, c.segment[visitors], provider)
        failure = self.market.failure_probability[provider]
        focal_visit = provider == FOCAL
        delivery = serve(c, visitors[focal_visit], self.staff, cfg.employees, self.rng)
        expected[focal_visit, SERVICE] += delivery.service
        expected[focal_visit, RELATIONSHIP] += delivery.relationship
        expected[focal_visit] += self.strategy.experience_uplift(self, visitors[focal_visit])
        failure[focal_visit] = np.minimum(failure[focal_visit] * delivery.failure_multiplier, 1.0)
        encounters = serve_encounters(
            c, visitors, expected, failure, self.segments, cfg.experience, self.rng
        )
        develop(
            self.staff,
            delivery,
            encounters.satisfaction[focal_visit],
            cfg.experience.satisfaction_scale,
            cfg.employees,
        )
        return encounters, focal_visit, delivery

    def _rival_complaints(
        self, encounters: Encounters, focal_visit: np.ndarray
    ) -> ComplaintHandling:
        """Negative experiences happen at rivals too: the same consumers voice
        and defect the same way, handled at seed 001's rates with no lever
        pulled (no extra channels, follow-up or incentive; no capacity limit)."""
        cfg, c = self.config, self.consumers
        visitors = encounters.visitors[~focal_visit]
        neutral = dataclasses.replace(
            cfg.complaints,
            ease=1.0,
            count_incentive=0.0,
            follow_up=0.0,
            one_stop=False,
        )
        reference = cfg.employees.reference_skill
        return handle(
            c,
            visitors,
            encounters.satisfaction[~focal_visit],
            np.full(len(visitors), reference),
            self.segments.complaint_propensity[c.segment[visitors]],
            REFERENCE_EMPOWERMENT,
            reference,
            np.inf,  # rivals' handling capacity is not modelled
            self.steps,
            self.last_pull[visitors],
            c.member[visitors],
            neutral,
            cfg.churn,
            self.rng,
        )

    def _complaints(
        self,
        encounters: Encounters,
        focal_visit: np.ndarray,
        delivery: ServiceDelivery,
    ) -> ComplaintHandling:
        """Negative experiences at the focal firm: voiced or silent, and what follows."""
        cfg, c = self.config, self.consumers
        visitors = encounters.visitors[focal_visit]
        served = delivery.employee != NO_EMPLOYEE
        skill = np.where(served, self.staff.skill[np.maximum(delivery.employee, 0)], 0.0)
        return handle(
            c,
            visitors,
            encounters.satisfaction[focal_visit],
            skill,
            self.segments.complaint_propensity[c.segment[visitors]],
            cfg.employees.empowerment,
            cfg.employees.reference_skill,
            cfg.complaints.cases_per_employee * int(self.staff.filled.sum()),
            self.steps,
            self.last_pull[visitors],
            c.member[visitors],
            cfg.complaints,
            cfg.churn,
            self.rng,
        )

    def _expectations(
        self, encounters: Encounters, messages: Messages, exposure: np.ndarray
    ) -> None:
        c = self.consumers
        advertised = np.flatnonzero(exposure.any(axis=1))
        ads = exposure[advertised]
        heard, told = heard_experience(c, messages)
        sources = ExpectationSources(
            baseline=np.take(self.baseline_expectation, c.segment, axis=0),
            competitors=np.take(self.market.best_alternative(), c.provider + 1, axis=0),
            encounters=encounters,
            advertised=advertised,
            promise=(ads @ self.market.promise) / ads.sum(axis=1, keepdims=True),
            heard=heard,
            word_of_mouth=told,
        )
        update_expectations(c, sources, self.config.expectation, self.rng)

    def _drift_expectations(self) -> None:
        """Segment baselines rise by `expectation.drift` points a week
        (consumption trends, seed 004 "消费因素")."""
        drifted = self.baseline_expectation + self.config.expectation.drift
        np.clip(drifted, 0.0, 10.0, out=self.baseline_expectation)

    def firm_table(self) -> pd.DataFrame:
        """One row per firm and week: customers, market share, price, advertising reach."""
        frames = [
            self.datacollector.get_agenttype_vars_dataframe(kind)
            for kind in (FocalFirm, Competitor)
            if self.agents_by_type.get(kind) or kind is FocalFirm
        ]
        table = pd.concat(frames).reset_index()
        return (
            table.drop(columns="AgentID")
            .sort_values(["Step", "firm"])
            .rename(columns={"Step": "step"})[["step", *FIRM_REPORTERS]]
        )

    def flow_table(self) -> pd.DataFrame:
        """Consumers who moved from (rows) to (columns) over the run; "no provider"
        covers prospects and those who left the market."""
        labels = ["no provider", *self.market.names]
        return pd.DataFrame(self.flows, index=pd.Index(labels, name="from"), columns=labels)

    def add_competitor(self, index: int) -> Competitor:
        """A rival firm (row `index` of the market) takes part from now on."""
        return Competitor(self, index)

    def _staff_turnover(self) -> Turnover:
        """Quits and hires; the Employee agents follow the staff table."""
        change = turnover(self.staff, self.consumers, self.config.employees, self.rng)
        for position in change.quits:
            self.employees.pop(int(position)).remove()
        for position in change.hires:
            self.employees[int(position)] = Employee(self, int(position))
        return change

    def _book(
        self,
        encounters: Encounters,
        focal_visit: np.ndarray,
        acquisitions: Acquisitions,
        departures: Departures,
        exposure: np.ndarray,
        complaints: ComplaintHandling,
    ) -> Ledger:
        """The focal firm's revenue and costs this week (sim/economics.py), and
        what its strategies invested (sim/strategies.py)."""
        cfg, c = self.config.economics, self.consumers
        visitors = encounters.visitors[focal_visit]
        spend = self.segments.spend_per_visit[c.segment[visitors]]
        loyalty = c.loyalty[visitors]
        revenue = visit_revenue(spend, loyalty, self.market.price[FOCAL], cfg.loyalty_spend_uplift)
        volume = visit_revenue(spend, loyalty, 1.0, cfg.loyalty_spend_uplift)
        c.spend[visitors] += revenue
        won = acquisitions.firm == FOCAL
        new_customers = int(won.sum()) + int(
            ((departures.destination == FOCAL) & (departures.origin != FOCAL)).sum()
        )
        ledger = account(
            revenue,
            volume,
            loyalty,
            int((c.provider == FOCAL).sum()),
            new_customers,
            int(exposure[:, FOCAL].sum()),
            c.n,
            cfg,
        )
        employed = int(self.staff.filled.sum())
        ledger.costs["complaints"] = handling_costs(complaints, employed, self.config.complaints)
        week = Week(visitors, revenue, int((won & (acquisitions.channel == REFERRAL)).sum()))
        ledger.costs["strategy"] = self.strategy.cost(self, week)
        ledger.investment = self._investment(ledger, complaints, employed, float(volume.sum()))
        ledger.costs.update(payroll(self.staff, ledger.profit, self.config.employees))
        # staff sense trading (the margin before fixed overheads), not the accounts
        observe_firm(
            self.staff, ledger.profit + ledger.costs["fixed"], ledger.revenue, self.config.employees
        )
        return ledger

    def _investment(
        self, ledger: Ledger, complaints: ComplaintHandling, employed: int, volume: float
    ) -> float:
        """What the strategies cost this week over the levers as they were before
        rollout: their own outlay, the extra on costed levers (staff, complaint
        handling, advertising) and the revenue a price cut gives up."""
        now, before = self.config, self.reference_config
        staff = sum(staff_costs(employed, now.employees).values()) - sum(
            staff_costs(employed, before.employees).values()
        )
        handling = handling_costs(complaints, employed, now.complaints) - handling_costs(
            complaints, employed, before.complaints
        )
        reach = self.market.advertising_reach[FOCAL]
        advertising = (
            ledger.costs["advertising"] * (1.0 - before.firm.advertising_reach / reach)
            if reach > 0
            else 0.0
        )
        forgone = volume * (before.firm.price - self.market.price[FOCAL])
        return float(ledger.costs["strategy"] + staff + handling + advertising + forgone)


def _reporter(column: str):
    return lambda model: model.kpis[column]
