"""Run a configured model to the end and write what it produced.

Outputs are written even when the run is interrupted (Ctrl-C or SIGTERM): the
steps completed so far are kept, and summary.json says the run was cut short.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from tqdm import tqdm

from sim.config import Config
from sim.metrics import summarise
from sim.model import LoyaltyModel
from sim.reporting import write_plots, write_tables


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def simulate(config: Config, out_dir: Path) -> dict:
    """Build the model, run `config.steps` steps, write outputs to `out_dir`."""
    started = time.perf_counter()
    model = LoyaltyModel(config)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    interrupted = False
    try:
        for _ in tqdm(
            range(config.steps),
            desc="simulating",
            unit="week",
            disable=not (config.output.progress and sys.stderr.isatty()),
        ):
            model.step()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        timeseries = model.datacollector.get_model_vars_dataframe()
        summary = {
            "seed": config.seed,
            "steps": config.steps,
            "steps_completed": len(timeseries) - 1,  # a step cut short is not counted
            "interrupted": interrupted,
            "population": config.population.n,
            "network": config.network.kind,
            "strategy": config.strategy.name,
            "scenario": config.scenario.name,
            **summarise(timeseries, config),
            "wall_seconds": round(time.perf_counter() - started, 3),
        }
        write_tables(timeseries, summary, model, out_dir)
    if config.output.plots:
        write_plots(timeseries, model, out_dir)
    if interrupted:
        done = summary["steps_completed"]
        print(f"interrupted after {done} steps; outputs kept in {out_dir}", file=sys.stderr)
        sys.exit(130)
    return summary
