"""Pattern-oriented calibration (`python -m sim.calibrate`; docs/ODD.md,
"Calibration and validation").

Each trial of the Optuna sweeper (hydra-optuna-sweeper) is one Hydra job: it
runs the model at the trial's free parameters (`free_parameters`, the fields
of sim/config.py with a prior) over `seeds` seeds, and returns its distance to
the targets (configs/targets/*.yaml): the mean over targets of
((simulated mean - value) / tolerance)^2. When the sweep ends,
`CalibrationReport` writes into the sweep folder the fit of the best trial
(fit.csv, fit.png), the validation patterns it was never fitted to
(validation.csv), every trial (trials.csv) and the fitted parameters as a
config-group file (calibrated.yaml, for `python run.py calibration=<name>`).
A trial whose folder already holds its results for the same config is not run
again, so a calibration cut short resumes where it stopped.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf

from sim.config import (
    CalibrationRun,
    Config,
    ConfigError,
    Prior,
    TargetConfig,
    assign,
    free_parameters,
    lookup,
)
from sim.model import LoyaltyModel
from sim.runs.cli import command_line, without_hydra
from sim.runs.comparison import mean_interval
from sim.runs.files import read_kept
from sim.runs.simulation import code_version, config_hash, replicate
from sim.runs.summary import summarise
from sim.runs.validation import validate_patterns

TRIAL_FILE = "trial.json"
CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


# --- targets and statistics ------------------------------------------------------


def statistics() -> list[str]:
    """The statistics a target may name: the scalar `rates` of a run summary."""
    config = Config(steps=2, burn_in=0)
    config.population.n = 200
    config.network.mean_degree = 4
    rates = summarise(LoyaltyModel(config).run_for(2), config)["rates"]
    return sorted(k for k, v in rates.items() if isinstance(v, int | float))


def check_targets(targets: dict[str, TargetConfig]) -> None:
    """One ConfigError for the first target whose statistic is unknown."""
    known = statistics()
    for name, target in targets.items():
        if target.statistic not in known:
            raise ConfigError(
                f"targets.{name}.statistic",
                target.statistic,
                f"a statistic of summary.json's rates: {', '.join(known)}",
            )


# --- one trial -------------------------------------------------------------------


def model_config(run: CalibrationRun) -> Config:
    """The model's own config within a calibration run's."""
    return Config(**{f.name: getattr(run, f.name) for f in fields(Config)})


@dataclass
class Fit:
    """How a set of runs meets the targets."""

    table: pd.DataFrame  # one row per target: target, observed, simulated, low, high, within, ...
    distance: float


def fit(rates: list[dict[str, Any]], targets: dict[str, TargetConfig]) -> Fit:
    """Each target against the simulated mean and its 95 % interval over seeds;
    `within` when the interval meets the tolerance band. The distance is the
    mean of ((mean - value) / tolerance)^2 over targets."""
    rows = []
    for name, target in targets.items():
        values = [r[target.statistic] for r in rates]
        mean, low, high = mean_interval(values)
        if math.isnan(low):
            low = high = mean
        band = (target.value - target.tolerance, target.value + target.tolerance)
        rows.append(
            {
                "target": name,
                "observed": target.value,
                "simulated": mean,
                "low": low,
                "high": high,
                "within": bool(low <= band[1] and high >= band[0]),
                "band_low": band[0],
                "band_high": band[1],
                "statistic": target.statistic,
                "source": target.source,
            }
        )
    table = pd.DataFrame(rows)
    error = (table.simulated - table.observed) / (table.band_high - table.observed)
    return Fit(table, float((error**2).mean()))


def evaluate(run: CalibrationRun, job_dir: Path) -> dict[str, Any]:
    """One trial: the rates of `run.seeds` runs at this job's parameters, and
    their distance to the targets. Kept in `job_dir`/trial.json; a trial already
    there for the same config, made by the same code, is read, not run again."""
    config = model_config(run)
    key = f"{config_hash(config)}:{run.seeds}:{code_version()}"
    path = job_dir / TRIAL_FILE
    if trial := read_kept(path, key):
        return {**trial, "reused": True}
    rates = [summary["rates"] for summary in replicate(config, run.seeds)]
    trial = {
        "key": key,
        "parameters": {k: lookup(config, k) for k in fitting(run)},
        "rates": rates,
        "distance": fit(rates, run.targets).distance,
    }
    job_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(trial, indent=1) + "\n")
    trial["reused"] = False
    return trial


def fitting(run: CalibrationRun | DictConfig) -> dict[str, Prior]:
    """The free parameters this calibration fits (`free`, or all), with their priors."""
    priors = free_parameters()
    return {key: priors[key] for key in (run.free or priors)}


def suggest_free_parameters(config: DictConfig, trial: Any) -> None:
    """The sweeper's search space (hydra.sweeper.custom_search_space): each
    free parameter fitted, over its prior."""
    for key, prior in fitting(config).items():
        trial.suggest_float(key, prior.low, prior.high, log=prior.log)


def progress(job_dir: Path, trial: dict[str, Any], total: int) -> None:
    """One line per finished trial, with the best distance so far."""
    done = list(job_dir.parent.glob(f"*/{TRIAL_FILE}"))
    best = min(json.loads(p.read_text())["distance"] for p in done)
    status = "already done, kept" if trial["reused"] else "run"
    print(
        f"[{len(done)}/{total}] trial {job_dir.name}: distance {trial['distance']:.3f} "
        f"(best so far {best:.3f}; {status})",
        flush=True,
    )


# --- the report at the end ----------------------------------------------------------


def collect_trials(sweep_dir: Path, targets: dict[str, TargetConfig]) -> pd.DataFrame:
    """Every trial under `sweep_dir`: its parameters, distance and the mean of
    each target's statistic."""
    rows = []
    for path in sorted(sweep_dir.glob(f"*/{TRIAL_FILE}"), key=lambda p: _job_number(p.parent)):
        trial = json.loads(path.read_text())
        means = {
            name: float(np.mean([r[t.statistic] for r in trial["rates"]]))
            for name, t in targets.items()
        }
        rows.append(
            {
                "trial": path.parent.name,
                **trial["parameters"],
                "distance": fit(trial["rates"], targets).distance,
                **{f"simulated_{k}": v for k, v in means.items()},
            }
        )
    return pd.DataFrame(rows)


