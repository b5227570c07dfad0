"""Command-line errors in one line.

Hydra reports a bad override over several lines (and a bad value only deep
inside a run). `preflight` composes the config exactly as Hydra will, before
Hydra starts, and turns any problem into one line naming the key, the value
and what is allowed.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
import threading
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, Glob, Override
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from sim.config import Config, ConfigError, StrategyConfig, register_configs, validate
from sim.engine.network import check_network
from sim.interventions import scenarios
from sim.runs.uncertainty import accepted_trials
from sim.transactions import known_customers

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
GROUPS = ("population", "network", "strategy", "scenario", "calibration", "targets", "uncertainty")
COMBINABLE = ("strategy",)  # `strategy=[a,b]` runs both together


_HYDRA = threading.Lock()  # Hydra's global state holds one composition at a time


def compose_config(overrides: list[str], config_name: str = "config") -> Config:
    """The config `python run.py OVERRIDES...` would run (or another app's, by
    the name of its config file), without running it (nor checking ranges:
    `validate` does that)."""
    register_configs(config_name)
    with _HYDRA, initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return OmegaConf.to_object(compose(config_name, overrides=overrides))


def without_hydra(config: DictConfig) -> DictConfig:
    """An app's own config, from the config a Hydra callback or sweeper gets
    (which holds Hydra's too)."""
    plain = copy.deepcopy(config)
    with open_dict(plain):
        del plain["hydra"]
    return plain


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def group_options(group: str, searchpath: tuple[Path, ...] = ()) -> list[str]:
    """The options of a config group, in configs/ and in any `hydra.searchpath` folder."""
    return sorted({p.stem for d in (CONFIG_DIR, *searchpath) for p in (d / group).glob("*.yaml")})


def preflight(argv: list[str], config_name: str = "config") -> None:
    """Exit with one clear line if the command line cannot make a valid run;
    print a warning for a run that is valid but may not show what was meant."""
    multirun = any(a in ("-m", "--multirun") for a in argv)
    for flag in (a for a in argv if a.startswith("-")):
        if flag.partition("=")[0] not in HYDRA_FLAGS:
            key, _, value = flag.lstrip("-").partition("=")
            fail(f"{flag} is not an option: overrides are key=value ({key}={value or '...'})")
    if any(a.startswith("-") and a not in ("-m", "--multirun") for a in argv):
        return  # --help, --cfg, -c ...: Hydra's own business
    try:
        config = checked_config([a for a in argv if not a.startswith("-")], config_name, multirun)
    except CommandLineError as err:
        fail(str(err))
    for warning in caveats(config):
        print(f"warning: {warning}", file=sys.stderr)
    if "hydra/launcher=ray_local" in argv:
        os.environ.update(RAY_LOOPBACK)  # before the launcher imports Ray


RAY_LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
"""Ray's switch for a single-machine instance: with it, `ray.init(_node_ip_address=
"127.0.0.1")` keeps that address instead of swapping in the machine's, and every
Ray process listens on 127.0.0.1 only (configs/hydra/launcher/ray_local.yaml;
tests/test_launchers.py checks with `ss`)."""


HYDRA_FLAGS = {
    *("-h", "--help", "--hydra-help", "--version", "-c", "--cfg", "--resolve", "-p"),
    *("--package", "-r", "--run", "-m", "--multirun", "-sc", "--shell-completion"),
    *("-cp", "--config-path", "-cn", "--config-name", "-cd", "--config-dir"),
    *("--experimental-rerun", "-i", "--info"),
}
"""The flags of a Hydra app (`python run.py --help`)."""

SHORT_WINDOW = 26
"""Weeks: a strategy or scenario in force for fewer weeks than this gets a warning
(loyalty, word of mouth and churn take months to respond)."""


def caveats(config: Config) -> list[str]:
    """What a valid run may not show: a strategy or scenario in force for only
    a few weeks at the end of the run."""
    starts = {f"strategy {n}": s for n, s in config.strategy.starts().items()}
    if config.scenario.name != "stable":
        starts[f"scenario {config.scenario.name}"] = (
            "scenario.start_step",
            config.scenario.start_step,
        )
    in_force = {what: config.steps - max(week, 1) + 1 for what, (_, week) in starts.items()}
    return [
        f"{what} is in force for {in_force[what]} of {config.steps} weeks "
        f"({key}={week}, steps={config.steps}); its effects take months to show"
        for what, (key, week) in starts.items()
        if in_force[what] < min(SHORT_WINDOW, config.steps)
    ]


class CommandLineError(ValueError):
    """An override that cannot make a valid run; the message is one line."""


RENAMED = {
    "complaints.voice_share": "complaints.voice_rate (a rate per negative experience, "
    "no longer rescaled to a share)",
    "complaints.severity_elasticity": "complaints.voice_severity_weight",
    "complaints.lost_share_of_unrecovered": "churn.unresolved_complaint_weight (complainers "
    "leave by the churn hazard now)",
    "complaints.silent_loss_probability": "churn.negative_experience_weight (the silent leave "
    "by the churn hazard now)",
    "word_of_mouth.talk_probability": "word_of_mouth.promoter_tie_rate and "
    "word_of_mouth.detractor_tie_rate (rates per tie)",
    "word_of_mouth.negative_reach": "word_of_mouth.unhappy_tie_probability (the share of "
    "neighbours an unhappy customer tells)",
    "word_of_mouth.positive_reach": "word_of_mouth.promoter_tie_rate (a rate per tie and week)",
    "strategy.referral_program.referral_conversion": "strategy.referral_program."
    "conversion_factor (a factor on the calibrated conversion)",
    "complaints.quality_cost": "complaints.quality_cost_per_case (a rate per case handled, "
    "per 10 points of recovery quality above 38 %)",
    "complaints.channel_cost": "complaints.channel_cost_per_complaint (a rate per complaint "
    "received, per unit of ease above 1)",
}
"""Config keys that were replaced, and what replaced them (docs/ODD.md)."""


def problem(
    overrides: list[str], config_name: str = "config", multirun: bool = False
) -> str | None:
    """What is wrong with these overrides, in one line naming the key, the value
    and what is allowed; None when they make a valid run (each sweep at its
    first value)."""
    try:
        checked_config(overrides, config_name, multirun)
    except CommandLineError as err:
        return str(err)
    return None


def checked_config(
    overrides: list[str], config_name: str = "config", multirun: bool = False
) -> Config:
    """The config of the run (of a sweep's first job), checked; CommandLineError
    (one line) if the overrides cannot make a valid run."""
    for override in overrides:
        if len(override) > LONGEST_OVERRIDE:
            raise CommandLineError(
                f"{_short(override)} is not allowed: an override of at most "
                f"{LONGEST_OVERRIDE:,} characters"
            )
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise CommandLineError(str(err).splitlines()[0]) from None
    _check_output_folders(parsed)
    values, first, chosen = {}, [], {}
    searchpath = _searchpath(parsed)
    if searchpath:
        first.append("hydra.searchpath=[" + ",".join(f"file://{d}" for d in searchpath) + "]")
    launcher = {}  # the hydra/launcher choice and its Ray address, if any
    try:
        for override in parsed:
            key = override.get_key_element()
            if key == "hydra/launcher":
                _check_launcher(override.get_value_element_as_str())
            if key in ("hydra/launcher", RAY_ADDRESS):
                launcher[key] = str(override.value())
            if key.lstrip("+~").startswith("hydra"):
                continue
            if key.startswith("ranges.") and not override.is_add():  # sim.sensitivity's
                raise CommandLineError(
                    f"{override.input_line} is not allowed: a range is a new key, "
                    f"written with a plus: +{override.input_line}"
                )
            if override.is_sweep_override() and not multirun:
                raise CommandLineError(
                    f"{override.input_line} is several values: write "
                    "numbers without thousands separators, or add -m to sweep over them"
                )
            choices = sweep_choices(override)
            values[key] = choices[0]
            if key in GROUPS:
                _check_group(key, override, searchpath)
                value = override.value()
                chosen[key] = value.list if isinstance(value, ChoiceSweep) else [value]
                chosen[key] = choices if isinstance(value, Glob) else chosen[key]
            first.append(f"{key}={choices[0]}")
        config = compose_config(first, config_name)
        compared = getattr(config, "compare", None)  # sim.sensitivity switches it on itself
        _check_in_force(parsed, chosen, [compared] if compared else [])
        validate(config)
        _check_added_keys(parsed, config)
        _check_memory(config)
        check_network(config.network, config.population.n)  # before Hydra makes a folder
        if config.population.source == "from_log":  # a log that cannot be read: one line
            known_customers(config.population, np.random.default_rng(0))
        scenarios.build(config.scenario)
        if config.uncertainty.name != "none" and config.uncertainty.trials:
            accepted_trials(config.uncertainty.trials, config.uncertainty.accept)
        _check_cluster(launcher.get("hydra/launcher"), launcher.get(RAY_ADDRESS))
    except CommandLineError:
        raise
    except ConfigError as err:
        raise CommandLineError(str(err)) from None
    except MissingConfigException as err:
        raise CommandLineError(str(err).splitlines()[0]) from None
    except (HydraException, OmegaConfBaseException) as err:
        raise CommandLineError(_one_line(err, values)) from None
    except (ValueError, TypeError) as err:  # from inside OmegaConf: find the override
        raise CommandLineError(_culprit(first, config_name, err)) from None
    return config


def _check_in_force(
    parsed: list[Override], chosen: dict[str, list], compared: list[str] = ()
) -> None:
    """A strategy's or scenario's parameter set while no run of the command
    switches it on (nor `compared`) would change nothing: say which option reads it."""
    strategies = {f.name for f in fields(StrategyConfig)} - {"rollout_step"}
    picked = {
        group: {
            n for c in chosen.get(group, [default]) for n in (c if isinstance(c, list) else [c])
        }
        for group, default in (("strategy", "baseline"), ("scenario", "stable"))
    }
    picked["strategy"] |= set(compared)
    for override in parsed:
        key = override.get_key_element().lstrip("+~")
        if key in RENAMED:
            continue  # composing says what replaced it
        group, _, rest = key.partition(".")
        name = rest.partition(".")[0]
        if group == "strategy" and name in strategies and name not in picked["strategy"]:
            if not picked["strategy"] <= {*strategies, "baseline"}:
                continue  # a strategy file of the user's own may switch it on
            raise CommandLineError(
                f"{override.input_line} changes nothing: strategy {name} is not switched on "
                f"(add {'compare' if compared else 'strategy'}={name})"
            )
        readers = [s for s, cls in scenarios.SCENARIOS.items() if name in cls.parameters]
        if group == "scenario" and readers and not picked["scenario"] & {*readers}:
            if not picked["scenario"] <= set(scenarios.SCENARIOS):
                continue
            raise CommandLineError(
                f"{override.input_line} changes nothing under scenario="
                f"{','.join(sorted(picked['scenario']))}: it is read by {', '.join(readers)}"
            )


def _culprit(overrides: list[str], config_name: str, err: Exception) -> str:
    """The override that cannot be applied, when OmegaConf does not say."""
    for override in overrides:
        try:
            compose_config([override], config_name)
        except (ValueError, TypeError, HydraException, OmegaConfBaseException):
            indexed = _indexed(override.partition("=")[0])
            if indexed:
                return (
                    f"{_short(override)} is not allowed: a list's items need an index, "
                    f"as in {indexed}"
                )
            return f"{_short(override)} cannot be applied: {str(err).splitlines()[0]}"
    return str(err).splitlines()[0]


def _indexed(key: str) -> str | None:
    """`key` with an index where it passes through a list of the schema
    (`population.segments.share` -> `population.segments[0].share`), or None."""
    node: object = Config()
    parts = key.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, list):
            return ".".join(parts[:i]) + "[0]." + ".".join(parts[i:])
        node = getattr(node, part, None)
    return None


