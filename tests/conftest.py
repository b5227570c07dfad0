"""Shared helpers: small, fast configurations of the model."""

import pytest

from sim.config import Config
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


@pytest.fixture(scope="session")
def baseline_run() -> LoyaltyModel:
    return run_model(small_config(n=3000, steps=60))
