"""Every strategy against doing nothing, under every market scenario.

One sweep through `run.py -m` (joblib, all cores): all strategies x all
scenarios x seeds. The comparison (paired differences from the baseline under
the same scenario and seed, ROI) is sim/runs/comparison.py's; this adds a map of
the profit differences across scenarios. Writes
experiments/results/strategy_comparison/report.md.

usage: python -m experiments.strategy_comparison [--seeds 5] [--n 5000]
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.common import Report, budget, options, sweep
from sim.interventions.scenarios import SCENARIOS
from sim.interventions.strategies import STRATEGIES

NAME = "strategy_comparison"


def main() -> None:
    args = options(__doc__, seeds=5, n=5000)
    strategies = ["baseline", *STRATEGIES]
    overrides = [f"strategy={','.join(strategies)}", f"scenario={','.join(SCENARIOS)}"]
    overrides += budget(args)
    sweep_dir, command = sweep(NAME, overrides)
    table = pd.read_csv(sweep_dir / "comparison.csv")

    report = Report(
        NAME,
        "CX strategies under every market scenario",
        args,
        [command],
    )
    report.text(
        f"{len(strategies)} strategies (sim/interventions/strategies.py, default parameters) x "
        f"{len(SCENARIOS)} scenarios (sim/interventions/scenarios.py) x {args.seeds} seeds, "
        f"{args.n:,} consumers, 156 weeks. Strategies roll out and scenarios start at "
        "week 52; every figure is over weeks 52-156, against the baseline under the "
        "same scenario and seed.",
    )
    report.figure(_profit_map(table), "profit_map.png", "profit difference by scenario")
    shutil.copy(sweep_dir / "comparison.png", report.dir / "comparison.png")
    shutil.copy(sweep_dir / "comparison.csv", report.dir / "comparison.csv")
    report.text("![every comparison](comparison.png)")
    for scenario, group in table.groupby("scenario", sort=False):
        report.text(f"## {scenario}")
        ranked = pd.DataFrame(
            {
                "rank": group["rank"],
                "strategy": group.strategy,
                "profit vs baseline": _fmt(group, "profit_diff", "{:+,.0f}"),
                "ROI": _fmt(group, "roi", "{:+.2f}"),
                "churn (points)": _fmt(group, "annual_churn_rate_diff", "{:+.1f}", 100),
                "NPS": _fmt(group, "mean_nps_diff", "{:+.1f}"),
                "investment": group.strategy_investment.map("{:,.0f}".format),
            }
        )
        # doing nothing keeps its place in the ranking, as the line to beat
        doing_nothing = (group.strategy == "baseline").to_numpy()
        ranked.loc[doing_nothing, "strategy"] = "baseline (doing nothing)"
        ranked.loc[doing_nothing, ["profit vs baseline", "ROI", "churn (points)", "NPS"]] = "-"
        report.table(ranked)
    wins = table[(table.strategy != "baseline") & (table.profit_diff_low > 0)]
    report.text(
        "## Reading it",
        f"Strategies that raised profit beyond doubt (interval above zero): {len(wins)} of "
        f"{len(table) - table.strategy.eq('baseline').sum()} strategy-scenario pairs.",
        "Per scenario, the best: "
        + "; ".join(
            f"{s}: {g.iloc[0].strategy} ({g.iloc[0].profit_diff:+,.0f})"
            for s, g in table[table.strategy != "baseline"].groupby("scenario", sort=False)
        )
        + ".",
        "Costs and effects are the illustrative defaults of sim/config.py (docs/ODD.md): "
        "a firm should enter its own costs before reading the ranking as advice.",
    )
    report.write()


def _fmt(frame: pd.DataFrame, kpi: str, fmt: str, scale: float = 1.0) -> list[str]:
    return [
        f"{fmt.format(scale * m)} [{fmt.format(scale * lo)}, {fmt.format(scale * hi)}]"
        for m, lo, hi in zip(frame[kpi], frame[f"{kpi}_low"], frame[f"{kpi}_high"], strict=True)
    ]


def _profit_map(table: pd.DataFrame) -> Figure:
    grid = table.pivot(index="strategy", columns="scenario", values="profit_diff")
    grid = grid.loc[grid.mean(axis=1).sort_values(ascending=False).index]
    significant = table.pivot(index="strategy", columns="scenario", values="profit_diff_low") > 0
    fig = Figure(figsize=(11, 6))
    ax = fig.subplots()
    limit = np.nanmax(np.abs(grid.to_numpy()))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), grid.index)
    for i, strategy in enumerate(grid.index):
        for j, scenario in enumerate(grid.columns):
            star = "*" if significant.loc[strategy, scenario] else ""
            ax.text(
                j, i, f"{grid.iloc[i, j] / 1000:+.0f}k{star}", ha="center", va="center", fontsize=7
            )
    fig.colorbar(image, ax=ax, label="profit vs baseline, weeks 52-156")
    ax.set_title("Profit difference from doing nothing (* : 95 % interval above zero)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
