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
import pickle
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
from sim.runs.files import write_atomically, write_json
from sim.runs.summary import evaluate, summarise


def config_hash(config: Config) -> str:
    """A fingerprint of everything that shapes a run's results: a finished job
    with the same fingerprint need not run again (sim/sweep.py)."""
    settings = dataclasses.asdict(config)
    settings.pop("output")  # plots and progress bars do not change the numbers
    settings.pop("resume")  # nor does continuing from a checkpoint
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
        # outputs listed since atomic writes; an older summary names none: its table
        and all(
            (out_dir / name).exists()
            for name in summary.get("outputs") or [f"timeseries.{config.output.tables}"]
        )
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


def _draw(config: Config) -> dict | None:
    """The parameter draw a run made (`uncertainty.draw`), with its values."""
    if config.uncertainty.draw is None:
        return None
    from sim.runs.uncertainty import parameter_values

    return {"draw": config.uncertainty.draw, "parameters": parameter_values(config)}


CHECKPOINT = "checkpoint.pkl"


def _checkpoint(model: LoyaltyModel, out_dir: Path) -> None:
    """The whole model as it stands, to continue from (`resume=true`)."""
    state = {"config_hash": config_hash(model.config), "code_version": code_version()}
    write_atomically(
        out_dir / CHECKPOINT, lambda p: p.write_bytes(pickle.dumps({**state, "model": model}))
    )


def resumed(config: Config, out_dir: Path) -> LoyaltyModel | None:
    """The model of the checkpoint in `out_dir`, if it was made of this config
    by this code; it continues exactly as the run would have."""
    try:
        state = pickle.loads((out_dir / CHECKPOINT).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    same = state.get("config_hash") == config_hash(config)
    return state["model"] if same and state.get("code_version") == code_version() else None


def simulate(config: Config, out_dir: Path, resume: bool = False) -> dict:
    """Build the model (or, with `resume`, take it from the folder's
    checkpoint), run it to `config.steps` steps, write its outputs to
    `out_dir`, and return the summary.

    Ctrl-C or SIGTERM asks the run to stop, at any point until summary.json is
    written: the week under way (or the burn-in) is finished, the tables are
    written whole, plots not yet drawn are skipped, a checkpoint is kept, and
    the summary says `interrupted: true` (and which outputs are missing). A
    checkpoint is also kept every `output.checkpoint_every` weeks, so that a
    killed run loses at most that many.
    """
    started = time.perf_counter()
    stop: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stop.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        return _run(config, out_dir, resume, stop, started)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(config: Config, out_dir: Path, resume: bool, stop: list[int], started: float) -> dict:
    model = resumed(config, out_dir) if resume else None
    resumed_from = model.steps if model else None
    if model:
        model.config = config  # the same in all that shapes results; outputs as asked now
    else:
        model = LoyaltyModel(config)
    every = config.output.checkpoint_every
    for _ in tqdm(
        range(model.steps, config.steps),
        desc="simulating",
        unit="week",
        initial=model.steps,
        total=config.steps,
        disable=not (config.output.progress and sys.stderr.isatty()),
    ):
        if stop:
            break
        model.step()
        if every and model.steps % every == 0 and model.steps < config.steps:
            _checkpoint(model, out_dir)
    timeseries = model.datacollector.get_model_vars_dataframe()
    from sim.runs.reporting import run_outputs  # matplotlib: after the run

    written, missing, failed = [], [], None
    for name, write in run_outputs(timeseries, model, config.output.plots).items():
        if failed or (stop and name.startswith("plots/")):  # tables are kept, plots wait
            missing.append(name)
            continue
        try:
            write_atomically(out_dir / name, write)
            written.append(name)
        except OSError as err:  # a full disk, a folder gone: the rest cannot be trusted
            failed = f"could not write {out_dir / name}: {err.strerror or err}"
            missing.append(name)
    complete = model.steps == config.steps and not missing
    if complete:
        (out_dir / CHECKPOINT).unlink(missing_ok=True)
    elif every:
        _checkpoint(model, out_dir)
    summary = {
        "seed": config.seed,
        "steps": config.steps,
        "steps_completed": len(timeseries) - 1,
        "interrupted": not complete,
        "stopped_by": signal.Signals(stop[0]).name if stop else None,
        "resumed_from": resumed_from,
        "failed": failed,
        "outputs": written,
        "missing_outputs": missing,
        "population": config.population.n,
        "network": config.network.kind,
        "strategy": config.strategy.name,
        "scenario": config.scenario.name,
        "uncertainty": _draw(config),
        "config_hash": config_hash(config),
        "code_version": code_version(),
        **summarise(timeseries, config),
        "evaluation": evaluate(timeseries, config),
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    try:
        write_json(out_dir / "summary.json", summary)
    except OSError as err:
        summary["failed"] = summary["failed"] or f"could not write summary.json: {err.strerror}"
        summary["interrupted"] = True
    return summary
