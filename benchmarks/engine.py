"""Engine benchmark: consumer-steps per second and peak memory by population size.

Every mechanism of the model is on (default config). Each size runs in its
own process so that peak memory (max RSS) belongs to that size alone. With
`--baseline PATH` it also times the plain per-agent Mesa baseline
(shared/bench/plain_mesa_loyalty.py) at 100,000 consumers and prints the ratio.

usage: python benchmarks/engine.py [--sizes 10000 100000 1000000] [--baseline PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = {10_000: 52, 100_000: 20, 1_000_000: 52}


def measure(n: int, steps: int) -> dict:
    """Run in this process: build the model, time `steps` steps."""
    sys.path.insert(0, str(ROOT))
    from sim.config import Config
    from sim.model import LoyaltyModel

    config = Config()
    config.population.n = n
    t0 = time.perf_counter()
    model = LoyaltyModel(config)
    t1 = time.perf_counter()
    for _ in range(steps):
        model.step()
    t2 = time.perf_counter()
    return {
        "consumers": n,
        "steps": steps,
        "setup_s": round(t1 - t0, 2),
        "run_s": round(t2 - t1, 2),
        "ms_per_step": round(1000 * (t2 - t1) / steps, 1),
        "consumer_steps_per_s": round(n * steps / (t2 - t1)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def in_subprocess(args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(STEPS))
    parser.add_argument("--baseline", type=Path, help="plain_mesa_loyalty.py to compare with")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, STEPS.get(args.measure, 20))))
        return

    print(
        f"{'consumers':>10} {'steps':>5} {'setup s':>8} {'ms/step':>8} "
        f"{'consumer-steps/s':>17} {'peak MB':>8}"
    )
    results = {}
    for n in args.sizes:
        r = json.loads(in_subprocess([__file__, "--measure", str(n)]))
        results[n] = r
        print(
            f"{n:>10,} {r['steps']:>5} {r['setup_s']:>8} {r['ms_per_step']:>8} "
            f"{r['consumer_steps_per_s']:>17,} {r['peak_rss_mb']:>8}"
        )
    if args.baseline:
        steps = 5
        out = in_subprocess([str(args.baseline), "100000", str(steps)])
        run_s = float(re.search(r"run_s=([\d.]+)", out).group(1))
        base_ms = 1000 * run_s / steps
        print(f"\nplain Mesa baseline at 100,000: {base_ms:.0f} ms/step")
        if 100_000 in results:
            ours = results[100_000]["ms_per_step"]
            print(f"this engine at 100,000: {ours} ms/step -> {base_ms / ours:.1f}x faster")


if __name__ == "__main__":
    main()
