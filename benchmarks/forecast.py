"""The forecast's wall time on this machine: `python -m sim.forecast` on the
CDNOW sample at its defaults (300 trials of 4 seeds, then 20 forecast seeds),
timed whole, with the share of its trials and of the final forecast, and the
errors it reached.

usage: python benchmarks/forecast.py [OVERRIDE ...]   e.g. trials=60 seeds=2
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    overrides = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(tmp) / "forecast"
        command = [sys.executable, "-m", "sim.forecast", *overrides, f"hydra.sweep.dir={sweep}"]
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        wall = time.perf_counter() - started
        scores = json.loads((sweep / "forecast.json").read_text())
    final = scores["forecast_wall_seconds"]
    trials = scores["trials"]
    print(f"python -m sim.forecast {' '.join(overrides)}".rstrip())
    print(f"machine: {os.cpu_count()} cores; trials run two at a time (joblib)")
    print(f"wall time        {wall:7.1f} s")
    print(
        f"  calibration    {wall - final:7.1f} s  ({trials} trials x {scores['seeds_per_trial']} "
        f"seeds: {(wall - final) / trials:.2f} s a trial, start-up included)"
    )
    print(f"  forecast       {final:7.1f} s  ({scores['forecast_seeds']} seeds of the whole log)")
    print(
        f"holdout cumulative MAPE: model {scores['mape_abm']:.2%}, "
        f"BG/NBD {scores['mape_bgnbd']:.2%}; weekly: model {scores['weekly_mape_abm']:.2%}, "
        f"BG/NBD {scores['weekly_mape_bgnbd']:.2%}"
    )


if __name__ == "__main__":
    main()
