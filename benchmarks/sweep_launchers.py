"""The same 16-job sweep under Hydra's basic launcher, joblib and Ray: wall
time, speed-up over basic, and whether every job's time series is the same.

usage: python benchmarks/sweep_launchers.py [--n 20000] [--launchers basic joblib ray_local]
(Ray needs `pip install -e ".[ray]"`.)
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--launchers", nargs="+", default=["basic", "joblib", "ray_local"])
    args = parser.parse_args()
    sweep = [
        "strategy=baseline,price_cut,key_experience,focus_best_customers",
        "seed=range(4)",
        f"population.n={args.n}",
        "output.plots=false",
    ]
    print(f"16 jobs: {' '.join(sweep)}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for launcher in args.launchers:
            sweep_dir = Path(tmp) / launcher
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "run.py"),
                    "-m",
                    *sweep,
                    f"hydra/launcher={launcher}",
                    f"hydra.sweep.dir={sweep_dir}",
                ],
                cwd=tmp,
                check=True,
                capture_output=True,
            )
            wall = time.perf_counter() - started
            digest = hashlib.sha256()
            for path in sorted(sweep_dir.glob("*/timeseries.csv")):
                digest.update(path.parent.name.encode() + path.read_bytes())
            results[launcher] = (wall, digest.hexdigest()[:12])
    reference = results[args.launchers[0]][0]
    print(f"{'launcher':<10} {'wall (s)':>9} {'speed-up':>9}  time series digest")
    for launcher, (wall, digest) in results.items():
        print(f"{launcher:<10} {wall:9.1f} {reference / wall:8.2f}x  {digest}")
    same = len({d for _, d in results.values()}) == 1
    print("every job's time series identical across launchers:", same)


if __name__ == "__main__":
    main()
