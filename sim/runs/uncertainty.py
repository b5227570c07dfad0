"""Parameter draws for the robust comparison (`uncertainty=ensemble`;
docs/ODD.md, Uncertainty analysis).

Draw k is a parameter set: the calibration's free parameters from one of its
accepted trials (a calibration's trials.csv: the trials within `accept` of the
targets), or from their priors when no trials file is given, and the other
uncertain parameters (`uncertain` in sim/config.py) uniform over their
ranges (log-uniform where marked). Its random numbers come from
SeedSequence([uncertainty.seed, k]), not from the run's seed, so every seed
and every strategy of draw k sees the same parameters, and the comparison
pairs them.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import (
    Config,
    ConfigError,
    Prior,
    assign,
    free_parameters,
    lookup,
    uncertain_parameters,
)

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def accepted_trials(path: str, accept: float) -> pd.DataFrame:
    """The free parameters of a calibration's trials within `accept` of its targets."""
    where = Path(path) if Path(path).is_absolute() or Path(path).exists() else ROOT / path
    try:
        trials = pd.read_csv(where)
    except (OSError, ValueError) as err:
        allowed = f"a calibration's trials.csv ({err})"
        raise ConfigError("uncertainty.trials", path, allowed) from None
    free = list(free_parameters())
    absent = [c for c in [*free, "distance"] if c not in trials.columns]
    if absent:
        raise ConfigError(
            "uncertainty.trials", path, f"a calibration's trials.csv (it lacks {absent[0]})"
        )
    kept = trials.loc[trials.distance <= accept, free].reset_index(drop=True)
    if kept.empty:
        raise ConfigError(
            "uncertainty.accept",
            accept,
            f"at least the best distance in {path} ({trials.distance.min():.3g})",
        )
    return kept


def draw_parameters(config: Config) -> dict[str, float]:
    """The uncertain parameters' values in draw `config.uncertainty.draw`."""
    spec = config.uncertainty
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, spec.draw]))
    values: dict[str, float] = {}
    if spec.trials:  # the fitted parameters: an accepted trial's, together
        trials = accepted_trials(spec.trials, spec.accept)
        values.update(trials.iloc[int(rng.integers(len(trials)))].astype(float).to_dict())
    for key, prior in uncertain_parameters().items():
        if key not in values:
            values[key] = _uniform(rng, prior)
    return values


def _uniform(rng: np.random.Generator, prior: Prior) -> float:
    if prior.log:
        value = 10 ** rng.uniform(np.log10(prior.low), np.log10(prior.high))
        return float(np.clip(value, prior.low, prior.high))  # float round-off at the ends
    return float(rng.uniform(prior.low, prior.high))


def drawn(config: Config) -> Config:
    """`config` with its draw's parameters (itself when `uncertainty.draw` is null)."""
    if config.uncertainty.draw is None:
        return config
    config = copy.deepcopy(config)
    for key, value in draw_parameters(config).items():
        assign(config, key, value)
    return config


def parameter_values(config: Config) -> dict[str, float]:
    """The uncertain parameters' values in force (summary.json records them)."""
    return {key: float(lookup(config, key)) for key in uncertain_parameters()}
