import dataclasses
import math
import re
from pathlib import Path

import pytest

from sim.config import Config, ConfigError, validate
from sim.model import LoyaltyModel
from sim.runs.cli import CONFIG_DIR, GROUPS, LAUNCHER_PLUGINS, compose_config, group_options
from tests.helpers import ROOT


def _every_option() -> list[tuple[str, str]]:
    return [(g, o) for g in GROUPS for o in group_options(g)]


def _app(group: str) -> str:
    """The app whose config has the group: targets are the calibration's."""
    return "calibrate" if group == "targets" else "config"


@pytest.mark.parametrize("group, option", _every_option())
def test_every_config_composes_and_builds_a_model(group, option, tmp_path):
    overrides = [f"{group}={option}", "population.n=200", "network.mean_degree=6", "burn_in=2"]
    if (group, option) == ("network", "file"):
        edges = tmp_path / "edges.txt"
        edges.write_text("\n".join(f"{i} {i + 1}" for i in range(199)))
        overrides.append(f"network.path={edges}")
    if (group, option) in {("population", "from_log"), ("population", "log_cohort")}:
        # the CDNOW sample's 2,357 customers
        cdnow = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"
        overrides[1] = "population.n=3000"
        overrides += ["population/log=cdnow", f"population.log.path={cdnow}"]
    config = compose_config(overrides, _app(group))
    validate(config)
    model = LoyaltyModel(config)
    model.step()
    assert model.kpis["step"] == 1


def test_every_yaml_under_configs_is_reachable():
    files = {p.relative_to(CONFIG_DIR).as_posix() for p in Path(CONFIG_DIR).rglob("*.yaml")}
    apps = {"config.yaml", "calibrate.yaml", "sensitivity.yaml", "forecast.yaml"}
    apps.add("hydra/sweeper/salib.yaml")
    expected = apps | {f"{g}/{o}.yaml" for g, o in _every_option()}
    # how a log's columns map, chosen under population=from_log
    expected |= {f"population/log/{o}.yaml" for o in group_options("population/log")}
    # launcher presets over optional plugins, each checked by `preflight`
    launchers = {f for f in files if f.startswith("hydra/launcher/")}
    assert {Path(f).stem for f in launchers} <= set(LAUNCHER_PLUGINS)
    # the calibration's samplers (configs/calibrate.yaml)
    samplers = {f for f in files if f.startswith("hydra/sweeper/sampler/")}
    for sampler in samplers:
        compose_config([f"hydra/sweeper/sampler={Path(sampler).stem}"], "calibrate")
    assert files - launchers - samplers == expected


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("population.n", 0, "integer >= 1"),
        ("steps", -1, "integer >= 0"),
        ("firm.advertising_reach", 1.5, "probability"),
        ("churn.exit_share", -0.1, "probability"),
        ("firm.offering.service", 11.0, "score in \\[0, 10\\]"),
        ("network.mean_degree", 20_000, "less than population.n"),
    ],
)
def test_out_of_range_values_name_key_value_and_range(key, value, message):
    config = Config()
    node = config
    *path, leaf = key.split(".")
    for part in path:
        node = getattr(node, part)
    setattr(node, leaf, value)
    with pytest.raises(ConfigError, match=message) as err:
        validate(config)
    assert str(err.value).startswith(f"{key}={value!r}")


def test_segment_shares_must_sum_to_one():
    config = Config()
    config.population.segments[0].share = 0.9
    with pytest.raises(ConfigError, match="summing to 1"):
        validate(config)


def _float_keys(config, prefix: str = "") -> list[str]:
    """Every float in the schema, by its dotted key (lists by index)."""
    keys = []
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if isinstance(value, float):
            keys.append(prefix + f.name)
        elif dataclasses.is_dataclass(value):
            keys += _float_keys(value, f"{prefix}{f.name}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    keys += _float_keys(item, f"{prefix}{f.name}[{i}].")
    return keys


def _set(config, key: str, value: float) -> None:
    *path, name = re.split(r"\.", key)
    target = config
    for part in path:
        field, _, index = part.partition("[")
        target = getattr(target, field)
        if index:
            target = target[int(index.rstrip("]"))]
    setattr(target, name, value)


FLOAT_KEYS = _float_keys(Config())


def test_the_schema_has_float_keys_to_check():
    assert len(FLOAT_KEYS) > 100 and "firm.price" in FLOAT_KEYS


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_every_float_key_refuses_nan_and_infinity(bad):
    for key in FLOAT_KEYS:
        config = Config()
        _set(config, key, bad)
        with pytest.raises(ConfigError, match=re.escape(f"{key}={bad!r}")):
            validate(config)
