"""Demonstration: the CX-methods article's cost of negative experiences, closed
form against simulation.

The seed's firm has USD 50 M annual sales, 22 % negative experiences, 2 %
voiced. Of complainers 38 % are recovered, 34 % stay at risk and 28 % are
lost; of the silent, 55 % are at risk and 45 % are lost. Closed form: USD
61,600 lost from complainers and about USD 4.85 M from the silent.

The simulation runs the model's own complaint mechanism (sim/engine/complaints.py)
on a firm configured with those rates. One step is one year; every customer
has one encounter, and there are no rivals and no other churn. The threshold
for a negative experience is set so that 22 % of this seed's encounters fall
below it. Revenue is weighted by each customer's simulated spend. It then
shows the same firm with complaining made easy (ten times the voice share)
and with proactive follow-up (half the silent found). Writes a Markdown
report with a funnel figure to experiments/results/complaint_funnel/.

usage: python -m experiments.complaint_funnel [--seeds 10] [--n 50000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.common import git_commit, mean_half_width
from sim.config import Config
from sim.engine.complaints import closed_form_funnel
from sim.model import LoyaltyModel

ROOT = Path(__file__).resolve().parent.parent
REVENUE = 50_000_000.0
NEGATIVE_SHARE = 0.22
VARIANTS = {  # name: (ease of complaining, follow-up share)
    "the CX-methods article firm": (1.0, 0.0),
    "complaining made easy (10x)": (10.0, 0.0),
    "follow-up of half the silent": (1.0, 0.5),
}


def seed_001_firm(n: int, seed: int, ease: float = 1.0, follow_up: float = 0.0) -> Config:
    """The seed's firm as a model config: one step is one year, one visit each."""
    config = Config()
    config.seed, config.steps, config.population.n = seed, 1, n
    config.population.initial_focal_share, config.population.initial_competitor_share = 1.0, 0.0
    config.competition.rivals = []
    config.network.kind, config.network.mean_degree = "random", 2  # no talk within the year
    for segment in config.population.segments:
        segment.visit_probability = 1.0
    config.economics.steps_per_year = 1
    config.churn.base_logit, config.churn.involuntary_probability = -50.0, 0.0
    config.employees.quit_base_logit = -50.0
    c = config.complaints
    c.recovery_skill_effect = c.recovery_empowerment_effect = 0.0  # exactly 38 %
    c.cases_per_employee = float("inf")
    c.ease, c.follow_up = ease, follow_up
    c.negative_experience_threshold = _threshold_for_share(config, NEGATIVE_SHARE)
    return config


def _threshold_for_share(config: Config, share: float) -> float:
    """Satisfaction below which `share` of this seed's encounters fall."""
    pilot = LoyaltyModel(config)
    pilot.step()
    return float(np.quantile(pilot.consumers.satisfaction, share))


