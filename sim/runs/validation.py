"""Validation patterns: what a calibrated model is checked against but never
fitted to (docs/ODD.md, "Calibration and validation"; pattern-oriented
modelling, Grimm et al. 2005).

Each pattern is a statistic of runs of the calibrated model with the band the
literature allows. A pattern holds (`within`) when its whole 95 % interval
over seeds lies in the band: a stricter test than the fit's, whose interval
need only meet its band.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.codes import LOYALTY_STAGES
from sim.config import Config
from sim.runs.comparison import mean_interval
from sim.runs.simulation import replicate

EASE = 5.0
"""How much easier the firm makes complaining in the voice pattern."""
VOICED = "voiced_share_of_negative_experiences"


def _row(name: str, values: list[float], band: tuple[float, float], source: str) -> dict:
    mean, low, high = mean_interval(values)
    if math.isnan(low):
        low = high = mean
    return {
        "target": name,
        "observed": band[0] if math.isinf(band[1]) else (band[0] + band[1]) / 2,
        "simulated": mean,
        "low": low,
        "high": high,
        "within": bool(low >= band[0] and high <= band[1]),
        "band_low": band[0],
        "band_high": band[1],
        "statistic": name,
        "source": source,
    }


def ordering_rows(rates: list[dict[str, Any]]) -> list[dict]:
    """Churn falls from detractors to passives to promoters, and from each
    loyalty stage to the next: each step's difference (points of annual churn)."""
    orderings = [  # (rate, classes from least to most loyal, how a class is named, source)
        (
            "annual_churn_by_nps_group",
            ("detractor", "passive", "promoter"),
            "{}s",
            "Reichheld (2003): promoters stay, detractors leave",
        ),
        (
            "annual_churn_by_loyalty_stage",
            LOYALTY_STAGES,
            "{}",
            "the employee-loyalty article: each stage of loyalty is more loyal than the last",
        ),
    ]
    rows = []
    for rate, order, label, source in orderings:
        for higher, lower in itertools.pairwise(order):
            rows.append(
                _row(
                    f"churn_{label.format(higher)}_minus_{label.format(lower)}",
                    [100 * (r[rate][higher] - r[rate][lower]) for r in rates],
                    (0.0, math.inf),
                    source,
                )
            )
    return rows


def validate_patterns(config: Config, seeds: int, rates: list[dict[str, Any]]) -> pd.DataFrame:
    """Every validation pattern for the calibrated `config`; `rates` are its
    runs over `seeds` seeds (the calibration's best trial)."""
    rows = ordering_rows(rates)

    easy = dataclasses.replace(config, complaints=dataclasses.replace(config.complaints))
    easy.complaints.ease = config.complaints.ease * EASE
    easier = [summary["rates"] for summary in replicate(easy, seeds)]
    rows.append(
        _row(
            f"voice_response_to_{EASE:g}x_ease",
            [e[VOICED] / b[VOICED] for e, b in zip(easier, rates, strict=True) if b[VOICED] > 0],
            (1.0, EASE),
            "TARP (Goodman & Newman 2003): easier complaining raises voice, less than in "
            "proportion",
        )
    )

    rows.append(_retention_row(config, seeds, rates))
    return pd.DataFrame(rows)


def _retention_row(config: Config, seeds: int, rates: list[dict[str, Any]]) -> dict:
    """Profit change for 5 points more annual retention, retention raised by a
    free programme every customer joins (a lower churn hazard) from week 0."""
    kept = dataclasses.replace(config, strategy=dataclasses.replace(config.strategy))
    programme = dataclasses.replace(
        config.strategy.loyalty_program,
        enabled=True,
        rollout_step=0,
        enrolment_rate=1.0,
        reward_share=0.0,
        cost_per_member=0.0,
    )
    kept.strategy.loyalty_program = programme
    per_five = []
    for a, b in zip(replicate(config, seeds), replicate(kept, seeds), strict=True):
        points = 100 * (b["rates"]["annual_retention_rate"] - a["rates"]["annual_retention_rate"])
        profit = a["totals"]["profit"]
        if points > 0.5 and profit > 0:
            per_five.append(5 * 100 * (b["totals"]["profit"] / profit - 1) / points)
    return _row(
        "profit_change_for_5_points_retention",
        per_five or [np.nan],
        (25.0, math.inf),
        "the satisfaction article; Reichheld & Sasser (1990): 5 points more retention, "
        "25-85 % more profit",
    )
