"""Run a configured model to the end and write what it produced.

Outputs are written even when the run is interrupted (Ctrl-C or SIGTERM): the
weeks completed so far are kept, and summary.json says the run was cut short.
A finished run of the same config, made by the same code, is recognised by
its config hash and code version (`finished`), so that a resumed sweep keeps
it; one made by other code runs again (`outdated` says why).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import signal
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numba
from tqdm import tqdm

from sim.config import Config
from sim.model import LoyaltyModel
from sim.runs.summary import evaluate, summarise


def config_hash(config: Config) -> str:
    """A fingerprint of everything that shapes a run's results: a finished job
    with the same fingerprint need not run again (sim/sweep.py)."""
    settings = dataclasses.asdict(config)
    settings.pop("output")  # plots and progress bars do not change the numbers
    for name in list(settings["strategy"]):  # nor do options of strategies switched off
        if (
            isinstance(settings["strategy"][name], dict)
            and not settings["strategy"][name]["enabled"]
        ):
            del settings["strategy"][name]
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


CODE = ("--", "sim", "configs", "run.py")  # what a run's results depend on, in a checkout


@functools.cache
def code_version() -> str:
    """The code that makes a run: the package's version, plus in a git checkout
    its commit (and a digest of uncommitted changes to what shapes results:
    sim/, configs/, run.py), so that a sweep does not keep a job that other
    code made. Outputs, reports and docs written in the checkout do not count."""
    try:
        package = version("loyalty-sim")
    except PackageNotFoundError:
        package = "unknown"
    here = Path(__file__).resolve().parents[2]
    try:
        git = [
            subprocess.run(
                ["git", *command], cwd=here, capture_output=True, text=True, timeout=30, check=True
            ).stdout
            for command in (["rev-parse", "--short", "HEAD"], ["status", "--porcelain", *CODE])
        ]
    except (OSError, subprocess.SubprocessError):
        return package  # not a checkout: the version says it
    commit, changes = git[0].strip(), git[1]
    if changes:
        diff = subprocess.run(
            ["git", "diff", "HEAD", *CODE], cwd=here, capture_output=True, timeout=30
        ).stdout
        digest = hashlib.sha256(changes.encode() + diff).hexdigest()[:8]
        return f"{package}+{commit}.changed-{digest}"
    return f"{package}+{commit}"


def _earlier(config: Config, out_dir: Path) -> dict | None:
    """The summary of a complete earlier run of this config in `out_dir`."""
    try:
        summary = json.loads((out_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    done = (
        not summary.get("interrupted", True)
        and summary.get("config_hash") == config_hash(config)
        and (out_dir / f"timeseries.{config.output.tables}").exists()
    )
    return summary if done else None


def finished(config: Config, out_dir: Path) -> dict | None:
    """The summary of a complete earlier run of this very config, made by this
    very code, in `out_dir`, if any."""
    summary = _earlier(config, out_dir)
    return summary if summary and summary.get("code_version") == code_version() else None


def outdated(config: Config, out_dir: Path) -> str | None:
    """Why a complete earlier run of this config in `out_dir` is not kept: it
    was made by other code (one line), or None."""
    summary = _earlier(config, out_dir)
    if summary is None or summary.get("code_version") == code_version():
        return None
    made_by = summary.get("code_version", "code that did not record its version")
    return f"{out_dir.name}: running again, made by {made_by}, this is {code_version()}"


def share_cores(launcher: str) -> None:
    """In a job of a sweep whose launcher runs jobs side by side (joblib, Ray,
    SLURM: `launcher` is its `_target_`), the compiled loops run on one thread:
    the jobs share the cores instead of oversubscribing them."""
    if not launcher.endswith("BasicLauncher"):
        numba.set_num_threads(1)


def summarise_run(config: Config) -> dict:
    """The summary of one run of `config` and its evaluation window (as
    summary.json has them), with no file written."""
    timeseries = LoyaltyModel(config).run_for(config.steps)
    return {**summarise(timeseries, config), "evaluation": evaluate(timeseries, config)}


def replicate(config: Config, seeds: int) -> list[dict]:
    """The summaries of `seeds` runs of `config`: seeds `config.seed` onwards."""
    return [summarise_run(dataclasses.replace(config, seed=config.seed + k)) for k in range(seeds)]


def simulate(config: Config, out_dir: Path) -> dict:
    """Build the model, run `config.steps` steps, write outputs to `out_dir`,
    and return the summary.

    Ctrl-C or SIGTERM asks the run to stop: the week under way (or the
    burn-in) is finished, so the outputs hold every completed week, and the
    summary says `interrupted: true`.
    """
    started = time.perf_counter()
    stop = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stop.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        model = LoyaltyModel(config)
    except BaseException:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        raise
    try:
        for _ in tqdm(
            range(config.steps),
            desc="simulating",
            unit="week",
            disable=not (config.output.progress and sys.stderr.isatty()),
        ):
            if stop:
                break
            model.step()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        interrupted = bool(stop) or model.steps < config.steps
        timeseries = model.datacollector.get_model_vars_dataframe()
        summary = {
            "seed": config.seed,
            "steps": config.steps,
            "steps_completed": len(timeseries) - 1,
            "interrupted": interrupted,
            "population": config.population.n,
            "network": config.network.kind,
            "strategy": config.strategy.name,
            "scenario": config.scenario.name,
            "config_hash": config_hash(config),
            "code_version": code_version(),
            **summarise(timeseries, config),
            "evaluation": evaluate(timeseries, config),
            "wall_seconds": round(time.perf_counter() - started, 3),
        }
        from sim.runs.reporting import write_plots, write_tables  # matplotlib: after the run

        write_tables(timeseries, summary, model, out_dir)
    if config.output.plots:
        write_plots(timeseries, model, out_dir)
    return summary
