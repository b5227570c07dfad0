"""The loyalty model: consumers on a word-of-mouth network choosing among firms.

`LoyaltyModel` wires the engine's state and mechanisms (sim/engine) and the
interventions (sim/interventions) into Mesa. One step is one week, and
`step` is the schedule of docs/ODD.md §3 as named phases; each phase's
docstring says which state it reads and writes. Each mechanism draws from
its own random stream, spawned from the run's seed, so that a change to one
mechanism leaves the others' draws where they were.
"""

from __future__ import annotations

import copy
import functools
import math
import operator
from dataclasses import dataclass

import mesa
import numpy as np
import pandas as pd

from sim.agents import Competitor, Customer, Employee, FocalFirm
from sim.codes import FOCAL, NO_EMPLOYEE, Channel, Outcome, Reason
from sim.config import ChurnConfig, Config, validate
from sim.engine import competitors
from sim.engine.acquisition import Acquisitions, acquire, anchor_on_promise, courted
from sim.engine.census import Census, take_census
from sim.engine.churn import Departures, Pressures, Trigger, competitor_pull, depart
from sim.engine.complaints import (
    USUAL_EMPOWERMENT,
    Cases,
    ComplaintHandling,
    Handlers,
    handle,
    handling_costs,
)
from sim.engine.draws import stream_key, week_key
from sim.engine.economics import Ledger, account, sell
from sim.engine.employees import (
    ServiceDelivery,
    Staff,
    Turnover,
    develop,
    observe_firm,
    payroll,
    serve,
    staff_costs,
    staff_up,
    turnover,
)
from sim.engine.experience import (
    Encounters,
    ExpectationSources,
    FocalService,
    choose_visitors,
    serve_encounters,
    update_expectations,
)
from sim.engine.firms import Exposure, Market
from sim.engine.levers import ComplaintLevers, Levers
from sim.engine.network import build_network
from sim.engine.observation import COLUMNS, StepEvents, measure
from sim.engine.population import Consumers, Segments, Traits
from sim.engine.word_of_mouth import Heard, Messages, heard_experience, listen, referrals, spread
from sim.interventions import scenarios, strategies
from sim.interventions.strategies import Week
from sim.interventions.world import World
from sim.transactions import arriving_customers, known_customers

STREAMS = (
    "population",
    "staff",
    "visits",
    "encounters",
    "service",
    "voice",
    "word_of_mouth",
    "advertising",
    "expectations",
    "turnover",
    "rivals",
    "exit",
    "acquisition",
    "strategies",
)
"""The random streams, one per mechanism, spawned from the run's seed in this order."""

FIRM_REPORTERS = {  # attrgetters, not names: Mesa wraps a name in a closure, which a
    # checkpoint could not pickle (sim/runs/simulation.py)
    "firm": operator.attrgetter("name"),
    **{
        a: operator.attrgetter(a)
        for a in ("customers", "market_share", "price", "advertising_reach")
    },
}


@dataclass
class Offers:
    """What each firm offers each segment this week (docs/ODD.md 7.1)."""

    levels: np.ndarray  # (segments, firms, 6) mean experience delivered
    utility: np.ndarray  # (segments, firms) attractiveness


@dataclass
class Visits:
    """This week's encounters, and what the focal firm's staff put into them."""

    encounters: Encounters
    at_focal: np.ndarray  # the encounters at the focal firm, in order
    delivery: ServiceDelivery  # per focal visit, in the order of `at_focal`


@dataclass
class Voice:
    """This week's negative experiences at the focal firm and at its rivals,
    and what became of them (docs/ODD.md 7.3b)."""

    focal: ComplaintHandling
    rivals: ComplaintHandling

    def unhappy(self) -> np.ndarray:
        """Customers with a negative experience this week, at any firm."""
        return np.concatenate([self.focal.dissatisfied, self.rivals.dissatisfied])

    def triggers(self, config: ChurnConfig) -> list[Trigger]:
        """Unresolved negative experiences, which may make a customer leave
        this week (docs/ODD.md 7.6): the silent, and complaints left unresolved."""
        silent = Trigger(
            np.concatenate([self.focal.silent, self.rivals.silent]),
            config.negative_experience_weight,
        )
        unresolved = Trigger(
            np.concatenate([h.with_outcome(Outcome.unresolved) for h in (self.focal, self.rivals)]),
            config.negative_experience_weight + config.unresolved_complaint_weight,
            Reason.complaint_response,
        )
        return [silent, unresolved]

    def settle(self, departures: Departures, consumers: Consumers, clock: int) -> None:
        """Count the customers lost within a year of a negative experience,
        at the focal firm and at its rivals (before they start afresh)."""
        focal = departures.origin == FOCAL
        self.focal.settle(consumers, departures.leavers[focal], clock)
        self.rivals.settle(consumers, departures.leavers[~focal], clock)


