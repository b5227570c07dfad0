"""The BG/NBD model of Fader, Hardie & Lee (2005), the field's standard
forecaster of repeat purchases, as the anchor the agent-based forecast is
held to: fitted by the `lifetimes` package (the `forecast` extra) to what a
transaction log says about each customer, and its expected cumulative repeat
transactions of the cohort week by week (the paper's tracking plot).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.transactions import WEEK


@dataclass(frozen=True)
class BgNbd:
    """A fitted BG/NBD: purchase rates Gamma(r, alpha) while alive, dropout
    after each purchase with probability Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    model: object  # the fitted lifetimes.BetaGeoFitter

    def cumulative_repeat_transactions(self, first_week: np.ndarray, weeks: int) -> np.ndarray:
        """The cohort's expected repeat transactions by the end of each week
        1..`weeks` (weeks since the log's first day), each customer counted from
        their first purchase (`first_week`, in weeks since that day)."""
        ends = np.arange(1, weeks + 1, dtype=float)
        return np.array(
            [
                self.model.expected_number_of_purchases_up_to_time(
                    np.clip(end - first_week, 0.0, None)
                ).sum()
                for end in ends
            ]
        )


def beta_geo_fitter() -> type:
    """lifetimes' BetaGeoFitter, or an ImportError saying how to install it."""
    try:
        with warnings.catch_warnings():  # lifetimes sets a pandas option pandas 3 retired
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter
    except ImportError as err:  # the optional extra
        raise ImportError(
            "BG/NBD needs the forecast extra (lifetimes): pip install -e '.[forecast]'"
        ) from err
    return BetaGeoFitter


def fit_bgnbd(summary: pd.DataFrame) -> BgNbd:
    """BG/NBD fitted by maximum likelihood to `frequency`, `recency` and `T`
    (in weeks) of each customer (sim.transactions.customer_summary)."""
    model = beta_geo_fitter()()
    model.fit(summary["frequency"], summary["recency"], summary["T"])
    p = model.params_
    return BgNbd(float(p["r"]), float(p["alpha"]), float(p["a"]), float(p["b"]), model)


def first_weeks(summary: pd.DataFrame, start: pd.Timestamp) -> np.ndarray:
    """Each customer's first purchase in weeks since `start` (fractional)."""
    return ((summary["first"] - start) / WEEK).to_numpy(dtype=float)
