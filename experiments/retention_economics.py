"""Loyalty economics (the satisfaction article): how the focal firm's profit responds to its
retention.

Retention is moved on its own, with nothing else changed and nothing paid: every
customer of the focal firm is enrolled at week 52 in a programme that costs
nothing (`loyalty_program` with enrolment 1, no rewards, no running cost), and
`churn.membership_weight` (how much membership lowers the churn hazard and
silent defection, on the logit scale) is swept. The firm as it is has weight 1;
lower weights are lost loyalty, higher ones gained loyalty. Profit over weeks
52-156 is compared with weight 1, seed by seed. The satisfaction article quotes: retention up
5 points -> profit up 25-85 %; loyalty down 5 % -> profit down 25 %.
Writes experiments/results/retention_economics/report.md.

usage: python -m experiments.retention_economics [--seeds 8] [--n 10000]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from experiments.common import Report, budget, interval_text, job_values, options, sweep
from sim.config import Config
from sim.runs.comparison import mean_interval

NAME = "retention_economics"
WEIGHTS = ("0", "0.5", "1", "1.5", "2", "2.5")
REFERENCE = "1"


def main() -> None:
    args = options(__doc__, seeds=8, n=10_000)
    sweep_dir, command = sweep(
        NAME,
        [
            "strategy=loyalty_program",
            "strategy.loyalty_program.enrolment_rate=1",
            "strategy.loyalty_program.reward_share=0",
            "strategy.loyalty_program.cost_per_member=0",
            f"churn.membership_weight={','.join(WEIGHTS)}",
            *budget(args),
        ],
    )
    runs = job_values(sweep_dir)
    runs["retention"] = 1.0 - runs.annual_churn_rate
    wide = runs.pivot(index="seed", columns="churn.membership_weight")
    rows = []
    for weight in WEIGHTS:
        points = 100 * (wide.retention[weight] - wide.retention[REFERENCE])
        change = 100 * (wide.profit[weight] / wide.profit[REFERENCE] - 1)
        rows.append(
            {
                "membership weight": weight,
                "annual retention": mean_interval(wide.retention[weight])[0],
                "retention change (points)": points,
                "profit change (%)": change,
                "profit": wide.profit[weight],
            }
        )
    points = np.concatenate([r["retention change (points)"] for r in rows])
    change = np.concatenate([r["profit change (%)"] for r in rows])
    fit = stats.linregress(points, change)
    economics = Config().economics
    margin = float((wide.profit[REFERENCE] / wide.revenue[REFERENCE]).mean())
    half = stats.t.ppf(0.975, len(points) - 2) * fit.stderr

    report = Report(
        NAME,
        "Retention economics: profit against retention (the satisfaction article)",
        args,
        [command],
    )
    report.text(
        f"{args.n:,} consumers, {args.seeds} seeds, 156 weeks; figures over weeks 52-156, "
        "after every focal customer joins a free programme at week 52. "
        f"Reference: membership weight {REFERENCE} (the firm as it is). Default economics "
        f"of sim/config.py: gross margin {economics.gross_margin:.0%}, fixed costs "
        f"{economics.fixed_cost_per_consumer:g} per consumer in the market a week, which "
        f"leave the reference a net margin of {margin:.1%} of revenue over the window "
        "(docs/ODD.md, economics)."
    )
    report.table(
        pd.DataFrame(
            {
                "membership weight": [r["membership weight"] for r in rows],
                "annual retention": [f"{r['annual retention']:.1%}" for r in rows],
                "retention change (points)": [
                    interval_text(r["retention change (points)"], "{:+.1f}") for r in rows
                ],
                "profit, weeks 52-156": [interval_text(r["profit"], "{:,.0f}") for r in rows],
                "profit change (%)": [
                    interval_text(r["profit change (%)"], "{:+.1f}") for r in rows
                ],
            }
        )
    )
    report.text(
        f"Across all runs, profit changes by **{fit.slope:.1f} % per point of retention** "
        f"(95 % CI {fit.slope - half:.1f} to {fit.slope + half:.1f}; R² {fit.rvalue**2:.2f}). "
        f"Five points more retention: **{5 * fit.slope:+.0f} %** profit "
        f"({5 * (fit.slope - half):+.0f} to {5 * (fit.slope + half):+.0f} %); the "
        "satisfaction article quotes +25 to +85 %. Five points less: "
        f"**{-5 * fit.slope:+.0f} %**; the satisfaction article quotes about -25 % for "
        "loyalty down 5 %.",
        "The percentage depends on the net margin: the margin of the customers kept, who "
        "also buy more as their loyalty grows and need no acquisition spend, is counted "
        f"against profit, a net margin of {margin:.1%} of revenue here, so the same "
        "customers kept are a larger percentage of a thinner profit. Over two years the "
        "effect is still building: the customer base has not reached its new steady state.",
    )
    report.figure(_figure(points, change, fit), "profit_vs_retention.png", "profit vs retention")
    report.write()


def _figure(points: np.ndarray, change: np.ndarray, fit) -> Figure:
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ax.scatter(points, change, s=12, alpha=0.6, label="run (paired with weight 1, same seed)")
    x = np.linspace(points.min(), points.max(), 50)
    ax.plot(x, fit.intercept + fit.slope * x, color="black", label=f"fit: {fit.slope:.1f} %/pt")
    ax.axvspan(4.5, 5.5, color="tab:green", alpha=0.1)
    seed = "the satisfaction article: +5 pts → +25–85 %"
    ax.fill_between([4.5, 5.5], 25, 85, color="tab:green", alpha=0.3, label=seed)
    ax.axhline(0, color="gray", lw=0.8)
    ax.axvline(0, color="gray", lw=0.8)
    ax.set_xlabel("retention change (points)")
    ax.set_ylabel("profit change (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
