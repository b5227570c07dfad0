"""Word of mouth over the network of consumers (docs/ODD.md 7.4).

Promoters and detractors tell network neighbours about their provider after
an encounter; an unhappy customer reaches 8-10 others (the satisfaction
article), a happy one far fewer. Messages move listeners' attitudes,
expectations and choices. The network itself is built in sim/engine/network.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.codes import PROSPECT
from sim.config import WordOfMouthConfig
from sim.engine.population import Consumers


@dataclass
class Messages:
    """Who heard what this step, reduced to what the mechanisms need."""

    speakers: np.ndarray  # consumer indices that talked
    speaker: np.ndarray  # one entry per message: who told it
    listener: np.ndarray  # one entry per message: who heard it
    about: np.ndarray  # provider the message is about, per message
    valence: np.ndarray  # +1 praise, -1 complaint, per message

    def reach(self, n: int) -> np.ndarray:
        """Number of messages each consumer heard."""
        return np.bincount(self.listener, minlength=n)


def spread(
    consumers: Consumers,
    talkers: np.ndarray,
    network: sp.csr_array,
    config: WordOfMouthConfig,
    rng: np.random.Generator,
    angry: np.ndarray = (),
) -> Messages:
    """Promoters after a good encounter and detractors after a bad one tell
    their neighbours; `talkers` are this step's visitors.

    Each talks with `talk_probability`; a detractor reaches each neighbour
    with probability min(1, negative_reach / degree), a promoter with
    min(1, positive_reach / degree): on average 9 listeners for an unhappy
    customer (the satisfaction article: "8~10"), 3 for a happy one
    (assumption: "far fewer"). `angry` talkers (customers whose complaint was
    not recovered, silent defectors) always talk, negatively (docs/ODD.md
    7.3b). Reads the talkers' attitude, satisfaction and provider.
    """
    promoter = consumers.promoters()[talkers] & (consumers.satisfaction[talkers] > 0)
    detractor = consumers.detractors()[talkers] & (consumers.satisfaction[talkers] < 0)
    talks = (promoter | detractor) & (rng.random(len(talkers)) < config.talk_probability)
    is_angry = np.isin(talkers, angry)  # unrecovered complainers, silent defectors
    detractor |= is_angry
    promoter &= ~is_angry
    talks |= is_angry
    speakers = talkers[talks]
    valence = np.where(promoter[talks], 1, -1).astype(np.int8)
    start, stop = network.indptr[speakers], network.indptr[speakers + 1]
    degree = stop - start
    reach = np.where(valence > 0, config.positive_reach, config.negative_reach)
    p_tell = np.minimum(1.0, reach / np.maximum(degree, 1))
    edge = _edge_positions(start, degree)
    told = rng.random(len(edge)) < np.repeat(p_tell, degree)
    who = np.repeat(np.arange(len(speakers)), degree)[told]
    return Messages(
        speakers=speakers,
        speaker=speakers[who],
        listener=network.indices[edge[told]],
        about=consumers.provider[speakers[who]],
        valence=valence[who],
    )


def _edge_positions(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Concatenate the ranges [start_i, start_i + length_i) without a loop."""
    offsets = np.repeat(start - np.cumsum(length) + length, length)
    return offsets + np.arange(length.sum())


def listen(
    consumers: Consumers,
    messages: Messages,
    config: WordOfMouthConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply what listeners heard about their own provider to their attitude
    (writes attitude).

    Returns per consumer the count of negative messages about their own
    provider (it raises the churn hazard) and of praise for another firm (it
    pulls them away).
    """
    n = consumers.n
    own = consumers.provider[messages.listener]
    same = (own == messages.about) & (own != PROSPECT)
    net = np.bincount(messages.listener[same], weights=messages.valence[same], minlength=n)
    consumers.attitude += config.attitude_influence * net
    np.clip(consumers.attitude, -1.0, 1.0, out=consumers.attitude)
    negative = np.bincount(messages.listener[same & (messages.valence < 0)], minlength=n)
    rival_praise = (own != messages.about) & (own != PROSPECT) & (messages.valence > 0)
    praise_elsewhere = np.bincount(messages.listener[rival_praise], minlength=n)
    return negative, praise_elsewhere


def referrals(consumers: Consumers, messages: Messages, n_firms: int) -> np.ndarray:
    """(n, firms) count of praise each prospect heard about each firm."""
    to_prospect = (consumers.provider[messages.listener] == PROSPECT) & (messages.valence > 0)
    cell = messages.listener[to_prospect] * n_firms + messages.about[to_prospect]
    return np.bincount(cell, minlength=consumers.n * n_firms).reshape(consumers.n, n_firms)


def heard_experience(consumers: Consumers, messages: Messages) -> tuple[np.ndarray, np.ndarray]:
    """Listeners, and the mean experience they were told about (an expectation source)."""
    n = consumers.n
    heard = np.bincount(messages.listener, minlength=n)
    listeners = np.flatnonzero(heard)
    told = np.take(consumers.last_experience, messages.speaker, axis=0)
    total = np.column_stack(
        [np.bincount(messages.listener, weights=col, minlength=n)[listeners] for col in told.T]
    )
    return listeners, total / heard[listeners, None]
