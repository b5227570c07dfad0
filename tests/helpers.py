"""Builders of hand-made consumer states for unit tests."""

import numpy as np

from sim.population import Consumers


def consumers_with_expectation(n: int, level: float, provider: int = 0) -> Consumers:
    expectation = np.full((n, 6), level)
    return Consumers(
        provider=np.full(n, provider, dtype=np.int16),
        segment=np.zeros(n, dtype=np.int8),
        tenure=np.zeros(n, dtype=np.int32),
        expectation=expectation,
        last_experience=expectation.copy(),
        satisfaction=np.zeros(n),
        attitude=np.zeros(n),
        loyalty=np.zeros(n),
        grievance=np.zeros((n, 6)),
        last_failure=np.zeros(n, dtype=bool),
        member=np.zeros(n, dtype=bool),
        employee=np.full(n, -1, dtype=np.int32),
        bond=np.zeros(n),
        last_negative=np.full(n, -1, dtype=np.int32),
        spend=np.zeros(n),
        churn_reason=np.full(n, -1, dtype=np.int8),
    )
