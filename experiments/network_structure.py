"""Word-of-mouth network structure: who talks to whom shapes how loyalty and
its loss spread.

The same market on four networks (sim/engine/network.py): small world (the
default: clustered, short paths), scale free (a few hubs), random, and
complete (everyone hears everyone: well mixed, no structure). Under a stable
market and under a brand scandal at week 52 (the satisfaction article: an ethical issue, and
the satisfaction article's 9-to-3 asymmetry of negative and positive word of mouth), over
weeks 53-156. Writes experiments/results/network_structure/report.md.

usage: python -m experiments.network_structure [--seeds 6] [--n 3000]
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from experiments.common import (
    Report,
    budget,
    interval_text,
    job_values,
    options,
    sweep,
    window_totals,
)
from sim.runs.comparison import mean_interval

NAME = "network_structure"
NETWORKS = ("small_world", "scale_free", "random", "complete")
FLOWS = ["acquired_referral", "acquired_advertising", "word_of_mouth_negative"]


def main() -> None:
    args = options(__doc__, seeds=6, n=3000)
    sweep_dir, command = sweep(
        NAME, [f"network={','.join(NETWORKS)}", "scenario=stable,brand_scandal", *budget(args)]
    )
    runs = job_values(sweep_dir).reset_index(drop=True)
    flows = pd.DataFrame([window_totals(sweep_dir, job, FLOWS) for job in runs.job])
    runs = pd.concat([runs, flows], axis=1)
    runs["referral_share"] = runs.acquired_referral / (
        runs.acquired_referral + runs.acquired_advertising
    )

    rows, hits = [], {}
    for network in NETWORKS:
        stable = runs[(runs.network == network) & (runs.scenario == "stable")].set_index("seed")
        scandal = runs[(runs.network == network) & (runs.scenario == "brand_scandal")].set_index(
            "seed"
        )
        hit = 100 * (scandal.profit / stable.profit - 1)
        hits[network] = hit
        rows.append(
            {
                "network": network,
                "referral share of new customers": interval_text(
                    100 * stable.referral_share, "{:.1f} %"
                ),
                "annual churn": interval_text(100 * stable.annual_churn_rate, "{:.1f} %"),
                "mean NPS": interval_text(stable.mean_nps, "{:+.1f}"),
                "profit": interval_text(stable.profit, "{:,.0f}"),
                "scandal: extra churn (points)": interval_text(
                    100 * (scandal.annual_churn_rate - stable.annual_churn_rate), "{:+.1f}"
                ),
                "scandal: NPS change": interval_text(scandal.mean_nps - stable.mean_nps, "{:+.1f}"),
                "scandal: profit change": interval_text(hit, "{:+.1f} %"),
            }
        )
    report = Report(
        NAME,
        "Word-of-mouth network structure",
        args,
        [command],
    )
    report.text(
        f"{args.n:,} consumers (small enough for the complete graph), {args.seeds} seeds, "
        "156 weeks; figures over weeks 53-156. Mean degree 12 for the small-world, "
        "scale-free and random networks; the complete graph links everyone, but each "
        "talker still reaches at most `word_of_mouth.negative_reach` (9) or "
        "`positive_reach` (3) listeners, chosen among their contacts. The scandal columns "
        "are paired with the stable market on the same network and seed."
    )
    report.table(pd.DataFrame(rows))
    report.figure(_figure(hits), "scandal_by_network.png", "profit hit of a scandal by network")
    report.write()


def _figure(hits: dict[str, pd.Series]) -> Figure:
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    for i, hit in enumerate(hits.values()):
        mean, low, high = mean_interval(hit)
        ax.errorbar(i, mean, yerr=[[mean - low], [high - mean]], marker="o", capsize=4)
        ax.scatter([i] * len(hit), hit, color="gray", s=8)
    ax.set_xticks(range(len(hits)), list(hits))
    ax.axhline(0, color="gray", lw=0.8)
    ax.set_ylabel("profit change after a brand scandal (%)")
    ax.set_title("The same scandal on different networks")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