def simulate(config: Config) -> dict[str, float]:
    model = LoyaltyModel(config)
    ts = model.run_for(1).iloc[-1]
    spend = model.consumers.spend  # this year's revenue per customer
    lost = model.consumers.churn_reason >= 0
    complained_lost = model.consumers.churn_reason == 4  # complaint_response
    silent_lost = lost & ~complained_lost
    per_customer = REVENUE / config.population.n  # the seed's assumption
    scale = REVENUE / spend.sum()
    return {
        "negative_share": ts.dissatisfied / config.population.n,
        "voiced_share": ts.complaints / max(ts.dissatisfied, 1),
        "complainer_loss": complained_lost.sum() * per_customer,
        "silent_loss": silent_lost.sum() * per_customer,
        "complainer_loss_by_spend": spend[complained_lost].sum() * scale,
        "silent_loss_by_spend": spend[silent_lost].sum() * scale,
        "recovered": ts.recovered,
        "unresolved": ts.unresolved,
        "complaint_losses": ts.complaint_losses,
        "silent_dissatisfied": ts.silent_dissatisfied,
        "silent_losses": ts.silent_losses,
        "followed_up": ts.followed_up,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    base = Config().complaints
    rows = []
    for name, (ease, follow_up) in VARIANTS.items():
        closed = closed_form_funnel(
            REVENUE, NEGATIVE_SHARE, min(1.0, base.voice_share * ease), follow_up, base
        )
        for seed in range(args.seeds):
            sim = simulate(seed_001_firm(args.n, seed, ease, follow_up))
            rows.append(
                {
                    "variant": name,
                    "seed": seed,
                    **sim,
                    **{f"closed_{k}": v for k, v in closed.items()},
                }
            )
    runs = pd.DataFrame(rows)
    out = ROOT / "experiments" / "results" / "complaint_funnel"
    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / "runs.csv", index=False)

    command = f"python -m experiments.complaint_funnel --seeds {args.seeds} --n {args.n}"
    lines = [
        "# The cost of negative experiences (the CX-methods article)",
        "",
        f"A firm with USD 50 M annual sales, simulated with {args.n:,} customers, "
        f"{args.seeds} seeds per variant; one step is one year. Intervals are 95 % "
        "confidence intervals of the mean over seeds.",
        "",
        f"Command: `{command}`",
        "",
        f"Config: the defaults of `sim/config.py` at commit `{git_commit()}`, "
        "with the settings above.",
        "",
        'Revenue lost, USD a year. "Simulated" values a lost customer at the average '
        'revenue per customer, as the seed does. "By spend" values them at their own '
        "simulated spend.",
        "",
        "| variant | from complainers: closed form | simulated | by spend "
        "| in silence: closed form | simulated | by spend | simulated total, % of revenue |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in VARIANTS:
        v = runs[runs.variant == name]
        cells = [name]
        for kind in ("complainer", "silent"):
            cells.append(f"{v[f'closed_{kind}_loss'].iloc[0]:,.0f}")
            for col in (f"{kind}_loss", f"{kind}_loss_by_spend"):
                mean, half = mean_half_width(v[col])
                cells.append(f"{mean:,.0f} ± {half:,.0f}")
        total = v.complainer_loss.mean() + v.silent_loss.mean()
        cells.append(f"{100 * total / REVENUE:.1f} %")
        lines.append("| " + " | ".join(cells) + " |")
    seed_firm = runs[runs.variant == "the CX-methods article firm"].sum(numeric_only=True)
    handled = seed_firm[["recovered", "unresolved", "complaint_losses"]].sum()
    share = {k: seed_firm[k] / handled for k in ("recovered", "unresolved", "complaint_losses")}
    negative = runs[runs.variant == "the CX-methods article firm"].negative_share.mean()
    voiced = runs[runs.variant == "the CX-methods article firm"].voiced_share.mean()
    lines += [
        "",
        f"Funnel of the the CX-methods article firm as simulated (all seeds): negative experiences "
        f"{negative:.1%} of customers; voiced {voiced:.2%}; of complainers "
        f"{share['recovered']:.0%} recovered, {share['unresolved']:.0%} at risk, "
        f"{share['complaint_losses']:.0%} lost; of the silent "
        f"{seed_firm.silent_losses / seed_firm.silent_dissatisfied:.0%} lost "
        "(the CX-methods article: 22 %; 2 %; 38 / 34 / 28 %; 45 %).",
        "",
        "Valued by their own spend, the losses are lower. Negative experiences fall "
        "more often on customers who spend less (the convenience seekers, where the "
        "firm is weakest, and less loyal customers, who buy less), a refinement the "
        "seed's arithmetic cannot show.",
        "",
        "The lessons of the CX-methods article follow. Raise the complaint rate: more voiced "
        "complaints mean fewer silent losses, since a handled complaint loses 28 %, "
        "not 45 %. Never reward staff for *fewer* complaints. Raise the recovery "
        "rate. Follow up the silent.",
        "",
        "![funnel](funnel.png)",
        "",
    ]
    _figure(runs).savefig(out / "funnel.png", dpi=110, bbox_inches="tight")
    report = "\n".join(lines)
    (out / "report.md").write_text(report)
    print(report)


def _figure(runs: pd.DataFrame) -> Figure:
    """Revenue lost per variant: closed form (left, pale) against simulated (right)."""
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    names = list(VARIANTS)
    x = np.arange(len(names))
    for offset, prefix, label, alpha in (
        (-0.2, "closed_", "closed form", 0.5),
        (0.2, "", "simulated", 1.0),
    ):
        lost = runs.groupby("variant")[[f"{prefix}silent_loss", f"{prefix}complainer_loss"]].mean()
        silent, complainers = (lost.loc[names].to_numpy() / 1e6).T
        ax.bar(
            x + offset,
            silent,
            0.38,
            color="tab:orange",
            alpha=alpha,
            label=f"lost in silence, {label}",
        )
        ax.bar(
            x + offset,
            complainers,
            0.38,
            bottom=silent,
            color="tab:blue",
            alpha=alpha,
            label=f"lost from complainers, {label}",
        )
    ax.set_xticks(x, names)
    ax.set_ylabel("revenue lost (USD million a year)")
    ax.set_title("The cx-methods article: revenue lost to negative experiences")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


if __name__ == "__main__":
    main()
