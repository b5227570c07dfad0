"""Builders shared by the tests: small, fast configurations of the model, and
hand-made consumer states for unit tests of one mechanism."""

import numpy as np

from sim.config import Config, PopulationConfig, SegmentConfig
from sim.engine.population import Consumers, Segments
from sim.model import LoyaltyModel


def small_config(n: int = 1500, seed: int = 1, steps: int = 30) -> Config:
    config = Config()
    config.population.n = n
    config.seed = seed
    config.steps = steps
    return config


def run_model(config: Config) -> LoyaltyModel:
    model = LoyaltyModel(config)
    model.run_for(config.steps)
    return model


def consumers_with_expectation(n: int, level: float, provider: int = 0) -> Consumers:
    """`n` consumers of one segment with `provider`, expecting `level` on every
    dimension, with a fresh relationship: no attitude, loyalty, tenure, history."""
    population = PopulationConfig(n=n, segments=[SegmentConfig()])
    consumers = Consumers.initial(
        population, Segments.from_config(population), 0, np.random.default_rng(0)
    )
    consumers.provider[:] = provider
    consumers.switch_provider(np.arange(n), provider, attitude=0.0)
    consumers.expectation[:] = level
    consumers.last_experience[:] = level
    consumers.bond[:] = 0.0
    return consumers
