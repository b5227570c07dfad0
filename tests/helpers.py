"""Builders shared by the tests: small, fast configurations of the model, and
hand-made consumer states for unit tests of one mechanism."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from sim.config import Config, PopulationConfig, SegmentConfig
from sim.engine.population import Consumers, Segments, Traits
from sim.model import LoyaltyModel

ROOT = Path(__file__).resolve().parent.parent


def start_run_py(*args: str, cwd: Path, env: dict | None = None) -> subprocess.Popen:
    """`python run.py ARGS` started in `cwd`, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run_py(
    *args: str, cwd: Path, timeout: float = 300, env: dict | None = None
) -> subprocess.CompletedProcess:
    """`python run.py ARGS` in `cwd`, to the end; its output captured as text."""
    process = start_run_py(*args, cwd=cwd, env=env)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def small_config(n: int = 1500, seed: int = 1, steps: int = 30) -> Config:
    """A small market, with a shorter burn-in than the default's, for speed."""
    config = Config(seed=seed, steps=steps, burn_in=52)
    config.population.n = n
    return config


def run_model(config: Config) -> LoyaltyModel:
    model = LoyaltyModel(config)
    model.run_for(config.steps)
    return model


def consumers_with_expectation(n: int, level: float, provider: int = 0) -> Consumers:
    """`n` consumers of one segment with `provider`, expecting `level` on every
    dimension, with a fresh relationship: no attitude, loyalty, tenure, history."""
    population = PopulationConfig(n=n, segments=[SegmentConfig()])
    traits = Traits(propensity_shape=1.0, style_spread=0.0)
    consumers = Consumers.initial(
        population, Segments.from_config(population), 0, traits, np.random.default_rng(0), 0.05
    )
    consumers.complaint_propensity[:] = 1.0
    consumers.provider[:] = provider
    consumers.switch_provider(np.arange(n), provider, attitude=0.0)
    consumers.expectation[:] = level
    consumers.last_experience[:] = level
    consumers.bond[:] = 0.0
    return consumers
