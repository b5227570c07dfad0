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

from sim.codes import PROSPECT, NpsGroup
from sim.config import WordOfMouthConfig
from sim.engine.population import Consumers


@dataclass
class Messages:
    """Who heard what this week, reduced to what the mechanisms need."""

    speaker: np.ndarray  # one entry per message: who told it
    listener: np.ndarray  # one entry per message: who heard it
    about: np.ndarray  # provider the message is about, per message
    valence: np.ndarray  # +1 praise, -1 complaint, per message
    unhappy_talkers: int  # customers who had a negative experience this week
    unhappy_told: int  # listeners they told

    def reach(self, n: int) -> np.ndarray:
        """Number of messages each consumer heard."""
        return np.bincount(self.listener, minlength=n)


def spread(
    consumers: Consumers,
    unhappy: np.ndarray,
    nps_group: np.ndarray,
    network: sp.csr_array,
    config: WordOfMouthConfig,
    rng: np.random.Generator,
) -> Messages:
    """Customers tell their network neighbours about their provider, each tie
    on its own draw: a customer with a negative experience this week
    (`unhappy`) tells each neighbour with `unhappy_tie_probability`, so about
    that share of their friends hear of it (the satisfaction article: an
    unhappy customer tells 8-10); otherwise a promoter praises to each
    neighbour with `promoter_tie_rate` a week, a detractor warns with
    `detractor_tie_rate`, and a passive keeps quiet (Reichheld 2003). What
    a customer tells spreads as far as the ties reach: a network's clusters,
    shortcuts and hubs set how fast. Reads provider and `nps_group`.
    """
    has_provider = consumers.provider != PROSPECT
    tie_rate = np.zeros(consumers.n)
    tie_rate[nps_group == NpsGroup.promoter] = config.promoter_tie_rate
    tie_rate[nps_group == NpsGroup.detractor] = config.detractor_tie_rate
    tie_rate[unhappy] = config.unhappy_tie_probability
    tie_rate[~has_provider] = 0.0
    speakers = np.flatnonzero(tie_rate > 0)
    negative = (nps_group[speakers] == NpsGroup.detractor) | np.isin(speakers, unhappy)
    start, stop = network.indptr[speakers], network.indptr[speakers + 1]
    degree = stop - start
    edge = _edge_positions(start, degree)
    told = rng.random(len(edge)) < np.repeat(tie_rate[speakers], degree)
    who = np.repeat(np.arange(len(speakers)), degree)[told]
    is_unhappy = np.zeros(consumers.n, dtype=bool)
    is_unhappy[unhappy] = True
    return Messages(
        speaker=speakers[who],
        listener=network.indices[edge[told]],
        about=consumers.provider[speakers[who]],
        valence=np.where(negative[who], -1, 1).astype(np.int8),
        unhappy_talkers=int((is_unhappy & has_provider).sum()),
        unhappy_told=int(is_unhappy[speakers[who]].sum()),
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


def referrals(
    consumers: Consumers, messages: Messages, n_firms: int
) -> tuple[np.ndarray, np.ndarray]:
    """(n, firms) counts of the praise (referrals) and of the warnings each
    prospect heard about each firm."""
    to_prospect = consumers.provider[messages.listener] == PROSPECT
    cell = messages.listener * n_firms + messages.about
    counts = [
        np.bincount(cell[to_prospect & kind], minlength=consumers.n * n_firms).reshape(
            consumers.n, n_firms
        )
        for kind in (messages.valence > 0, messages.valence < 0)
    ]
    return counts[0], counts[1]


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
