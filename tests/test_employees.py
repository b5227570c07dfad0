import numpy as np
import pytest

from sim.agents import Employee
from sim.codes import NO_EMPLOYEE
from sim.config import EmployeesConfig
from sim.engine.employees import Staff, quit_hazard, serve, target_engagement, turnover
from sim.engine.levers import StaffLevers
from tests.helpers import consumers_with_expectation, run_model, small_config


def _engagement(pay=1.0, overload=0.0, satisfaction=0.3):
    config = EmployeesConfig()
    levers = StaffLevers.from_config(config)
    return target_engagement(
        pay, levers, np.array([overload]), 0.0, np.array([satisfaction]), config
    )[0]


def test_engagement_rises_with_pay_and_falls_with_overload():
    assert _engagement(pay=0.8) < _engagement(pay=1.0) < _engagement(pay=1.2)
    assert _engagement(overload=0.0) > _engagement(overload=0.3) > _engagement(overload=1.0)


def test_satisfied_customers_raise_engagement():
    assert _engagement(satisfaction=0.8) > _engagement(satisfaction=-0.5)


def test_quitting_falls_with_engagement():
    h = quit_hazard(np.array([0.1, 0.5, 0.9]), 0.0, EmployeesConfig())
    assert h[0] > h[1] > h[2] > 0
    annual = 1 - (1 - h) ** 52
    assert annual[0] > 0.5 and annual[2] < 0.2  # disengaged staff mostly leave within a year


def test_new_hires_start_with_low_skill():
    config = EmployeesConfig(new_hire_skill=0.2)
    staff = Staff.initial(10, config, np.random.default_rng(0))
    staff.filled[3] = False
    staff.vacancy_weeks[3] = 1
    consumers = consumers_with_expectation(50, 5.0)
    change = turnover(staff, consumers, 0.0, config, np.random.default_rng(0))
    assert 3 in change.hires
    assert staff.skill[3] == pytest.approx(0.2)
    assert staff.skill[3] < staff.skill[staff.filled].mean() - 0.3


def test_a_departed_employees_customers_lose_the_relationship():
    config = EmployeesConfig(quit_base_logit=50.0, follow_probability=0.5)  # everyone quits
    staff = Staff.initial(2, config, np.random.default_rng(0))
    consumers = consumers_with_expectation(400, 5.0)
    consumers.employee[:] = np.repeat([0, 1], 200)
    consumers.bond[:] = 0.9
    change = turnover(staff, consumers, 0.0, config, np.random.default_rng(1))
    assert set(change.quits) == {0, 1} and not staff.filled.any()
    assert np.all(consumers.employee == NO_EMPLOYEE) and np.all(consumers.bond == 0)
    assert set(change.followers) <= set(change.orphaned)
    assert 0.3 < len(change.followers) / 400 < 0.6  # follow_probability x bond = 0.45


def test_service_follows_the_serving_employees_skill():
    config = EmployeesConfig()
    staff = Staff.initial(2, config, np.random.default_rng(0))
    staff.skill[:] = [0.2, 1.0]
    staff.engagement[:] = 0.75
    consumers = consumers_with_expectation(200, 5.0)
    consumers.employee[:] = np.repeat([0, 1], 100)
    delivery = serve(consumers, np.arange(200), staff, config, np.random.default_rng(0))
    weak, strong = delivery.employee == 0, delivery.employee == 1
    assert delivery.service[strong].mean() > delivery.service[weak].mean() + 1.0
    assert delivery.failure_multiplier[strong].mean() < delivery.failure_multiplier[weak].mean()


def test_overload_raises_failures():
    config = EmployeesConfig(capacity_visits=10)
    staff = Staff.initial(1, config, np.random.default_rng(0))
    few, many = consumers_with_expectation(5, 5.0), consumers_with_expectation(100, 5.0)
    for c in (few, many):
        c.employee[:] = 0
    light = serve(few, np.arange(5), staff, config, np.random.default_rng(0))
    heavy = serve(many, np.arange(100), staff, config, np.random.default_rng(0))
    assert heavy.failure_multiplier.mean() > 2 * light.failure_multiplier.mean()


def test_employee_agents_follow_hires_and_quits():
    config = small_config(n=3000, steps=40)
    config.employees.quit_base_logit = -1.0  # high turnover
    model = run_model(config)
    agents = model.agents_by_type[Employee]
    assert len(agents) == int(model.staff.filled.sum())
    assert {a.position for a in agents} == set(np.flatnonzero(model.staff.filled))
    ts = model.datacollector.get_model_vars_dataframe()
    assert ts.employee_quits.sum() > 0 and ts.employee_hires.sum() > 0
    assert ts.churned_employee_departure.sum() > 0


def test_higher_engagement_gives_lower_customer_churn_across_seeds():
    churn = {}
    for label, level in (("disengaged", 0.0), ("engaged", 1.0)):
        rates = []
        for seed in range(3):
            config = small_config(n=3000, steps=104, seed=seed)
            config.employees.recognition = level
            config.employees.empowerment = level
            config.employees.pay = 0.8 + 0.4 * level
            ts = run_model(config).datacollector.get_model_vars_dataframe()
            assert (ts.employee_engagement.iloc[-52:].mean() > 0.75) == (level == 1.0)
            rates.append(ts.churned.iloc[1:].sum() / ts.customers.iloc[1:].mean())
        churn[label] = np.mean(rates)
    assert churn["engaged"] < 0.9 * churn["disengaged"]