@dataclass
class Talk:
    """This week's word of mouth and what listeners took from it (7.4)."""

    messages: Messages
    warnings: np.ndarray  # per consumer: complaints heard about their provider
    praise_elsewhere: np.ndarray  # per consumer: praise heard for other firms
    heard: Heard  # what prospects heard about each firm


class LoyaltyModel(mesa.Model):
    """Customer loyalty dynamics of a focal firm among rivals (docs/ODD.md).

    State: `consumers`, `segments` (sim/engine/population.py), `market` (the
    firms' table), `staff` (the focal firm's employees), `levers` (what
    strategies and scenarios move), `network`. `config` is what the user
    asked for and is never changed. `config.burn_in` weeks run in the
    constructor and are not recorded: week 0 is the market after them.
    """

    def __init__(self, config: Config | None = None) -> None:
        config = copy.deepcopy(config or Config())  # the caller may go on changing theirs
        validate(config)
        super().__init__(rng=config.seed)
        self.config = config
        children = np.random.SeedSequence(config.seed).spawn(len(STREAMS))
        self.seeds = dict(zip(STREAMS, children, strict=True))
        self.streams = {name: np.random.default_rng(seed) for name, seed in self.seeds.items()}
        self.stream_keys = {name: stream_key(seed) for name, seed in self.seeds.items()}
        self.clock = 0  # weeks simulated, burn-in included
        rivals = config.competition.rivals
        self.strategy = strategies.build(config.strategy)
        # not `self.scenario`: Mesa 3.5 reserves `Model.scenario` for its own scenarios
        self.market_scenario = scenarios.build(config.scenario)
        self.segments = Segments.from_config(config.population)
        self.baseline_expectation = self.segments.expectation.copy()
        self.market = Market.from_config(
            config.firm, rivals, len(self.segments.names), self.market_scenario.entrants()
        )
        self.levers = Levers.from_config(config)
        self.levers_before = self.levers.copy()  # what strategies' investment is measured against
        self.network = build_network(config.network, config.population.n, config.seed)
        self.ties = np.empty(self.network.nnz, dtype=np.int32)  # word of mouth's scratch
        traits = Traits(config.complaints.propensity_shape, config.nps.spread)
        known = None  # the firm's own customers, from its transaction log
        if config.population.source == "from_log":
            known = known_customers(config.population, self.streams["population"])
        elif config.population.source == "log_cohort":
            known = arriving_customers(config.population, self.streams["population"])
        self.consumers = Consumers.initial(
            config.population,
            self.segments,
            len(rivals),
            traits,
            self.streams["population"],
            config.experience.loyalty_learning_rate,
            known,
        )
        # the week each consumer enters the market, or None: all are in from the start
        self.arrival = None
        if known is not None and known.arrival is not None:
            self.arrival = np.full(config.population.n, -1, dtype=np.int32)
            self.arrival[: len(known)] = known.arrival
        self.events: StepEvents | None = None  # what the last recorded week did
        self.cumulative_profit = 0.0
        # who moved where: row = from, column = to; 0 is "no provider", f + 1 is firm f
        self.flows = np.zeros((self.market.n_firms + 1, self.market.n_firms + 1), dtype=np.int64)

        focal = np.flatnonzero(self.consumers.provider == FOCAL)
        # staffed for its customers, and for those a log says will arrive
        arriving = 0 if self.arrival is None else int((self.arrival >= 0).sum())
        served = max(len(focal), arriving)
        positions = max(1, math.ceil(served / config.employees.customers_per_employee))
        self.staff = Staff.initial(positions, config.employees, self.streams["staff"])
        self.consumers.employee[focal] = self.streams["staff"].integers(0, positions, len(focal))

        self.census = self.count()
        self.share_history = [self.market.shares(self.census.customers)]
        for index in range(config.population.n):  # registered with the model, as
            Customer(self, index)  # create_agents does, without its unused AgentSet
        self.employees = {p: Employee(self, p) for p in range(positions)}
        FocalFirm(self, FOCAL)
        for index in np.flatnonzero(self.market.active)[1:]:
            Competitor(self, int(index))
        self.world = World(
            self.consumers,
            self.segments,
            self.market,
            self.levers,
            self.streams["strategies"],
            self.enter,
        )
        for week in range(-config.burn_in, 0):
            self.week(week)
        self.cumulative_profit = 0.0  # what the burn-in booked is not the run's
        self.flows[:] = 0
        self.consumers.spend[:] = 0.0

        self.kpis = measure(0, self.census, self.staff, None, 0.0)
        self.datacollector = mesa.DataCollector(
            model_reporters={col: _reporter(col) for col in COLUMNS},
            # per concrete class: a superclass key would make Mesa scan every consumer
            agenttype_reporters=dict.fromkeys((FocalFirm, Competitor), FIRM_REPORTERS),
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """One recorded week (Mesa counts them in `steps`, from 1)."""
        self.observe(self.week(self.steps))

    def week(self, week: int) -> StepEvents:
        """One week, in the order of docs/ODD.md §3; `week` < 0 in the burn-in."""
        standing = self.standing()
        offers = self.set_levers(week)
        visits = self.serve_visits(offers)
        voice = self.hear_dissatisfaction(visits)
        talk = self.talk(voice, standing.nps_group)
        exposure = self.advertise()
        self.adjust_expectations(visits, talk, exposure)
        staff_turnover = self.staff_turnover()
        departures = self.churn(offers, talk, voice, staff_turnover)
        acquisitions = self.acquire(offers, talk, departures, exposure)
        self.record_moves(departures, acquisitions)
        ledger = self.book(visits, acquisitions, departures, exposure, voice.focal)
        self.clock += 1
        return StepEvents(
            standing,
            visits.encounters,
            visits.at_focal,
            talk.messages,
            departures,
            acquisitions,
            ledger,
            staff_turnover,
            voice.focal,
        )

    def key(self, stream: str):
        """This week's key of a mechanism's counter-based draws (sim/engine/draws.py)."""
        return week_key(self.stream_keys[stream], self.clock)

    # --- the phases of a week (docs/ODD.md §3) ---------------------------------

    def standing(self) -> Census:
        """0. The market as the week begins: the census the last week closed
        with (each consumer's NPS group and loyalty stage, each firm's
        customers; the weekly churn by group counts from it). Writes nothing."""
        return self.census

    def set_levers(self, week: int) -> Offers:
        """1. Levers: strategies, then the scenario, move their levers; rivals
        adapt; segment baselines drift. Writes `levers`, `market`, `segments`,
        `baseline_expectation`; returns what each firm offers each segment."""
        self.strategy.apply(self.world, week)
        self.market_scenario.apply(self.world, week)
        competitors.adapt(self.market, self.share_history, self.clock, self.config.competition)
        drifted = self.baseline_expectation + self.levers.expectation_drift
        np.clip(drifted, 0.0, 10.0, out=self.baseline_expectation)
        levels = self.market.delivered_levels(
            self.segments, self.config.experience.price_points_per_index
        )
        return Offers(levels, self.market.attractiveness(levels, self.segments))

    def serve_visits(self, offers: Offers) -> Visits:
        """2. Encounters: customers visit their provider (and consumers whose
        first purchase falls this week arrive and visit it); the focal firm's
        employees shape its service and relationship levels and its failure
        rate; each encounter is scored by the Delta law; staff develop.
        Writes the visitors' satisfaction, attitude, loyalty, grievance,
        experience, usual employee and bond, and the staff table."""
        cfg, c = self.config, self.consumers
        visitors = choose_visitors(c, self.key("visits"))
        if len(arriving := self.arrive()):
            visitors = np.union1d(visitors, arriving)
        at_focal = np.flatnonzero(c.provider[visitors] == FOCAL)
        focal_visitors = visitors[at_focal]
        delivery = serve(c, focal_visitors, self.staff, cfg.employees, self.streams["service"])
        focal_service = FocalService(
            at_focal,
            delivery.service,
            delivery.relationship,
            delivery.failure_multiplier,
            self.strategy.experience_uplift(self.world, focal_visitors),
        )
        encounters = serve_encounters(
            c,
            visitors,
            offers.levels,
            self.market.failure_probability,
            focal_service,
            self.segments,
            cfg.experience,
            self.key("encounters"),
        )
        develop(
            self.staff,
            delivery,
            encounters.felt[at_focal],
            self.levers.staff,
            cfg.employees,
        )
        return Visits(encounters, at_focal, delivery)

    def arrive(self) -> np.ndarray:
        """Consumers whose first purchase falls in this week (population=
        log_cohort) become the focal firm's new customers and visit it.
        Writes their provider and fresh relationship; returns who they are."""
        if self.arrival is None:
            return np.empty(0, dtype=np.int64)
        who = np.flatnonzero(self.arrival == self.clock)
        self.consumers.switch_provider(who, FOCAL, self.config.acquisition.new_customer_attitude)
        self.flows[0, FOCAL + 1] += len(who)
        return who

    def hear_dissatisfaction(self, visits: Visits) -> Voice:
        """3. Voice: negative experiences are voiced or kept silent; complaints
        (and silent customers found by follow-up) are handled and recovered or
        not. At the focal firm its staff handle them with its levers; at
        rivals, the same funnel runs with no lever pulled and no capacity
        limit. Writes the handled customers' attitude and grievance, and the
        dissatisfied visitors' last_negative. Exit comes later, in `churn`."""
        cfg, enc = self.config, visits.encounters
        negative = np.flatnonzero(enc.satisfaction < cfg.complaints.negative_experience_threshold)
        at_focal = self.consumers.provider[enc.visitors[negative]] == FOCAL
        focal_cases, rival_cases = (
            self._cases(enc, negative[where], visits_there)
            for where, visits_there in (
                (at_focal, len(visits.at_focal)),
                (~at_focal, len(enc.visitors) - len(visits.at_focal)),
            )
        )
        employee = visits.delivery.employee[np.searchsorted(visits.at_focal, negative[at_focal])]
        served = employee != NO_EMPLOYEE
        handled_by_staff = Handlers(
            skill=np.where(served, self.staff.skill[np.maximum(employee, 0)], 0.0),
            empowerment=self.levers.staff.empowerment,
            reference_skill=cfg.employees.reference_skill,
            capacity=self.levers.complaints.cases_per_employee * int(self.staff.filled.sum()),
        )
        reference = cfg.employees.reference_skill
        handled_by_rivals = Handlers(
            skill=np.full(len(rival_cases.visitors), reference),
            empowerment=USUAL_EMPOWERMENT,
            reference_skill=reference,
            capacity=np.inf,  # rivals' handling capacity is not modelled
        )
        rivals_levers = ComplaintLevers.from_config(cfg.complaints)
        rivals_levers.ease, rivals_levers.count_incentive = 1.0, 0.0
        rivals_levers.follow_up, rivals_levers.one_stop = 0.0, False
        return Voice(
            *(
                handle(
                    self.consumers,
                    cases,
                    handlers,
                    self.clock,
                    levers,
                    cfg.complaints,
                    self.streams["voice"],
                )
                for cases, handlers, levers in (
                    (focal_cases, handled_by_staff, self.levers.complaints),
                    (rival_cases, handled_by_rivals, rivals_levers),
                )
            )
        )

    def _cases(self, encounters: Encounters, rows: np.ndarray, visits: int) -> Cases:
        visitors = encounters.visitors[rows]
        return Cases(
            visitors=visitors,
            satisfaction=encounters.satisfaction[rows],
            segment_propensity=self.segments.complaint_propensity[self.consumers.segment[visitors]],
            other_visits=visits - len(rows),
        )

    def talk(self, voice: Voice, nps_group: np.ndarray) -> Talk:
        """4. Word of mouth: whoever had a negative experience this week tells
        most of their neighbours; promoters praise and detractors warn, tie by
        tie (docs/ODD.md 7.4). Writes the listeners' attitude; returns what was
        heard."""
        cfg, c = self.config, self.consumers
        messages = spread(
            c,
            voice.unhappy(),
            nps_group,
            self.network,
            cfg.word_of_mouth,
            self.key("word_of_mouth"),
            self.ties,
        )
        warnings, praise_elsewhere = listen(c, messages, cfg.word_of_mouth)
        heard = referrals(messages)
        return Talk(messages, warnings, praise_elsewhere, heard)

    def advertise(self) -> Exposure:
        """5. Advertising: each firm reaches each consumer with its reach.
        Returns whom it reached; writes nothing."""
        return Exposure.draw(self.consumers.n, self.market.reach(), self.key("advertising"))

    def adjust_expectations(self, visits: Visits, talk: Talk, exposure: Exposure) -> None:
        """6. Expectations move toward a blend of their sources (docs/ODD.md
        7.5). Writes every consumer's expectation."""
        c = self.consumers
        visited = np.zeros(c.n, dtype=np.bool_)
        visited[visits.encounters.visitors] = True
        sources = ExpectationSources(
            baseline=self.baseline_expectation,
            competitors=self.market.best_alternative(),
            visited=visited,
            advertising=exposure,
            promise=self.market.promise,
            word_of_mouth=heard_experience(c, talk.messages),
        )
        update_expectations(c, sources, self.config.expectation, self.key("expectations"))

    def staff_turnover(self) -> Turnover:
        """7. Staff: at each staffing review the firm opens the positions its
        customer base needs; vacancies are filled, employees quit, their
        customers lose the relationship. Writes the staff table and the
        orphans' usual employee and bond; the Employee agents follow."""
        tightness, config = self.levers.staff.labour_market_tightness, self.config.employees
        review = config.staffing_review_weeks
        if review and self.clock % review == 0:
            staff_up(self.staff, int((self.consumers.provider == FOCAL).sum()), tightness, config)
        change = turnover(self.staff, self.consumers, tightness, config, self.streams["turnover"])
        for position in change.quits:
            self.employees.pop(int(position)).remove()
        for position in change.hires:
            self.employees[int(position)] = Employee(self, int(position))
        return change

    def churn(
        self, offers: Offers, talk: Talk, voice: Voice, staff_turnover: Turnover
    ) -> Departures:
        """8. Churn: rivals court the focal firm's at-risk customers; customers
        of every firm leave by their hazard, which a negative experience left
        unresolved this week raises; the followers of departed staff leave for
        sure. Each leaver gets a reason. Writes the leavers' provider (a rival
        or none), their fresh relationship and churn_reason, and
        which complainers and silent customers were lost."""
        cfg, c = self.config, self.consumers
        offers_made = competitors.poach(c, self.market, cfg.competition, self.streams["rivals"])
        pull = competitor_pull(
            offers.levels,
            offers.utility,
            self.segments.importance,
            talk.praise_elsewhere,
            offers_made,
        )
        followers = Trigger(staff_turnover.followers, np.inf, Reason.employee_departure)
        departures = depart(
            c,
            offers.utility,
            Pressures(pull, talk.warnings, [*voice.triggers(cfg.churn), followers]),
            cfg.churn,
            cfg.economics.steps_per_year,
            self.key("exit"),
            self.streams["exit"],
        )
        voice.settle(departures, c, self.clock)
        c.switch_provider(
            departures.leavers, departures.destination, cfg.acquisition.new_customer_attitude
        )
        c.churn_reason[departures.leavers] = departures.reason
        return departures

    def acquire(
        self, offers: Offers, talk: Talk, departures: Departures, exposure: Exposure
    ) -> Acquisitions:
        """9. Acquisition: prospects (not those who left a firm this week)
        reached by an ad or a referral adopt a firm by one of them; customers won by an ad expect
        part of what it claimed beyond delivery. Writes the new customers'
        provider, fresh relationship and expectation."""
        cfg, c = self.config, self.consumers
        praised = talk.heard.listener[talk.heard.valence > 0]
        prospects = courted(
            c.provider, exposure.reached, praised, departures.leavers, self.arrival, self.clock
        )
        fit = Market.fit(offers.utility, cfg.churn.choice_sharpness)
        acquisitions = acquire(
            prospects,
            exposure.reached[prospects],
            talk.heard.counts(prospects, self.market.n_firms),
            fit[c.segment[prospects]],
            self.market.promise_premium * self.market.active,
            self.levers.referral_conversion,
            cfg.acquisition,
            self.streams["acquisition"],
        )
        c.switch_provider(
            acquisitions.consumers, acquisitions.firm, cfg.acquisition.new_customer_attitude
        )
        overpromise = self.market.promise - self.market.offering
        anchor_on_promise(c, acquisitions, overpromise, cfg.acquisition.promise_anchoring)
        return acquisitions

    def record_moves(self, departures: Departures, acquisitions: Acquisitions) -> None:
        """10. Tenure, flows and census: every consumer with a provider ages a
        week; the week's moves join the flows table; the census counts where
        everyone stands, and each firm's share joins its history. Writes
        tenure, `flows`, `census`, `share_history`."""
        self.consumers.age()
        np.add.at(self.flows, (departures.origin + 1, departures.destination + 1), 1)
        np.add.at(self.flows, (0, acquisitions.firm + 1), 1)
        self.census = self.count()
        self.share_history.append(self.market.shares(self.census.customers))

    def count(self) -> Census:
        """Take the census of the market (sim/engine/census.py)."""
        cfg = self.config
        return take_census(
            self.consumers,
            cfg.nps,
            cfg.loyalty,
            self.market.n_firms,
            cfg.competition.at_risk_attitude,
        )

    def book(
        self,
        visits: Visits,
        acquisitions: Acquisitions,
        departures: Departures,
        exposure: Exposure,
        complaints: ComplaintHandling,
    ) -> Ledger:
        """11. Accounts: the focal firm's revenue and costs this week
        (sim/engine/economics.py) and what its strategies invested; staff sense
        how the firm is doing. Writes the visitors' spend, the staff's bonus
        and sense of the firm, and `cumulative_profit`."""
        econ, c = self.config.economics, self.consumers
        visitors = visits.encounters.visitors[visits.at_focal]
        sales = sell(visitors, c, self.market.price[FOCAL], econ.loyalty_spend_uplift)
        won = acquisitions.firm == FOCAL
        switched_in = (departures.destination == FOCAL) & (departures.origin != FOCAL)
        ledger = account(
            sales.revenue,
            sales.volume,
            sales.loyalty,
            self.census.focal_customers,  # taken as the week's moves closed
            int(won.sum()) + int(switched_in.sum()),
            int(exposure.count[FOCAL]),
            c.n,
            econ,
        )
        employed = int(self.staff.filled.sum())
        levers = self.levers
        ledger.costs["complaints"] = handling_costs(
            complaints, employed, levers.complaints, self.config.complaints
        )
        referred = int((won & (acquisitions.channel == Channel.referral)).sum())
        ledger.costs["strategy"] = self.strategy.cost(
            self.world, Week(visitors, sales.revenue, referred)
        )
        ledger.investment = self._investment(
            ledger, complaints, employed, float(sales.volume.sum())
        )
        ledger.costs.update(payroll(self.staff, ledger.profit, levers.staff, self.config.employees))
        # staff sense trading (the margin before fixed overheads), not the accounts
        observe_firm(
            self.staff, ledger.profit + ledger.costs["fixed"], ledger.revenue, self.config.employees
        )
        self.cumulative_profit += ledger.profit
        return ledger

    def _investment(
        self, ledger: Ledger, complaints: ComplaintHandling, employed: int, volume: float
    ) -> float:
        """What the strategies cost this week over the levers as they were before
        rollout: their own outlay, the extra on costed levers (staff, complaint
        handling, advertising) and the revenue a price cut gives up."""
        now, before, config = self.levers, self.levers_before, self.config
        staff = sum(staff_costs(employed, now.staff, config.employees).values()) - sum(
            staff_costs(employed, before.staff, config.employees).values()
        )
        handling = handling_costs(
            complaints, employed, now.complaints, config.complaints
        ) - handling_costs(complaints, employed, before.complaints, config.complaints)
        reach = self.market.advertising_reach[FOCAL]
        advertising = (
            ledger.costs["advertising"] * (1.0 - config.firm.advertising_reach / reach)
            if reach > 0
            else 0.0
        )
        forgone = volume * (config.firm.price - self.market.price[FOCAL])
        return float(ledger.costs["strategy"] + staff + handling + advertising + forgone)

    def observe(self, events: StepEvents) -> None:
        """12. Observation: the week's KPI row (sim/engine/observation.py),
        collected by Mesa's DataCollector. Writes `kpis`."""
        self.kpis = measure(self.steps, self.census, self.staff, events, self.cumulative_profit)
        self.events = events
        self.datacollector.collect(self)

    # --- running and reading -----------------------------------------------------

    def run_for(self, steps: int) -> pd.DataFrame:
        """Advance `steps` weeks and return the whole time series so far."""
        for _ in range(steps):
            self.step()
        return self.datacollector.get_model_vars_dataframe()

    def __getstate__(self) -> dict:
        """A checkpoint leaves out word of mouth's scratch (one int per tie)."""
        return {k: v for k, v in self.__dict__.items() if k != "ties"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.ties = np.empty(self.network.nnz, dtype=np.int32)

    def enter(self, index: int) -> Competitor:
        """Firm `index` of the market table enters the market from now on (a
        new entrant): it becomes active, and a Competitor agent."""
        self.market.active[index] = True
        return Competitor(self, index)

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


def _kpi(model: LoyaltyModel, column: str) -> float:
    return model.kpis[column]


def _reporter(column: str) -> functools.partial:
    """A Mesa model reporter of a KPI column; a partial, not a lambda, so that
    a model can be pickled (a checkpoint, sim/runs/simulation.py)."""
    return functools.partial(_kpi, column=column)
