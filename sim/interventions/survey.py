"""The key-experience method (the CX-methods article's seven steps, worked
example 美苏电器, an electronics retail chain).

A survey of the focal firm's customers asks, per dimension, what they
experienced, what they expected and how much it matters. Then:

- gap = experience - expectation (step 2c, the Delta law);
- weighted gap = importance x gap (step 3); the most negative is the *key
  experience*, what matters most and is done worst;
- ideal experience = the actual one, except the key experience at `ideal`
  (step 4a: 10, "exceed expectations where it matters, merely satisfy
  elsewhere"): the score the firm aims for, the top of the scale;
- experience gap = experience - ideal (step 4b), what investment must close
  (step 5).

Importance is answered on the article's 0-10 scale: a segment's weight on a
dimension relative to its largest weight, times 10 (assumption: the most
important dimension scores 10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import DIMENSIONS, FOCAL
from sim.engine.population import Consumers, Segments

IDEAL = 10.0
"""The ideal experience on the key dimension: the top of the 0-10 scale (step 4a)."""


def key_experience_table(
    experience: np.ndarray, expectation: np.ndarray, importance: np.ndarray, ideal: float = IDEAL
) -> pd.DataFrame:
    """The article's steps 2-4 from mean scores per dimension (arrays of 6, in
    DIMENSIONS order). One row per dimension; `key` marks the key experience."""
    gap = experience - expectation
    weighted = importance * gap
    key = int(np.argmin(weighted))
    ideal_experience = np.array(experience, dtype=float)
    ideal_experience[key] = ideal
    return pd.DataFrame(
        {
            "dimension": DIMENSIONS,
            "experience": experience,
            "expectation": expectation,
            "gap": gap,
            "importance": importance,
            "weighted_gap": weighted,
            "ideal_experience": ideal_experience,
            "experience_gap": experience - ideal_experience,
            "key": np.arange(len(DIMENSIONS)) == key,
        }
    )


def key_dimension(table: pd.DataFrame) -> str:
    return str(table.loc[table.key, "dimension"].iloc[0])


def survey(
    consumers: Consumers,
    segments: Segments,
    sample: int,
    rng: np.random.Generator,
    segment: str | None = None,
) -> pd.DataFrame:
    """Ask up to `sample` of the focal firm's customers (of `segment`, if named)
    about their last visit: the key-experience table of their mean answers.
    Reads the customers' last_experience and expectation."""
    c = consumers
    asked = c.provider == FOCAL
    if segment is not None:
        asked &= c.segment == segments.names.index(segment)
    asked = np.flatnonzero(asked)
    if len(asked) > sample:
        asked = rng.choice(asked, sample, replace=False)
    if len(asked) == 0:
        raise ValueError("the survey found no customers to ask")
    weights = segments.importance[c.segment[asked]]
    importance = 10.0 * weights / weights.max(axis=1, keepdims=True)
    return key_experience_table(
        c.last_experience[asked].mean(axis=0),
        c.expectation[asked].mean(axis=0),
        importance.mean(axis=0),
    )
