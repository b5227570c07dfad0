"""The key-experience method (the CX-methods article's seven steps) on the simulated firm,
and investing in the key experience versus spreading the same budget evenly.

Step 1-4: a survey of the focal firm's customers at rollout (week 52, seed 0)
gives experience, expectation, importance, gap, weighted gap, the key
experience and the experience gap to the ideal. Steps 5-7: the
`key_experience` strategy puts one point of offering into the key experience
(allocation=key) or one sixth of a point into each dimension (allocation=even),
at the same cost, and both are compared with doing nothing over seeds.
Writes experiments/results/key_experience/report.md.

usage: python -m experiments.key_experience [--seeds 10] [--n 5000]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.common import Report, budget, interval_text, job_values, options, sweep
from sim.config import Config
from sim.interventions.survey import key_dimension, survey
from sim.model import LoyaltyModel
from sim.runs.comparison import mean_interval

NAME = "key_experience"
KPIS = {
    "profit": ("profit", "{:+,.0f}", 1),
    "annual_churn_rate": ("annual churn (points)", "{:+.2f}", 100),
    "mean_nps": ("mean NPS", "{:+.1f}", 1),
    "revenue": ("revenue", "{:+,.0f}", 1),
    "customers": ("customers at the end", "{:+,.0f}", 1),
}


def survey_at_rollout(n: int) -> pd.DataFrame:
    config = Config()
    config.population.n = n
    model = LoyaltyModel(config)
    model.run_for(config.strategy.rollout_step)
    sample = config.strategy.key_experience.survey_sample
    return survey(model.consumers, model.segments, sample, model.rng)


def main() -> None:
    args = options(__doc__, seeds=10, n=5000)

    table = survey_at_rollout(args.n)
    key = key_dimension(table)
    sweep_dir, command = sweep(
        NAME,
        [
            "strategy=baseline,key_experience",
            "strategy.key_experience.allocation=key,even",
            *budget(args),
        ],
    )
    runs = job_values(sweep_dir)
    runs["arm"] = np.where(
        runs.strategy == "baseline", "baseline", runs["strategy.key_experience.allocation"]
    )
    runs = runs.drop_duplicates(["arm", "seed"])
    wide = runs.pivot(index="seed", columns="arm")

    report = Report(
        NAME,
        "The key experience (the CX-methods article) and where to invest",
        args,
        [command],
    )
    report.text(
        "## Steps 1-4: the survey at rollout",
        f"{args.n:,} consumers, seed 0, the focal firm's customers surveyed at week 52 "
        f"(up to 1,000 asked): their last visit's experience, their expectation, and "
        f"importance on the CX-methods article's 0-10 scale (sim/interventions/survey.py). "
        "`ideal_experience` is the article's step 4: 10, the top of the scale, on the key "
        "experience, and today's experience elsewhere (enough there); `experience_gap` is "
        "experience minus ideal, what the investment must close.",
    )
    report.table(table.round(2))
    row = table.set_index("dimension").loc[key]
    report.text(
        f"The key experience is **{key}**: importance {row.importance:.1f}, gap "
        f"{row.gap:+.2f}, weighted gap {row.weighted_gap:+.2f} (the lowest); the experience "
        f"gap to the ideal of 10 is {row.experience_gap:+.2f}. Customers' expectations "
        "adapt to what they get, so the simulated firm meets them on average; the method "
        "still finds where it exceeds them least where it matters most.",
        "## Steps 5-7: invest there, or spread the same budget",
        f"Both arms add one point of offering from week 52 at the same cost "
        "(`strategy.key_experience.cost_per_point` per point, customer and week): "
        f"allocation=key puts it into the key experience named by the firm's own survey "
        f"at rollout; allocation=even puts 1/6 point into each dimension. {args.seeds} "
        "seeds; weeks 52-156; paired differences over seeds.",
    )
    rows = []
    for kpi, (label, fmt, scale) in KPIS.items():
        rows.append(
            {
                "KPI": label,
                "key vs baseline": interval_text(
                    scale * (wide[kpi]["key"] - wide[kpi]["baseline"]), fmt
                ),
                "even vs baseline": interval_text(
                    scale * (wide[kpi]["even"] - wide[kpi]["baseline"]), fmt
                ),
                "key vs even": interval_text(scale * (wide[kpi]["key"] - wide[kpi]["even"]), fmt),
            }
        )
    report.table(pd.DataFrame(rows))
    diff = wide["profit"]["key"] - wide["profit"]["even"]
    mean, low, high = mean_interval(diff)
    verdict = (
        "beats" if low > 0 else "falls short of" if high < 0 else "is not distinguishable from"
    )
    spent = wide["strategy_investment"]["key"].mean()
    report.text(
        f"Investing in the key experience **{verdict}** spreading the same budget: "
        f"profit {mean:+,.0f} (95 % CI {low:+,.0f} to {high:+,.0f}) over the two years, "
        f"for an investment of about {spent:,.0f} in each arm."
    )
    report.figure(_figure(wide), "key_vs_even.png", "key versus even, per seed")
    report.write()


def _figure(wide: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    for ax, kpi, label in zip(
        axes, ("profit", "mean_nps"), ("profit vs baseline", "mean NPS vs baseline"), strict=True
    ):
        for arm, colour in (("key", "tab:green"), ("even", "tab:gray")):
            values = wide[kpi][arm] - wide[kpi]["baseline"]
            ax.scatter(values.index, values, color=colour, label=arm)
            ax.axhline(values.mean(), color=colour, ls="--")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("seed")
        ax.set_title(label)
        ax.legend()
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