def _job_number(job_dir: Path) -> int:
    return int(job_dir.name) if job_dir.name.isdigit() else sys.maxsize


def calibrated_yaml(parameters: dict[str, float], header: list[str]) -> str:
    """The fitted parameters as a config-group file (configs/calibration/*.yaml)."""
    nested: dict[str, Any] = {}
    for key, value in parameters.items():
        *path, leaf = key.split(".")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = float(f"{value:.6g}")
    lines = ["# @package _global_", *(f"# {line}" for line in header)]
    return "\n".join(lines) + "\n" + yaml.safe_dump(nested, sort_keys=False)


def fit_chart(table: pd.DataFrame, title: str) -> Figure:
    """Each target's tolerance band and the simulated mean with its interval."""
    fig = Figure(figsize=(8, 0.5 * len(table) + 1.5))
    ax = fig.subplots()
    y = np.arange(len(table))[::-1]
    scale = table.band_high - table.observed
    relative = (table.simulated - table.observed) / scale
    errors = np.vstack(
        [(table.simulated - table.low) / scale, (table.high - table.simulated) / scale]
    )
    ax.axvspan(-1, 1, color="tab:green", alpha=0.15, label="tolerance band")
    colours = np.where(table.within, "tab:green", "tab:red")
    ax.errorbar(relative, y, xerr=errors, fmt="none", ecolor="black", capsize=3)
    ax.scatter(relative, y, c=colours, zorder=3, label="simulated mean, 95 % interval")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(
        y, [f"{r.target}: {r.observed:g} (sim. {r.simulated:.3g})" for r in table.itertuples()]
    )
    ax.set_xlabel("distance from the target, in tolerances")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


class CalibrationReport(Callback):
    """Writes fit.csv, fit.png, validation.csv, trials.csv and calibrated.yaml
    at the sweep root when the calibration's last trial is done."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        run: CalibrationRun = OmegaConf.to_object(without_hydra(config))
        sweep_dir = Path(config.hydra.sweep.dir)
        report(run, sweep_dir, command_line("python -m sim.calibrate", config, ("hydra.sweep.",)))


def report(run: CalibrationRun, sweep_dir: Path, command_line: str) -> list[Path]:
    """The calibration's outputs at the sweep root, from its trials."""
    trials = collect_trials(sweep_dir, run.targets)
    if trials.empty:
        print(f"calibrate: no finished trials in {sweep_dir}", file=sys.stderr)
        return []
    trials.to_csv(sweep_dir / "trials.csv", index=False)
    best = trials.loc[trials.distance.idxmin()]
    best_trial = json.loads((sweep_dir / best.trial / TRIAL_FILE).read_text())
    result = fit(best_trial["rates"], run.targets)
    result.table.to_csv(sweep_dir / "fit.csv", index=False)
    title = f"Fit of trial {best.trial} (distance {result.distance:.3f}, {run.seeds} seeds)"
    fit_chart(result.table, title).savefig(sweep_dir / "fit.png", dpi=110, bbox_inches="tight")

    parameters = best_trial["parameters"]
    fitted = model_config(run)
    for key, value in parameters.items():
        assign(fitted, key, value)
    validation = validate_patterns(fitted, run.seeds, best_trial["rates"])
    validation.to_csv(sweep_dir / "validation.csv", index=False)

    header = [
        f"Calibrated by: {command_line}",
        f"Best of {len(trials)} trials (trial {best.trial}), distance {result.distance:.3f}, "
        f"{run.seeds} seeds of {run.population.n} consumers x {run.steps} weeks.",
        f"Targets: configs/targets ({', '.join(run.targets)}).",
    ]
    written = [sweep_dir / f for f in ("fit.csv", "fit.png", "validation.csv", "trials.csv")]
    text = calibrated_yaml(parameters, header)
    (sweep_dir / "calibrated.yaml").write_text(text)
    written.append(sweep_dir / "calibrated.yaml")
    if run.save_as:
        saved = CONFIG_DIR / "calibration" / f"{run.save_as}.yaml"
        saved.write_text(text)
        written.append(saved)
    print(summary_text(result, validation, len(trials)))
    print(f"calibration: {', '.join(str(p) for p in written)}", flush=True)
    print(
        "to run with it: copy calibrated.yaml to configs/calibration/NAME.yaml "
        "(or pass save_as=NAME), then python run.py calibration=NAME"
    )
    return written


def summary_text(result: Fit, validation: pd.DataFrame, n_trials: int) -> str:
    lines = [f"\nbest of {n_trials} trials: distance {result.distance:.3f}"]
    for title, table in (("fitted targets", result.table), ("validation patterns", validation)):
        lines.append(f"{title}:")
        for r in table.itertuples():
            mark = "ok " if r.within else "OFF"
            lines.append(
                f"  {mark} {r.target:<34} observed {r.observed:>8.4g}  "
                f"simulated {r.simulated:>8.4g} [{r.low:.4g}, {r.high:.4g}]"
            )
    return "\n".join(lines)