LAUNCHER_PLUGINS = {  # optional launchers: (plugin module, extra that installs it)
    "ray": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "ray_local": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "ray_cluster": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
}


def _check_launcher(name: str) -> None:
    """A launcher whose plugin is not installed: say which extra installs it;
    one that does not exist: name those that do."""
    if name in LAUNCHER_PLUGINS:
        module, extra = LAUNCHER_PLUGINS[name]
        if importlib.util.find_spec(module) is None:
            raise CommandLineError(
                f'hydra/launcher={name!r} needs its Hydra plugin: pip install -e ".[{extra}]"'
            )
        return
    with _HYDRA, initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        options = GlobalHydra.instance().config_loader().get_group_options("hydra/launcher")
    if name not in options:
        raise CommandLineError(
            f"hydra/launcher={_short(name)!r} is not allowed: expected one of {', '.join(options)}"
        )


LONGEST_OVERRIDE = 1_000
"""Characters in one override: a longer one is a mistake (or a flood)."""


def _short(text: str) -> str:
    """A value for a one-line message: a long one cut, with its length."""
    return text if len(text) <= 60 else f"{text[:40]}...({len(text):,} characters)"


def _check_output_folders(parsed: list[Override]) -> None:
    """The run's (or sweep's) folder must be one this user can make and write."""
    for override in parsed:
        key = override.get_key_element()
        if key not in ("hydra.run.dir", "hydra.sweep.dir") or override.is_sweep_override():
            continue
        folder = Path(override.get_value_element_as_str()).expanduser().absolute()
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir():
            raise CommandLineError(f"{key}={str(folder)!r} is not allowed: {existing} is a file")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise CommandLineError(
                f"{key}={str(folder)!r} is not allowed: {existing} is not writable"
            )


