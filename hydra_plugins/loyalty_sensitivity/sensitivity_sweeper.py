"""The sweeper of `python -m sim.sensitivity` (configs/hydra/sweeper/salib.yaml).

Hydra loads sweepers from the `hydra_plugins` package only, so this thin
class lives here; the design and the analysis are sim/runs/sensitivity.py's.
It writes the SALib design to design.csv at the sweep root and hands the
launcher in use (basic, joblib, Ray, SLURM) one job per point, numbered as
the design's rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf


class SensitivitySweeper(Sweeper):
    """One job per point of the sensitivity design."""

    def __init__(self) -> None:
        self.config: DictConfig | None = None
        self.launcher: Any = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: list[str]) -> Any:
        from sim.runs.cli import without_hydra
        from sim.runs.sensitivity import DESIGN_FILE, design, fixed_keys, job_overrides

        assert self.config is not None
        fixed = fixed_keys(arguments)
        run = OmegaConf.to_object(without_hydra(self.config))
        table = design(run, fixed)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        table.to_csv(sweep_dir / DESIGN_FILE, index=False)
        print(
            f"sensitivity: {run.method}, {len(table)} points x {run.seeds} seeds "
            f"({len(table.columns)} parameters) -> {sweep_dir}",
            flush=True,
        )
        batch = [tuple(arguments) + point for point in job_overrides(table)]
        return self.launcher.launch(batch, initial_job_idx=0)
