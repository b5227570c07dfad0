"""Global sensitivity analysis of the model's outputs to its uncertain
parameters: `python -m sim.sensitivity method=morris` (or `method=sobol`).

A Hydra app (configs/sensitivity.yaml) whose points SALib designs, a sweeper
hands out (hydra_plugins/loyalty_sensitivity) and any Hydra launcher runs
(joblib by default; basic, Ray, SLURM). Outputs, at the sweep folder:
design.csv, sensitivity.csv, sensitivity_<output>.png and sensitivity.md
(sim/runs/sensitivity.py). Running the same command with
`hydra.sweep.dir=<that folder>` resumes: finished points are kept.
"""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, register_configs
from sim.runs.cli import compose_config, fail, preflight
from sim.runs.sensitivity import design, evaluate, fixed_keys, progress
from sim.runs.simulation import share_cores

register_configs("sensitivity")


@hydra.main(config_path="../configs", config_name="sensitivity", version_base="1.3")
def main(cfg: DictConfig) -> None:
    run = OmegaConf.to_object(cfg)
    job_dir = Path(HydraConfig.get().runtime.output_dir)
    share_cores(HydraConfig.get().launcher._target_)
    progress(job_dir, evaluate(run, job_dir), run.compare)


def check(argv: list[str]) -> None:
    """One line and exit 2 for a command line that cannot make an analysis."""
    try:
        fixed = fixed_keys([a for a in argv if not a.startswith("-")])
    except ValueError as err:
        fail(str(err))
    preflight(argv, "sensitivity")
    if any(a.startswith("-") for a in argv):
        return
    try:
        design(compose_config(argv, "sensitivity"), fixed)
    except ConfigError as err:
        fail(str(err))


if __name__ == "__main__":
    check(sys.argv[1:])
    main()