def _check_added_keys(parsed: list[Override], config: Config) -> None:
    """`+key=value` adds a key Hydra does not know; the schema must have it."""
    for override in parsed:
        key = override.key_or_group
        if not override.is_add() or key.startswith("hydra") or "[" in key:
            continue
        node = config
        for part in key.split("."):
            if isinstance(node, dict):
                break  # a mapping (calibration targets) takes new keys
            if not is_dataclass(node) or part not in {f.name for f in fields(node)}:
                raise CommandLineError(
                    f"{key!r} is not a config key (see `python run.py --cfg job` for all keys)"
                )
            node = getattr(node, part)


def estimated_memory(config: Config) -> int:
    """Bytes a run of `config` needs at its peak, roughly: measured at 100,000
    and 400,000 consumers (docs/benchmarks.md): about 300 MB of interpreter and
    libraries, 900 bytes a consumer, 12 bytes a tie end, 8 kB a recorded week."""
    n, degree = config.population.n, config.network.mean_degree
    return 300 * 2**20 + n * (900 + 12 * degree) + config.steps * 8_000


def available_memory() -> int:
    """Bytes of memory this machine can give a new process now."""
    try:
        with open("/proc/meminfo") as info:
            fields = dict(line.split(":", 1) for line in info)
        return int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _check_memory(config: Config) -> None:
    """Refuse a run that will not fit in this machine's memory, before it starts."""
    need, have = estimated_memory(config), available_memory()
    if need > have:
        size = f"population.n={_short(str(config.population.n))}, steps={_short(str(config.steps))}"
        needs = f"about {need / 2**30:,.1f} GB" if need < 2**60 else "more than an exabyte"
        raise CommandLineError(
            f"{size} is not allowed: it needs {needs} of memory and this machine has "
            f"{have / 2**30:,.1f} GB available"
        )


