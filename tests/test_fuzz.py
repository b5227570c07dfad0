"""Random command lines and random edge files, from a seeded generator: every
one either runs to the end with whole outputs, or is refused with one line
(exit 2) before anything is written."""

from __future__ import annotations

import dataclasses
import json
import typing

import numpy as np
import pytest

from sim.config import Config, ConfigError
from sim.model import LoyaltyModel
from sim.runs.cli import CommandLineError, checked_config, group_options
from tests.helpers import run_py

VALUES = {  # about half of them valid for a key of that type
    int: ["0", "1", "3", "52", "-1", "2.5", "x", "null", "1000000"],
    float: ["0", "0.5", "1", "3", "-1", "nan", "inf", "x", "[]"],
    bool: ["true", "false", "maybe", "null"],
    str: ["x", "key", "''", "${oc.env:HOME}"],
}
EDGE_FILES = [
    "0 1\n1 2\n",
    "0 1\n1 1\n",
    "0 1 2\n",
    "x y\n",
    "",
    "# only a comment\n",
    "0 99999999999999999999\n",
    "5 6\n-1 2\n",
    "0\t1\r\n2 3\n",
    "0 1\n\n\n3 299\n",
    "1_0 2\n",
]


SMALL = [
    "population.n=300",
    "steps=4",
    "burn_in=2",
    "strategy.rollout_step=2",
    "scenario.start_step=2",
]
"""A small, quick run, which the random overrides then change."""


def _keys(node: type, prefix: str = "") -> list[tuple[str, type]]:
    """Every leaf key of the schema and its type."""
    keys = []
    for f in dataclasses.fields(node):
        kind = typing.get_type_hints(node)[f.name]
        kind = next((a for a in typing.get_args(kind) if a is not type(None)), kind)
        if dataclasses.is_dataclass(kind):
            keys += _keys(kind, f"{prefix}{f.name}.")
        elif kind in VALUES:
            keys.append((f"{prefix}{f.name}", kind))
    return keys


KEYS = _keys(Config)
CORE_KEYS = [(k, t) for k, t in KEYS if not k.startswith(("strategy.", "scenario."))]


def random_command(rng: np.random.Generator, edges_path: str) -> list[str]:
    args = []
    for _ in range(rng.integers(1, 3)):
        keys = KEYS if rng.random() < 0.2 else CORE_KEYS  # most strategy keys need their strategy
        key, kind = keys[rng.integers(len(keys))]
        args.append(f"{key}={rng.choice(VALUES[kind])}")
    for group in ("strategy", "scenario", "network"):
        if rng.random() < 0.3:
            options = [*group_options(group), "nonexistent"]
            args.append(f"{group}={rng.choice(options)}")
    if rng.random() < 0.25:
        args += ["network=file", f"network.path={edges_path}"]
    return args


def test_random_command_lines_run_or_are_refused_in_one_line(tmp_path):
    rng = np.random.default_rng(20261130)
    edges = tmp_path / "edges.txt"
    ran = refused = 0
    for _ in range(45):
        edges.write_text(str(rng.choice(EDGE_FILES)))
        args = [*SMALL, *random_command(rng, str(edges))]
        try:
            config = checked_config(args)
        except CommandLineError as err:
            message = str(err)
            assert message and "\n" not in message, (args, message)
            refused += 1
            continue
        assert isinstance(config, Config), args
        small = config.population.n * (config.steps + config.burn_in) <= 400_000
        if small:
            try:
                LoyaltyModel(config).run_for(config.steps)
            except ConfigError as err:  # accepted by the command line, refused by the model
                pytest.fail(f"{args}: passed the checks, then {err}")
            ran += 1
    assert ran >= 5 and refused >= 25, (ran, refused)


def test_random_command_lines_exit_0_with_whole_outputs_or_2_with_one_line(tmp_path):
    rng = np.random.default_rng(7)
    edges = tmp_path / "edges.txt"
    for case in range(4):
        edges.write_text(str(rng.choice(EDGE_FILES)))
        out = tmp_path / f"run{case}"
        args = [
            *SMALL,
            *random_command(rng, str(edges)),
            "output.plots=false",
            f"hydra.run.dir={out}",
        ]
        result = run_py(*args, cwd=tmp_path)
        if result.returncode == 0:
            summary = json.loads((out / "summary.json").read_text())
            assert not summary["interrupted"], args
            assert all((out / name).stat().st_size > 0 for name in summary["outputs"]), args
        else:
            lines = result.stderr.strip().splitlines()
            assert result.returncode == 2 and len(lines) == 1, (args, result.stderr[-2000:])
            assert lines[0].startswith("error: ") and not out.exists(), args
