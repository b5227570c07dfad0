"""Word of mouth over a network of consumers (MODEL.md §5, seed 003).

Promoters and detractors tell network neighbours about their provider after
an encounter; an unhappy customer reaches 8-10 others (seed 003), a happy one
far fewer. Messages move listeners' attitudes, expectations and choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.config import ConfigError, NetworkConfig, WordOfMouthConfig
from sim.population import PROSPECT, Consumers

NETWORK_KINDS = ("small_world", "scale_free", "random", "complete", "file")
MAX_COMPLETE = 5_000
"""A complete graph has n(n-1)/2 edges: beyond this it would not fit in memory."""


def build_network(config: NetworkConfig, n: int, seed: int) -> nx.Graph:
    """The word-of-mouth network, nodes 0..n-1, built by networkx."""
    k = config.mean_degree
    if config.kind == "small_world":  # Watts & Strogatz 1998
        return nx.watts_strogatz_graph(n, k, config.rewiring, seed=seed)
    if config.kind == "scale_free":  # Barabasi & Albert 1999
        return nx.barabasi_albert_graph(n, max(1, k // 2), seed=seed)
    if config.kind == "random":  # Erdos-Renyi G(n, m)
        return nx.gnm_random_graph(n, n * k // 2, seed=seed)
    if config.kind == "complete":
        if n > MAX_COMPLETE:
            raise ConfigError("network.kind", "complete", f"population.n <= {MAX_COMPLETE} for it")
        return nx.complete_graph(n)
    if config.kind == "file":
        return read_edge_list(config.path, n)
    raise ConfigError("network.kind", config.kind, f"one of {', '.join(NETWORK_KINDS)}")


def read_edge_list(path: str | None, n: int) -> nx.Graph:
    """An edge list of integer node ids 0..n-1, one `u v` pair per line."""
    if not path:
        raise ConfigError("network.path", path, "an edge-list file when network.kind=file")
    file = Path(path)
    if not file.is_file():
        raise ConfigError("network.path", path, "an existing edge-list file")
    try:
        graph = nx.read_edgelist(file, nodetype=int, data=False)
    except (TypeError, ValueError, IndexError) as err:
        raise ConfigError("network.path", path, f"lines of two integer node ids ({err})") from None
    if graph.number_of_edges() == 0:
        raise ConfigError("network.path", path, "a file with at least one edge")
    nodes = np.fromiter(graph.nodes, dtype=np.int64)
    if nodes.min() < 0 or nodes.max() >= n:
        raise ConfigError(
            "network.path",
            path,
            f"node ids in 0..{n - 1} (population.n={n}); found {nodes.min()}..{nodes.max()}",
        )
    graph.add_nodes_from(range(n))
    return graph


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """Symmetric 0/1 adjacency in CSR form, rows ordered by node id."""
    return nx.to_scipy_sparse_array(
        graph, nodelist=range(graph.number_of_nodes()), dtype=np.int8, format="csr"
    )


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
    customer (seed 003: "8~10"), 3 for a happy one (assumption: "far fewer").
    `angry` talkers (customers whose complaint was not recovered, silent
    defectors) always talk, negatively (MODEL.md §4).
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
    """Apply what listeners heard about their own provider to their attitude.

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
