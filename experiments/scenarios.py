"""Every market scenario against the stable market: churn by reason, share, revenue.

Runs each scenario of sim/interventions/scenarios.py with the default config over a few
seeds and reports, for the weeks after the scenario starts, the focal firm's
customers lost by reason (the satisfaction article's list), switching to rivals, final
market share and revenue. Writes experiments/results/scenarios/report.md.

usage: python -m experiments.scenarios [--seeds 3] [--n 10000] [--steps 156]
"""

from __future__ import annotations

import pandas as pd

from experiments.common import Report, options
from sim.codes import REASONS
from sim.config import Config
from sim.interventions.scenarios import SCENARIOS
from sim.model import LoyaltyModel

NAME = "scenarios"


def run(scenario: str, seed: int, n: int, steps: int) -> dict:
    config = Config()
    config.seed, config.steps, config.population.n = seed, steps, n
    config.scenario.name = scenario
    if scenario == "rising_expectations":
        config.scenario.start_step = 52  # the same window as the others
    model = LoyaltyModel(config)
    ts = model.run_for(steps)
    after = ts[ts.step >= config.scenario.start_step]  # from the start week itself
    return {
        "scenario": scenario,
        "seed": seed,
        "churned": after.churned.sum(),
        **{r: after[f"churned_{r}"].sum() for r in REASONS},
        "switched_to_competitors": after.switched_to_competitors.sum(),
        "final_market_share": ts.market_share.iloc[-1],
        "revenue": after.revenue.sum(),
        "profit": after.profit.sum(),
        "employee_quits": after.employee_quits.sum(),
    }


def main() -> None:
    args = options(__doc__, seeds=3, n=10_000, steps=156)
    runs = pd.DataFrame(
        [run(s, seed, args.n, args.steps) for s in SCENARIOS for seed in range(args.seeds)]
    )
    mean = runs.drop(columns="seed").groupby("scenario", sort=False).mean()
    shown = [r for r in REASONS if mean[r].sum() > 0]
    table = mean[["churned", *shown, "switched_to_competitors", "employee_quits"]].round(0)
    table = table.astype(int)
    table["final_market_share"] = (100 * mean.final_market_share).round(1)
    table["revenue_vs_stable_%"] = (100 * (mean.revenue / mean.revenue["stable"] - 1)).round(1)
    table["profit_vs_stable_%"] = (100 * (mean.profit / mean.profit["stable"] - 1)).round(1)
    report = Report(NAME, "Scenarios against the stable market", args)
    report.text(
        f"Default config, {args.n:,} consumers, {args.steps} weeks, mean of "
        f"{args.seeds} seeds. Each scenario starts at week 52; counts are the focal "
        "firm's customers lost from week 52 to the end, by reason (the satisfaction article)."
    )
    report.table(table.reset_index())
    report.write()


if __name__ == "__main__":
    main()
