"""Fixtures shared by the tests; builders are in tests/helpers.py."""

import pytest

from sim.model import LoyaltyModel
from tests.helpers import run_model, small_config


@pytest.fixture(scope="session")
def baseline_run() -> LoyaltyModel:
    return run_model(small_config(n=3000, steps=60))
