"""The command line as a user runs it: `python run.py ...`."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.engine.observation import COLUMNS
from sim.runs.cli import RENAMED, problem
from tests.helpers import run_py, start_run_py


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_py(*args, cwd=cwd)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    out = tmp / "run"
    result = run_cli("seed=3", "steps=30", "population.n=2000", f"hydra.run.dir={out}", cwd=tmp)
    assert result.returncode == 0, result.stderr
    return out, result


def test_cli_run_writes_all_outputs(cli_run):
    out, result = cli_run
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == list(COLUMNS) and len(ts) == 31
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["steps_completed"] == 30
    assert not summary["interrupted"]
    assert summary["final"]["customers"] == ts.customers.iloc[-1]
    plots = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert len(plots) >= 3 and "network.png" in plots
    assert all((out / "plots" / p).stat().st_size > 10_000 for p in plots)
    assert "market share" in result.stdout


def test_same_seed_and_config_give_a_byte_identical_timeseries(cli_run, tmp_path):
    out, _ = cli_run
    again = tmp_path / "again"
    result = run_cli(
        "seed=3",
        "steps=30",
        "population.n=2000",
        "output.plots=false",
        f"hydra.run.dir={again}",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (again / "timeseries.csv").read_bytes() == (out / "timeseries.csv").read_bytes()


BAD_INPUTS = [
    (["population.n=0"], "population.n=0"),
    (["population.n=-5"], "population.n=-5"),
    (["population.n=2.5"], "population.n=2.5"),
    (["population.n=many"], "population.n='many'"),
    (["steps=-1"], "steps=-1"),
    (["seed=1.5"], "seed=1.5 "),
    (["network=torus"], "network='torus'"),
    (["network.kind=torus"], "network.kind='torus'"),
    (["strategy=magic"], "strategy='magic'"),
    (["strategy=[price_cut,magic]"], "strategy='magic'"),
    (["scenario=[stable,price_war]"], "only strategies combine"),
    (["strategy=price_cut", "strategy.price_cut.price=0"], "strategy.price_cut.price=0"),
    (
        ["strategy=loyalty_program", "strategy.loyalty_program.target_segment=vip"],
        "strategy.loyalty_program.target_segment='vip'",
    ),
    (["strategy=key_experience", "strategy.key_experience.allocation=all"], "'key' or 'even'"),
    (["scenario=apocalypse"], "scenario='apocalypse'"),
    (["network=file"], "network.path=None"),
    (["network=file", "network.path=/no/such/file.txt"], "network.path="),
    (["firm.advertising_reach=1.5"], "firm.advertising_reach=1.5"),
    (["word_of_mouth.promoter_tie_rate=-0.2"], "word_of_mouth.promoter_tie_rate=-0.2"),
    (  # a key replaced by the dynamics of issue 14 names its replacement
        ["complaints.silent_loss_probability=0.5"],
        "use churn.negative_experience_weight",
    ),
    (["word_of_mouth.negative_reach=9"], "use word_of_mouth.unhappy_tie_probability"),
    (["no_such_key=1"], "'no_such_key' is not a config key"),
]


@pytest.mark.parametrize("args, names", BAD_INPUTS)
def test_bad_input_gives_one_clear_line_and_nonzero_exit(args, names, tmp_path):
    base = ["steps=1", "strategy.rollout_step=0", "population.n=300", f"hydra.run.dir={tmp_path}"]
    result = run_cli(*base, *args, cwd=tmp_path)  # the user's value is the last word
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and names in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", ["", "zero one\n", "0\n1\n", "0 1\n2 -3\n"])
def test_bad_edge_list_file_gives_one_line(content, tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text(content)
    result = run_cli(
        "network=file",
        f"network.path={edges}",
        "steps=1",
        "population.n=300",
        f"hydra.run.dir={tmp_path}",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: network.path=")


def test_interrupted_run_keeps_every_completed_step(tmp_path):
    out = tmp_path / "cut"
    proc = start_run_py(
        "steps=100000",
        "population.n=2000",
        "output.plots=false",
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    log = out / "run.log"
    deadline = time.monotonic() + 60
    while not log.exists() and time.monotonic() < deadline:  # Hydra has started the job
        time.sleep(0.2)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    summary = json.loads((out / "summary.json").read_text())
    ts = pd.read_csv(out / "timeseries.csv")
    assert summary["interrupted"] and 0 < summary["steps_completed"] < 100000
    assert len(ts) == summary["steps_completed"] + 1


def test_a_launcher_without_its_plugin_names_the_extra(tmp_path, monkeypatch):
    from sim.runs import cli

    monkeypatch.setitem(cli.LAUNCHER_PLUGINS, "ray_local", ("no_such_plugin_module", "ray"))
    with pytest.raises(SystemExit) as stop:
        cli.preflight(["-m", "seed=0", "hydra/launcher=ray_local"])
    assert stop.value.code == 2


@pytest.mark.parametrize("old", sorted(RENAMED))
def test_every_replaced_key_names_its_replacement(old):
    message = problem([f"{old}=1"])
    assert message.startswith(f"'{old}' is no longer a config key: use ")
    replacement = RENAMED[old].split()[0]
    switch_on = [f"strategy={replacement.split('.')[1]}"] if old.startswith("strategy.") else []
    assert problem([*switch_on, f"{replacement}=0.5"]) is None  # the replacement is a key
