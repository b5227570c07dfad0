"""Forecast a firm's repeat purchases from its transaction log:
`python -m sim.forecast data.path=FILE data.calibration_weeks=39`.

A Hydra app (configs/forecast.yaml): Hydra's Optuna sweeper calibrates the
model's replay of the log's cohort to its first `data.calibration_weeks`
weeks, one trial a job on any Hydra launcher; when the trials are done, the
best replays the whole log over `forecast_seeds` seeds and is scored on the
weeks after against the log and BG/NBD. Outputs, at the sweep folder:
forecast.csv, forecast.json, forecast.png, fit.csv, fit.png, trials.csv and
calibrated.yaml (sim/runs/forecast.py). Running the same command with
`hydra.sweep.dir=<that folder>` resumes: finished trials are kept.
"""

import sys
import warnings
from pathlib import Path

import hydra
import optuna
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, register_configs
from sim.runs.bgnbd import beta_geo_fitter
from sim.runs.calibration import progress
from sim.runs.cli import compose_config, fail, preflight
from sim.runs.forecast import check_log, evaluate
from sim.runs.simulation import share_cores

register_configs("forecast")
optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


@hydra.main(config_path="../configs", config_name="forecast", version_base="1.3")
def main(cfg: DictConfig) -> float:
    run = OmegaConf.to_object(cfg)
    job_dir = Path(HydraConfig.get().runtime.output_dir)
    share_cores(HydraConfig.get().launcher._target_)
    trial = evaluate(run, job_dir)
    progress(job_dir, trial, run.trials)
    return trial["distance"]


def check(argv: list[str]) -> None:
    """One line and exit 2 for a command line that cannot make a forecast."""
    preflight(argv, "forecast")
    if any(a.startswith("-") for a in argv):
        return
    try:
        beta_geo_fitter()  # the anchor, before any trial runs
    except ImportError as err:
        fail(str(err))
    try:
        check_log(compose_config(argv, "forecast"))
    except ConfigError as err:
        fail(str(err))


if __name__ == "__main__":
    check(sys.argv[1:])
    main()
