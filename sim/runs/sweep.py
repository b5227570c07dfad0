"""Sweeps (`python run.py -m ...`): progress across jobs, resuming, and the
comparison written at the sweep root when the last job is done.

`SweepReport` is a Hydra callback (registered in configs/config.yaml), so it
works under any launcher: basic (one job after another) or joblib (all
cores). Each job's folder is named after its overrides, so re-running a sweep
command with `hydra.sweep.dir=<that sweep>` finds every finished job and
skips it (`sim.runs.simulation.finished`): an interrupted sweep is completed
without redoing work, and adding seeds to a sweep reuses the ones run.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.runs.cli import command_line, sweep_choices
from sim.runs.comparison import collect_runs, compare

SWEEP_FILE = "sweep.json"


def count_jobs(overrides: list[str]) -> int:
    """How many jobs Hydra's basic sweeper makes of these overrides."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    sizes = [len(sweep_choices(o)) for o in parsed if o.is_sweep_override()]
    return math.prod(sizes)


def report(sweep_dir: Path, command_line: str) -> list[Path]:
    """Compare the finished jobs under `sweep_dir`; print and write the result."""
    table = compare(collect_runs(sweep_dir))
    if table.empty:
        print(f"sweep: no finished jobs to compare in {sweep_dir}", file=sys.stderr)
        return []
    from sim.runs.reporting import write_comparison  # matplotlib: not at every run's start-up

    written = write_comparison(table, sweep_dir, command_line)
    print(ranking(table))
    print(f"comparison: {', '.join(str(p) for p in written)}", flush=True)
    return written


class SweepReport(Callback):
    """Announces the sweep, and writes comparison.csv/.png/.md at its root."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        params = config.hydra.sweeper.get("params") or {}  # e.g. uncertainty=ensemble's draws
        task = [*config.hydra.overrides.task, *(f"{k}={v}" for k, v in params.items())]
        jobs = count_jobs(task)
        (sweep_dir / SWEEP_FILE).write_text(
            json.dumps({"jobs": jobs, "command": command(config)}, indent=2) + "\n"
        )
        print(f"sweep: {jobs} jobs -> {sweep_dir}", flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        report(Path(config.hydra.sweep.dir), command(config))


def command(config: DictConfig) -> str:
    """The sweep's command line, its launcher and other Hydra settings included."""
    return command_line("python run.py -m", config)


def progress(out_dir: Path, summary: dict, skipped: bool) -> None:
    """One line per finished job: how far the sweep is, and the job's result."""
    sweep_dir = out_dir.parent
    try:
        jobs = json.loads((sweep_dir / SWEEP_FILE).read_text())["jobs"]
    except (OSError, ValueError, KeyError):
        jobs = "?"
    done = sum(1 for _ in sweep_dir.glob("*/summary.json"))  # cheap: no parsing per job
    evaluation = summary["evaluation"]
    status = "already done, kept" if skipped else f"{summary['wall_seconds']:.1f} s"
    print(
        f"[{done}/{jobs}] {out_dir.name}: profit {evaluation['profit']:,.0f}, "
        f"churn {evaluation['annual_churn_rate']:.1%}, NPS {evaluation['mean_nps']:+.0f} "
        f"({status})",
        flush=True,
    )


def ranking(table) -> str:
    """The comparison as a short ranked text table, per scenario and setting."""
    lines = []
    for (scenario, setting), group in table.groupby(["scenario", "setting"], sort=False):
        title = f"scenario={scenario}" + (f" {setting}" if setting else "")
        lines.append(f"\n{title} (weeks {group.weeks.iloc[0]}, {group.seeds.max()} seeds)")
        lines.append(
            f"  {'rank':>4}  {'strategy':<34} {'profit vs baseline (95% CI)':>36}  {'ROI':>6}"
        )
        for row in group.itertuples():
            interval = (
                f"[{row.profit_diff_low:,.0f}, {row.profit_diff_high:,.0f}]"
                if row.profit_diff_low == row.profit_diff_low
                else "(one seed: no interval)"
            )
            roi = f"{row.roi:+.2f}" if row.roi == row.roi else "-"
            better = getattr(row, "p_better", np.nan)
            lines.append(
                f"  {row.rank:>4}  {row.strategy:<34} {row.profit_diff:>+14,.0f} {interval:>21}"
                f"  {roi:>6}" + (f"  better in {better:.0%} of draws" if better == better else "")
            )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m sim.runs.sweep <sweep folder>
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("usage: python -m sim.runs.sweep <sweep folder>")
    folder = Path(sys.argv[1])
    try:
        recorded = json.loads((folder / SWEEP_FILE).read_text())["command"]
    except (OSError, ValueError, KeyError):
        recorded = f"python -m sim.runs.sweep {folder}"
    report(folder, recorded)
