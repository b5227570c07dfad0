"""How the default market compares with the figures its defaults are calibrated to.

Runs the default configuration over several seeds and prints, for each target,
the model's mean and its spread across seeds. The targets and their sources
are in docs/ODD.md ("Calibration"). Writes experiments/results/calibration.md.

usage: python -m experiments.calibration [--seeds 5] [--n 10000] [--steps 156]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sim.config import Config
from sim.model import LoyaltyModel
from sim.runs.summary import summarise

ROOT = Path(__file__).resolve().parent.parent

TARGETS = [
    # (label, summary path, target text, source)
    (
        "customers with a negative experience in a year",
        ("rates", "customers_with_negative_experience_per_year"),
        "22 %",
        "the CX-methods article: 78 % positive, 22 % negative",
    ),
    (
        "negative experiences voiced as complaints",
        ("rates", "voiced_share_of_negative_experiences"),
        "2 %",
        "the CX-methods article: only 2 % complain",
    ),
    (
        "new customers won by referral (of referral + advertising)",
        ("rates", "referral_share_of_new_customers"),
        "60 %",
        "the satisfaction article: 60 % of new customers come through referrals",
    ),
    (
        "annual churn rate",
        ("rates", "annual_churn_rate"),
        "about 13 %",
        "Reichheld 1996: firms lose half their customers in five years",
    ),
]


def run(seed: int, n: int, steps: int) -> dict:
    config = Config()
    config.seed, config.steps, config.population.n = seed, steps, n
    model = LoyaltyModel(config)
    ts = model.run_for(steps)
    summary = summarise(ts, config)
    told = ts.word_of_mouth_negative.sum(), ts.word_of_mouth_positive.sum()
    summary["word_of_mouth"] = {"negative_to_positive_messages": told[0] / max(told[1], 1)}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=156)
    args = parser.parse_args()
    runs = [run(seed, args.n, args.steps) for seed in range(args.seeds)]
    lines = [
        f"# Calibration of the default market ({args.seeds} seeds, "
        f"{args.n:,} consumers, {args.steps} weeks)",
        "",
        f"Command: `python -m experiments.calibration --seeds {args.seeds} "
        f"--n {args.n} --steps {args.steps}`",
        "",
        "| figure | model: mean (min – max over seeds) | target | source |",
        "| --- | --- | --- | --- |",
    ]
    for label, (group, key), target, source in TARGETS:
        values = np.array([r[group][key] for r in runs])
        lines.append(
            f"| {label} | {values.mean():.1%} ({values.min():.1%} – {values.max():.1%}) "
            f"| {target} | {source} |"
        )
    nps = np.array([r["rates"]["mean_nps"] for r in runs])
    clv = np.array([r["economics"]["customer_lifetime_value"] for r in runs])
    margin = np.array([r["economics"]["profit_margin"] for r in runs])
    below = np.array([r["rates"]["below_expectation_share"] for r in runs])
    lines += [
        "",
        "Not calibrated to a target, reported for reference:",
        "",
        f"- visits that fell short of expectation (satisfaction < 0): {below.mean():.1%}",
        f"- mean NPS over the run: {nps.mean():+.1f} ({nps.min():+.1f} – {nps.max():+.1f})",
        f"- profit margin: {margin.mean():.1%}",
        f"- customer lifetime value: {clv.mean():,.0f} (currency units)",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "experiments" / "results" / "calibration.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)


if __name__ == "__main__":
    main()
