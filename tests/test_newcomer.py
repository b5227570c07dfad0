"""What a newcomer trips on: a command that would silently do nothing is
refused or warned about (README, "A quick tour of overrides"), and what a run
says is kept in its run.log."""

import pytest

from sim.runs import cli
from sim.runs.cli import problem
from tests.helpers import run_py

NEVER_STARTS = [
    (
        ["strategy=price_cut", "steps=40"],
        "strategy.rollout_step=52 is not allowed: expected at most steps = 40",
    ),
    (
        ["strategy=price_cut", "strategy.price_cut.rollout_step=300"],
        "strategy.price_cut.rollout_step=300 is not allowed",
    ),
    (["scenario=price_war", "scenario.start_step=200"], "scenario.start_step=200 is not allowed"),
]

CHANGES_NOTHING = [
    (
        ["strategy.price_cut.price=0.8"],
        "strategy price_cut is not switched on (add strategy=price_cut)",
    ),
    (["strategy=loyalty_program", "strategy.price_cut.price=0.8"], "price_cut is not switched on"),
    (["scenario.price_cut=0.3"], "changes nothing under scenario=stable: it is read by price_war"),
    (["scenario=downturn", "scenario.brand_drop=2"], "it is read by brand_scandal"),
]


@pytest.mark.parametrize("args, message", NEVER_STARTS + CHANGES_NOTHING)
def test_a_setting_that_would_change_nothing_is_refused(args, message):
    assert message in (problem(args) or "")


@pytest.mark.parametrize(
    "args",
    [
        ["strategy=baseline,price_cut", "strategy.price_cut.price=0.8"],
        ["strategy=[loyalty_program,price_cut]", "strategy.price_cut.price=0.8"],
        ["scenario=stable,price_war", "scenario.price_cut=0.3"],
        ["strategy=price_cut", "steps=52"],  # one week of it: allowed, with a warning
        ["strategy.rollout_step=10"],  # the baseline's evaluation window
    ],
)
def test_a_setting_some_run_of_the_command_uses_is_accepted(args):
    assert problem(args, multirun=True) is None


def test_a_strategy_in_force_for_a_few_weeks_gets_a_printed_warning(capsys):
    cli.preflight(["strategy=price_cut", "steps=60"])
    err = capsys.readouterr().err
    assert err.startswith("warning: strategy price_cut is in force for 9 of 60 weeks")
    cli.preflight(["strategy=price_cut", "steps=156"])
    assert capsys.readouterr().err == ""


def test_a_list_where_one_value_belongs_is_named_as_such():
    message = problem(["population.n=2,000"])
    assert message.startswith("population.n=2,000 is several values")
    assert "thousands separators" in message and "-m" in message
    assert problem(["seed=1,2"], multirun=True) is None


@pytest.mark.parametrize("flag", ["--strategy", "--strategy=price_cut", "--seed=3"])
def test_a_flag_that_is_not_hydras_says_how_to_write_an_override(flag, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.preflight([flag, "price_cut"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(lines) == 1, lines
    assert "is not an option: overrides are key=value" in lines[0]


def test_run_py_says_so_before_hydra_prints_its_usage(tmp_path):
    result = run_py("--strategy", "price_cut", cwd=tmp_path)
    assert result.returncode == 2 and "usage:" not in result.stdout + result.stderr


def test_what_a_run_says_is_kept_in_its_run_log(tmp_path):
    out = tmp_path / "run"
    args = ["steps=30", "population.n=600", "output.plots=false", "strategy=price_cut"]
    result = run_py(*args, "strategy.rollout_step=20", f"hydra.run.dir={out}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("warning: strategy price_cut is in force for 11 of 30 weeks")
    log = (out / "run.log").read_text()
    assert "python run.py steps=30" in log and "strategy.rollout_step=20" in log
    assert "[WARNING] - strategy price_cut is in force for 11 of 30 weeks" in log
    assert "won from prospects by referral" in log and f"outputs: {out}" in log
    assert "won from prospects by referral" in result.stdout