RAY_ADDRESS = "hydra.launcher.ray.init.address"


def _check_cluster(launcher: str | None, address: str | None) -> None:
    """An existing Ray cluster must answer before the sweep starts
    (sim/runs/cluster.py); `ray_cluster` needs its address."""
    if launcher == "ray_cluster" and address is None:
        raise CommandLineError(
            f"hydra/launcher=ray_cluster needs {RAY_ADDRESS}=ray://HEAD:10001 (the head's "
            "Ray Client port)"
        )
    if launcher in ("ray", "ray_cluster") and address is not None:
        from sim.runs.cluster import cluster_problem

        message = cluster_problem(address)
        if message:
            raise CommandLineError(message)


def command_line(program: str, config: Any, drop: tuple[str, ...] = ()) -> str:
    """The command that made a sweep (its Hydra config `config`): its Hydra
    settings (launcher, sweeper) and overrides, quoted for a POSIX shell."""
    hydra = [o for o in config.hydra.overrides.hydra if not o.startswith(("hydra.mode=", *drop))]
    quoted = [
        f"'{o}'" if any(ch in o for ch in "[]()*? ") else o
        for o in (*hydra, *config.hydra.overrides.task)
    ]
    return " ".join([program, *quoted])


def sweep_choices(override: Override) -> list[str]:
    """The values an override takes, as strings; `glob(...)` over a config
    group (`strategy=glob(*)`) expands to the group's matching options."""
    value = override.value()
    if isinstance(value, Glob):
        return value.filter(group_options(override.get_key_element()))
    if override.is_sweep_override():
        return list(override.sweep_string_iterator())
    return [override.get_value_element_as_str()]


def _searchpath(parsed: list[Override]) -> tuple[Path, ...]:
    """The folders `hydra.searchpath=[file://...]` adds to configs/ (a firm's own
    targets, say)."""
    for override in parsed:
        if override.get_key_element() == "hydra.searchpath":
            return tuple(Path(str(p).removeprefix("file://")) for p in override.value())
    return ()


def _check_group(group: str, override: Override, searchpath: tuple[Path, ...] = ()) -> None:
    """Every option named must exist; only `strategy` takes a list (combined)."""
    value = override.value()
    if isinstance(value, Glob):
        return  # matches only options that exist
    for choice in value.list if isinstance(value, ChoiceSweep) else [value]:
        if isinstance(choice, list) and group not in COMBINABLE:
            raise CommandLineError(
                f"{group}={choice!r} is not allowed: one option (only strategies combine)"
            )
        for name in choice if isinstance(choice, list) else [choice]:
            options = group_options(group, searchpath)
            if name not in options:
                raise CommandLineError(
                    f"{group}={name!r} is not allowed: expected one of {', '.join(options)}"
                )


def _one_line(err: Exception, values: dict[str, str]) -> str:
    cause = err.__cause__ if isinstance(err.__cause__, OmegaConfBaseException) else err
    key = getattr(cause, "full_key", None)
    if isinstance(cause, ConfigKeyError | ConfigAttributeError) and key:
        if key in RENAMED:
            return f"{key!r} is no longer a config key: use {RENAMED[key]}"
        return f"{key!r} is not a config key (see `python run.py --cfg job` for all keys)"
    if key:
        value = cause.value if cause.value is not None else values.get(key)
        reason = str(cause).splitlines()[0]
        return f"{key}={value!r} is not allowed: {reason}"
    return str(err).splitlines()[0]
