import numpy as np

from sim.codes import PROSPECT
from sim.config import ChurnConfig
from sim.engine.churn import _destination, churn_hazard


def _hazard(attitude=0.0, loyalty=0.0, tenure=1.0, pull=0.0, negative=0):
    return churn_hazard(
        np.array([attitude]),
        np.array([loyalty]),
        np.array([tenure]),
        np.array([pull]),
        np.array([negative]),
        ChurnConfig(),
    )[0]


def test_hazard_falls_with_satisfaction_and_loyalty():
    attitudes = [_hazard(attitude=a) for a in (-0.8, 0.0, 0.8)]
    loyalties = [_hazard(loyalty=x) for x in (0.0, 0.5, 1.0)]
    assert attitudes[0] > attitudes[1] > attitudes[2]
    assert loyalties[0] > loyalties[1] > loyalties[2]


def test_hazard_rises_with_competitor_pull_and_negative_word_of_mouth():
    assert _hazard(pull=1.0) > _hazard(pull=0.0)
    assert _hazard(negative=5) > _hazard(negative=0)


def test_involuntary_churn_is_a_floor():
    h = _hazard(attitude=1.0, loyalty=1.0, tenure=20.0)
    assert ChurnConfig().involuntary_probability <= h < 2 * ChurnConfig().involuntary_probability


def _destinations(utility: list[float], leavers: int) -> np.ndarray:
    """Where focal-firm leavers of one segment go, none leaving the market."""
    return _destination(
        np.zeros(leavers, np.int8),
        np.zeros(leavers, np.int16),
        np.array([utility]),
        ChurnConfig(exit_share=0.0),
        np.random.default_rng(0),
    )


def test_without_rivals_leavers_leave_the_market():
    dest = _destinations([5.0], 50)  # only the focal firm
    assert np.all(dest == PROSPECT)


def test_leavers_go_to_the_more_attractive_rival():
    dest = _destinations([5.0, 7.0, 4.0], 4000)
    assert not np.any(dest == 0)
    assert (dest == 1).mean() > (dest == 2).mean() > 0
