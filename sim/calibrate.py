"""Calibrate the model's free parameters to a targets file:
`python -m sim.calibrate targets=seeds trials=200 seeds=3 population.n=5000`.

A Hydra app (configs/calibrate.yaml) whose trials Hydra's Optuna sweeper asks
for and any Hydra launcher runs (joblib by default; Ray, SLURM). Outputs, at
the sweep folder: fit.csv, fit.png, validation.csv, trials.csv and
calibrated.yaml (sim/runs/calibration.py). Running the same command with
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
from sim.runs.calibration import check_targets, evaluate, progress
from sim.runs.cli import compose_config, fail, preflight
from sim.runs.simulation import share_cores

register_configs("calibrate")
optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


@hydra.main(config_path="../configs", config_name="calibrate", version_base="1.3")
def main(cfg: DictConfig) -> float:
    run = OmegaConf.to_object(cfg)
    job_dir = Path(HydraConfig.get().runtime.output_dir)
    share_cores(HydraConfig.get().launcher._target_)
    trial = evaluate(run, job_dir)
    progress(job_dir, trial, run.trials)
    return trial["distance"]


def check(argv: list[str]) -> None:
    """One line and exit 2 for a command line that cannot make a calibration."""
    preflight(argv, "calibrate")
    if any(a.startswith("-") for a in argv):
        return
    try:
        check_targets(compose_config(argv, "calibrate").targets)
    except ConfigError as err:
        fail(str(err))


if __name__ == "__main__":
    check(sys.argv[1:])
    main()
