"""The cost of negative experiences (the CX-methods article, 负面客户体验的成本):
the article's arithmetic next to the funnel of the calibrated default market,
and what the firm's complaint levers do to it.

The article's firm has USD 50 M annual sales: 22 % of customers have a
negative experience, 2 % of them complain; of complainers 38 % are recovered,
34 % stay at risk, 28 % leave; of the silent, 45 % leave. Its closed form
loses USD 61,600 to complainers and about USD 4.85 M in silence. The model
runs the same funnel from its mechanisms (sim/engine/complaints.py; docs/ODD.md
7.3b): here each share is measured on the default market, its losses valued
at the focal firm's revenue per customer and scaled to the article's USD 50 M.
Then the same market with complaining made five times easier, with half the
visits followed up, and with better recovery (the levers from week 0).
Writes experiments/results/complaint_funnel/report.md.

usage: python -m experiments.complaint_funnel [--seeds 8] [--n 10000]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.common import Report, interval_text, options
from sim.engine.complaints import ARTICLE_FUNNEL, Funnel, closed_form_funnel
from sim.runs.cli import compose_config
from sim.runs.simulation import replicate

NAME = "complaint_funnel"
REVENUE = 50_000_000.0
VARIANTS = {
    "the default market": [],
    "complaining made 5x easier": ["complaints.ease=5"],
    "half of visits followed up": ["complaints.follow_up=0.5"],
    "better recovery (quality 0.6, one stop)": [
        "complaints.recovery_quality=0.6",
        "complaints.one_stop=true",
    ],
}
SHARES = {
    "negative experience (of customers a year)": "customers_with_negative_experience_per_year",
    "of them heard by the firm": "voiced_share_of_negative_experiences",
    "complainers recovered": "recovered_share_of_complaints",
    "complainers at risk": "unresolved_share_of_complaints",
    "complainers lost": "lost_share_of_complaints",
    "silent lost": "silent_loss_share",
}


def main() -> None:
    args = options(__doc__, seeds=8, n=10_000)
    runs = {}
    for variant, overrides in VARIANTS.items():
        config = compose_config([f"population.n={args.n}", *overrides])
        runs[variant] = replicate(config, args.seeds)
    years = config.steps / config.economics.steps_per_year

    report = Report(NAME, "The cost of negative experiences (the CX-methods article)", args)
    article = closed_form_funnel(REVENUE, ARTICLE_FUNNEL)
    report.text(
        f"Each variant: {args.seeds} seeds of {args.n:,} consumers over 156 weeks after the "
        "burn-in; `python run.py population.n=N seed=S` plus the variant's overrides. "
        f"The article's closed form: **USD {article['complainer_loss']:,.0f}** lost from "
        f"complainers and **USD {article['silent_loss']:,.0f}** in silence, a year.",
        "## The funnel, measured",
    )
    rows = []
    for variant, summaries in runs.items():
        row = {"variant": variant}
        for label, key in SHARES.items():
            row[label] = interval_text([100 * s["rates"][key] for s in summaries], "{:.1f} %")
        rows.append(row)
    article_row = {"variant": "the article"}
    for label, value in zip(SHARES, (22, 2, 38, 34, 28, 45), strict=True):
        article_row[label] = f"{value} %"
    report.table(pd.DataFrame([article_row, *rows]))

    report.text(
        "## What it costs, scaled to the article's USD 50 M firm",
        "Simulated: the customers the focal firm lost within a year of a negative "
        "experience it never heard of (silent) or left unresolved, valued at its revenue "
        "per customer-year. Closed form: the article's arithmetic applied to the "
        "simulated funnel's shares.",
    )
    cost_rows, chart = [], {}
    for variant, summaries in runs.items():
        valued = [_valued(s, years) for s in summaries]
        closed = [closed_form_funnel(REVENUE, v["funnel"]) for v in valued]
        chart[variant] = [v["silent_loss"] for v in valued], [v["complainer_loss"] for v in valued]
        cost_rows.append(
            {
                "variant": variant,
                "lost in silence, simulated (USD)": interval_text(
                    [v["silent_loss"] for v in valued]
                ),
                "in silence, closed form on its shares": interval_text(
                    [c["silent_loss"] for c in closed]
                ),
                "lost from complainers, simulated": interval_text(
                    [v["complainer_loss"] for v in valued]
                ),
                "from complainers, closed form on its shares": interval_text(
                    [c["complainer_loss"] for c in closed]
                ),
            }
        )
    report.table(pd.DataFrame(cost_rows))
    report.figure(_chart(chart, article), "funnel.png", "lost revenue by variant")
    default = [_valued(s, years) for s in runs["the default market"]]
    simulated = np.mean([v["silent_loss"] + v["complainer_loss"] for v in default])
    closed = np.mean([sum(closed_form_funnel(REVENUE, v["funnel"]).values()) for v in default])
    total = {
        variant: np.mean(
            [
                sum(_valued(s, years)[k] for k in ("silent_loss", "complainer_loss"))
                for s in summaries
            ]
        )
        for variant, summaries in runs.items()
    }
    report.text(
        f"On the default market the simulated losses are {simulated / closed:.3f} times the "
        "closed form's on the same shares. They agree by construction: the closed form is "
        "the same count, per customer-year, of the episodes the model produced. What the "
        "model adds is that the shares come out of its mechanisms (voice, recovery, the "
        "churn hazard) and move with the levers. All losses together, a year: "
        + "; ".join(f"{variant} USD {value:,.0f}" for variant, value in total.items())
        + "."
    )
    report.write()


def _valued(summary: dict, years: float) -> dict:
    """What the losses of a run of `years` cost, scaled to the article's firm."""
    totals, rates = summary["totals"], summary["rates"]
    customers = summary["final"]["customers"]  # close to the mean: the market is settled
    per_customer_share = 1.0 / max(customers, 1)
    return {
        "complainer_loss": REVENUE * per_customer_share * totals["complaint_losses"] / years,
        "silent_loss": REVENUE * per_customer_share * totals["silent_losses"] / years,
        "funnel": Funnel(
            rates["customers_with_negative_experience_per_year"],
            rates["voiced_share_of_negative_experiences"],
            rates["lost_share_of_complaints"],
            rates["silent_loss_share"],
        ),
    }


def _chart(chart: dict, article: dict) -> Figure:
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    names = ["the article (closed form)", *chart]
    silent = [article["silent_loss"], *(np.mean(s) for s, _ in chart.values())]
    voiced = [article["complainer_loss"], *(np.mean(c) for _, c in chart.values())]
    y = np.arange(len(names))[::-1]
    ax.barh(y, np.array(silent) / 1e6, color="tab:orange", label="lost in silence")
    ax.barh(
        y,
        np.array(voiced) / 1e6,
        left=np.array(silent) / 1e6,
        color="tab:blue",
        label="lost from complainers",
    )
    ax.set_yticks(y, names)
    ax.set_xlabel("revenue lost a year (USD million, for a firm with USD 50 M sales)")
    ax.set_title("The cost of negative experiences")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
