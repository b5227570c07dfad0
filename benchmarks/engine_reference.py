"""Write tests/data/engine_reference.json: key KPIs of the engine as it is now,
over 12 seeds of a small market, which tests/test_engine.py holds every later
engine to (in distribution: Welch's t and Kolmogorov-Smirnov at 0.1 %).

Take it when the model's dynamics change on purpose (a new mechanism, a
recalibration), from the commit that makes the change; never after a change
meant to keep results (speed, memory), which is what the test is there to
check. The file records the commit, the config and the fitted parameters, so
later calibrations do not move the reference.

usage: python -m benchmarks.engine_reference
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.config import Config, assign, free_parameters, lookup
from sim.runs.simulation import code_version, replicate

PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "engine_reference.json"

SIZE = {"population.n": 3000, "steps": 104, "burn_in": 52}
SEEDS = 12
KPIS = (
    "annual_churn_rate",
    "mean_nps",
    "customers_with_negative_experience_per_year",
    "voiced_share_of_negative_experiences",
    "silent_loss_share",
    "referral_share_of_new_customers",
    "told_per_unhappy_customer",
    "positive_to_negative_word_of_mouth",
    "mean_satisfaction",
    "customers",
    "market_share",
    "revenue",
    "profit",
)


def kpi(summary: dict, name: str) -> float:
    """A KPI of a run's summary, wherever the summary keeps it."""
    for part in ("rates", "final", "totals"):
        if name in summary.get(part, {}):
            return summary[part][name]
    raise KeyError(name)


def reference_config(settings: dict) -> Config:
    """The config of the reference's runs (its `config` entry), seed 0."""
    config = Config(seed=0, steps=settings["steps"], burn_in=settings["burn_in"])
    config.population.n = settings["population.n"]
    for key, value in settings.get("parameters", {}).items():
        assign(config, key, value)
    return config


def main() -> None:
    settings = {**SIZE, "seeds": f"0-{SEEDS - 1}"}
    config = reference_config(settings)
    settings["parameters"] = {key: lookup(config, key) for key in free_parameters()}
    summaries = replicate(config, SEEDS)
    reference = {
        "code_version": code_version(),
        "config": settings,
        "kpis": {name: [kpi(s, name) for s in summaries] for name in KPIS},
    }
    PATH.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {PATH.name} ({SEEDS} seeds of {SIZE}, {code_version()})")


if __name__ == "__main__":
    main()
