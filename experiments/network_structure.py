"""How the structure of the word-of-mouth network shapes adoption and bad news.

1. Referral-only diffusion: a new firm alone in the market, no advertising,
   no one leaving, and a 1 % seed of customers. Every later customer comes by
   a friend's recommendation (docs/ODD.md 7.4, 7.7). On a ring lattice (each
   consumer's friends are their neighbours' friends), a small world (the same
   with 10 % of ties rewired into shortcuts), a random graph and a scale-free
   one (hubs), all of mean degree 12: the share adopted week by week and the
   weeks to reach 10 %, 25 % and 50 %.
2. Bad news: the default market on each network, stable or hit by a brand
   scandal at week 52: what the scandal does to NPS, churn and profit.
Writes experiments/results/network_structure/report.md.

usage: python -m experiments.network_structure [--seeds 4] [--n 3000] [--weeks 520]
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.common import Report, interval_text, options
from sim.model import LoyaltyModel
from sim.runs.cli import compose_config
from sim.runs.simulation import replicate

NAME = "network_structure"
NETWORKS = {
    "ring lattice": ["network=small_world", "network.rewiring=0"],
    "small world": ["network=small_world"],
    "random": ["network=random"],
    "scale free": ["network=scale_free"],
}
REFERRAL_ONLY = [
    "competition.rivals=[]",
    "population.initial_competitor_share=0",
    "population.initial_focal_share=0.01",
    "firm.advertising_reach=0",
    "churn.base_logit=-20",
    "churn.negative_experience_weight=0",
    "churn.involuntary_probability=0",
    "employees.follow_probability=0",
    "burn_in=0",
]
MILESTONES = (0.10, 0.25, 0.50)


def adoption(overrides: list[str]) -> np.ndarray:
    """Share of the market adopted, week by week."""
    config = compose_config(overrides)
    ts = LoyaltyModel(config).run_for(config.steps)
    return (ts.customers / config.population.n).to_numpy()


def _weeks_to(shares: np.ndarray, level: float) -> float:
    reached = np.flatnonzero(shares >= level)
    return float(reached[0]) if len(reached) else np.nan


def main() -> None:
    args = options(__doc__, seeds=4, n=3000, weeks=520)
    jobs = [
        (
            name,
            seed,
            [
                *REFERRAL_ONLY,
                *overrides,
                f"population.n={args.n}",
                f"steps={args.weeks}",
                f"seed={seed}",
            ],
        )
        for name, overrides in NETWORKS.items()
        for seed in range(args.seeds)
    ]
    with ProcessPoolExecutor() as pool:
        curves = list(pool.map(adoption, [job for _, _, job in jobs]))
    by_network: dict[str, list[np.ndarray]] = {}
    for (name, _, _), curve in zip(jobs, curves, strict=True):
        by_network.setdefault(name, []).append(curve)

    report = Report(NAME, "Network structure: adoption and bad news", args)
    report.text(
        "## 1. Referral-only diffusion",
        f"{args.n:,} consumers, a 1 % seed of customers, {args.weeks} weeks, {args.seeds} "
        "seeds per network; no advertising, no rival and no one leaving, so every new "
        "customer came by referral. Overrides of every run: "
        + " ".join(f"`{o}`" for o in REFERRAL_ONLY)
        + ". Weeks to reach each share of the market (mean and 95 % interval over "
        "seeds; - where a seed never got there):",
    )
    rows = []
    for name, runs in by_network.items():
        row = {"network": name}
        for level in MILESTONES:
            weeks = [_weeks_to(c, level) for c in runs]
            reached = [w for w in weeks if not np.isnan(w)]
            row[f"weeks to {level:.0%}"] = (
                interval_text(reached, "{:.0f}")
                + ("" if len(reached) == len(weeks) else f" ({len(reached)} of {len(weeks)} seeds)")
                if reached
                else "-"
            )
        row[f"adopted at week {args.weeks}"] = interval_text(
            [100 * c[-1] for c in runs], "{:.1f} %"
        )
        rows.append(row)
    report.table(pd.DataFrame(rows))
    report.figure(_curves(by_network), "adoption.png", "share adopted by network")

    report.text(
        "## 2. Bad news: a brand scandal on each network",
        f"The default market on each network, {args.seeds} seeds of {args.n:,} consumers, "
        "156 weeks after the burn-in; the scandal hits at week 52. Differences are the "
        "scandal's run minus the stable one, paired by seed, over weeks 52-156.",
    )
    rows = []
    for name, overrides in NETWORKS.items():
        base = [f"population.n={args.n}", *overrides]
        stable = replicate(compose_config(base), args.seeds)
        scandal = replicate(compose_config([*base, "scenario=brand_scandal"]), args.seeds)
        pairs = [(a["evaluation"], b["evaluation"]) for a, b in zip(stable, scandal, strict=True)]
        rows.append(
            {
                "network": name,
                "mean NPS, stable": interval_text([a["mean_nps"] for a, _ in pairs], "{:+.1f}"),
                "scandal: NPS change": interval_text(
                    [b["mean_nps"] - a["mean_nps"] for a, b in pairs], "{:+.1f}"
                ),
                "scandal: extra churn (points)": interval_text(
                    [100 * (b["annual_churn_rate"] - a["annual_churn_rate"]) for a, b in pairs],
                    "{:+.1f}",
                ),
                "scandal: profit change": interval_text(
                    [b["profit"] - a["profit"] for a, b in pairs], "{:+,.0f}"
                ),
            }
        )
    report.table(pd.DataFrame(rows))
    report.write()


def _curves(by_network: dict[str, list[np.ndarray]]) -> Figure:
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for name, runs in by_network.items():
        curves = 100 * np.vstack(runs)
        line = ax.plot(curves.mean(axis=0), label=name)[0]
        ax.fill_between(
            np.arange(curves.shape[1]),
            curves.min(axis=0),
            curves.max(axis=0),
            color=line.get_color(),
            alpha=0.15,
        )
    ax.set_xlabel("week")
    ax.set_ylabel("share of the market adopted (%)")
    ax.set_title("Referral-only diffusion from a 1 % seed (mean; band: min-max over seeds)")
    ax.legend()
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
