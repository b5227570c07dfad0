"""How much pairing by seed narrows a strategy's profit interval (issue:
common random numbers; docs/benchmarks.md, "Common random numbers").

    python run.py -m strategy=baseline,price_cut 'seed=range(10)' hydra.sweep.dir=DIR
    python benchmarks/common_random_numbers.py DIR [DIR ...]

For each sweep folder, the profit difference of each strategy from baseline
over the weeks after rollout, with three 95 % intervals from the same runs:
paired by seed (Student t, and the percentile bootstrap comparison.csv
reports) and unpaired (Welch's t on the two arms' means, as if the seeds had
nothing in common). With one random stream per mechanism a strategy changes
only the draws of what it touches, so the paired interval is narrow.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

from sim.runs.comparison import BASELINE, collect_runs, paired_bootstrap


def welch_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """95 % interval of mean(a) - mean(b) for independent samples (Welch)."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, dof) * np.sqrt(va + vb)
    diff = a.mean() - b.mean()
    return diff - half, diff + half


def main(folders: list[str]) -> None:
    for folder in folders:
        runs = collect_runs(Path(folder))
        base = runs[runs.strategy == BASELINE].set_index("seed").sort_index()
        for strategy, arm in runs[runs.strategy != BASELINE].groupby("strategy"):
            arm = arm.set_index("seed").sort_index()
            seeds = arm.index.intersection(base.index)
            diff = (arm.profit[seeds] - base.profit[seeds]).to_numpy()
            t_half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
            invested = (arm.strategy_investment[seeds] - base.strategy_investment[seeds]).to_numpy()
            (_, boot_low, boot_high), _ = paired_bootstrap(diff, invested)
            low, high = welch_interval(arm.profit[seeds].to_numpy(), base.profit[seeds].to_numpy())
            print(
                f"{folder}: {strategy} vs {BASELINE}, {len(seeds)} seeds, weeks {arm.weeks.iloc[0]}"
            )
            print(f"  mean profit difference   {diff.mean():>+12,.0f}")
            for name, (a, b) in (
                ("paired (t)", (diff.mean() - t_half, diff.mean() + t_half)),
                ("paired (bootstrap)", (boot_low, boot_high)),
                ("unpaired (Welch)", (low, high)),
            ):
                print(f"  {name:<22} [{a:>+12,.0f}, {b:>+12,.0f}]  width {b - a:>10,.0f}")
            print(f"  paired width / unpaired width: {2 * t_half / (high - low):.2f} (t)")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
