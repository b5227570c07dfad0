"""Adding a strategy, a scenario or a churn reason touches the files the
README's "Extending the model" section lists; these tests fail until every one
of them has been touched."""

import dataclasses
import re

import pytest

from sim.codes import REASONS
from sim.config import ScenarioConfig, StrategyConfig, StrategyOptions
from sim.engine.observation import COLUMNS
from sim.interventions.scenarios import SCENARIOS
from sim.interventions.strategies import STRATEGIES
from sim.runs.charts import REASON_COLOURS
from sim.runs.cli import group_options
from tests.helpers import ROOT
from tests.test_strategies import LEVERS

README = (ROOT / "README.md").read_text()
ODD = (ROOT / "docs" / "ODD.md").read_text()


def _table_names(text: str) -> set[str]:
    """The names in the first column of Markdown tables, in backticks or bare."""
    return {m.group(1) for m in re.finditer(r"^\| `?([a-z_]+)`? \|", text, flags=re.MULTILINE)}


def test_every_strategy_has_its_class_options_config_file_test_and_docs():
    options = {
        name for name, value in vars(StrategyConfig()).items() if isinstance(value, StrategyOptions)
    }
    files = set(group_options("strategy")) - {"baseline"}
    assert set(STRATEGIES) == options == files == set(LEVERS)
    for name, strategy in STRATEGIES.items():
        assert strategy.__doc__, f"{name} needs a docstring saying what it changes and why"
    assert set(STRATEGIES) | {"baseline"} <= _table_names(README), "README, Strategies"
    assert set(STRATEGIES) <= _table_names(ODD), "docs/ODD.md 7.9"


def test_every_scenario_has_its_class_config_file_and_docs():
    assert set(SCENARIOS) == set(group_options("scenario"))
    for name, scenario in SCENARIOS.items():
        assert scenario.__doc__, f"{name} needs a docstring saying what it changes"
        assert f"`{name}`" in ODD, f"docs/ODD.md 7.6b needs a row for {name}"
        assert name in README, f"README needs to list {name}"
    parameters = {f.name for f in dataclasses.fields(ScenarioConfig)} - {"name", "start_step"}
    for parameter in parameters:
        assert f"scenario.{parameter}" in ODD or f"`{parameter}`" in ODD, parameter


@pytest.mark.parametrize("reason", REASONS)
def test_every_churn_reason_has_a_column_a_colour_and_docs(reason):
    assert f"churned_{reason}" in COLUMNS
    assert reason in REASON_COLOURS, "sim/runs/charts.py: REASON_COLOURS"
    assert reason in README, "README: the churned_<reason> columns"
    assert reason.replace("_", " ") in ODD or reason in ODD, "docs/ODD.md 7.6"


def test_reason_colours_are_distinct_and_name_no_other_reason():
    assert set(REASON_COLOURS) == set(REASONS)
    assert len(set(REASON_COLOURS.values())) == len(REASONS)
