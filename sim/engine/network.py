"""The word-of-mouth network: who talks to whom (docs/ODD.md 7.4).

The small-world, scale-free and random networks are generated straight into
edge arrays (vectorised numpy, and a compiled loop for preferential
attachment), then into a CSR adjacency, so that a market of a million
consumers is wired in seconds. They follow networkx's models (Watts &
Strogatz 1998, as `watts_strogatz_graph`; Barabási & Albert 1999, as
`barabasi_albert_graph`; G(n, m), as `gnm_random_graph`) in degree
distribution and clustering (tests/test_network.py), though not edge for
edge. The complete network is every pair; `read_edge_list` reads the `file`
one strictly (two ids a line, no self-loops), and `as_graph` gives any
network to networkx for analysis (imported there: the engine itself needs
no networkx graph).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numba import njit

from sim.config import ConfigError, NetworkConfig

if TYPE_CHECKING:  # networkx is imported only where a graph is asked for
    import networkx as nx

NETWORK_KINDS = ("small_world", "scale_free", "random", "complete", "file")
MAX_COMPLETE = 5_000
"""A complete graph has n(n-1)/2 edges: beyond this it would not fit in memory."""


def build_network(config: NetworkConfig, n: int, seed: int) -> sp.csr_array:
    """The word-of-mouth network as a symmetric CSR adjacency, nodes 0..n-1.
    The same seed gives the same network."""
    if config.kind != "file":  # a file is checked as it is read
        check_network(config, n)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6E6574]))  # "net"
    k = config.mean_degree
    if config.kind == "small_world":
        return csr_from_edges(small_world_edges(n, k, config.rewiring, rng), n)
    if config.kind == "scale_free":
        return csr_from_edges(scale_free_edges(n, max(1, k // 2), rng), n)
    if config.kind == "random":
        return csr_from_edges(random_edges(n, n * k // 2, rng), n)
    if config.kind == "complete":
        return csr_from_edges(np.column_stack(np.triu_indices(n, 1)), n)
    return csr_from_edges(read_edge_list(config.path, n), n)


def check_network(config: NetworkConfig, n: int) -> None:
    """ConfigError if this network cannot be built for `n` consumers (the
    command line checks before a run starts; a file is read in full)."""
    if config.kind not in NETWORK_KINDS:
        raise ConfigError("network.kind", config.kind, f"one of {', '.join(NETWORK_KINDS)}")
    if config.kind == "complete" and n > MAX_COMPLETE:
        raise ConfigError("network.kind", "complete", f"population.n <= {MAX_COMPLETE} for it")
    if config.kind == "file":
        read_edge_list(config.path, n)


def small_world_edges(n: int, k: int, rewiring: float, rng: np.random.Generator) -> np.ndarray:
    """Watts & Strogatz (1998): a ring lattice where each node links to its k/2
    nearest neighbours on each side, then each edge's far end is moved, with
    probability `rewiring`, to a node chosen uniformly at random (no self-loop,
    no duplicate edge)."""
    half = k // 2
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    moved = np.flatnonzero(rng.random(len(u)) < rewiring)
    for _ in range(100):  # redraw the few that land on a self-loop or an existing edge
        if not len(moved):
            break
        v[moved] = rng.integers(0, n, len(moved))
        moved = moved[_clashes(u, v, moved, n)]
    return np.column_stack([u, v])


def _clashes(u: np.ndarray, v: np.ndarray, moved: np.ndarray, n: int) -> np.ndarray:
    """Which of the `moved` edges are self-loops or duplicate another edge."""
    key = np.minimum(u, v) * n + np.maximum(u, v)
    every = np.sort(key)
    mine = key[moved]
    twice = np.searchsorted(every, mine, "right") - np.searchsorted(every, mine, "left") > 1
    return (u[moved] == v[moved]) | twice


def scale_free_edges(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Barabási & Albert (1999), as networkx builds it: a star of m + 1 nodes,
    then each new node links to m distinct nodes chosen in proportion to their
    degree (preferential attachment)."""
    if m >= n:
        raise ConfigError("network.mean_degree", 2 * m, f"less than population.n = {n}")
    return _preferential_attachment(n, m, rng.integers(0, 2**31 - 1))


@njit(cache=True)
def _preferential_attachment(n: int, m: int, seed: int) -> np.ndarray:
    np.random.seed(seed)
    edges = np.empty((m + (n - m - 1) * m, 2), dtype=np.int64)
    repeated = np.empty(2 * len(edges), dtype=np.int64)  # each node once per edge end
    size = 0
    for target in range(1, m + 1):  # the star
        edges[target - 1, 0], edges[target - 1, 1] = 0, target
        repeated[size], repeated[size + 1] = 0, target
        size += 2
    row = m
    chosen = np.empty(m, dtype=np.int64)
    for source in range(m + 1, n):
        found = 0
        while found < m:
            pick = repeated[np.random.randint(0, size)]
            fresh = True
            for j in range(found):
                if chosen[j] == pick:
                    fresh = False
                    break
            if fresh:
                chosen[found] = pick
                found += 1
        for j in range(m):
            edges[row, 0], edges[row, 1] = source, chosen[j]
            row += 1
            repeated[size], repeated[size + 1] = source, chosen[j]
            size += 2
    return edges


def random_edges(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """G(n, m): m distinct edges drawn uniformly among all pairs (no self-loop)."""
    m = min(m, n * (n - 1) // 2)
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < m:
        draws = int(1.1 * (m - len(keys))) + 16
        u, v = rng.integers(0, n, draws), rng.integers(0, n, draws)
        pairs = np.minimum(u, v) * n + np.maximum(u, v)
        keys = np.sort(np.concatenate([keys, pairs[u != v]]))
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]  # distinct
    keep = np.ones(len(keys), dtype=bool)
    keep[rng.choice(len(keys), len(keys) - m, replace=False)] = False  # a uniform m-subset
    keys = keys[keep]
    return np.column_stack([keys // n, keys % n])


def csr_from_edges(edges: np.ndarray, n: int) -> sp.csr_array:
    """Symmetric 0/1 adjacency of undirected `edges` (pairs of node ids)."""
    indptr, indices = _csr(edges.astype(np.int64), n)
    if len(indices) < 2**31:  # scipy keeps one index type for both: the smaller halves the bytes
        indptr = indptr.astype(np.int32)
    data = np.ones(len(indices), dtype=np.int8)
    return sp.csr_array((data, indices, indptr), shape=(n, n))


@njit(cache=True)
def _csr(edges: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    degree = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(edges)):
        degree[edges[e, 0] + 1] += 1
        degree[edges[e, 1] + 1] += 1
    indptr = np.cumsum(degree)
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[-1], dtype=np.int32)
    for e in range(len(edges)):
        a, b = edges[e, 0], edges[e, 1]
        indices[fill[a]] = b
        fill[a] += 1
        indices[fill[b]] = a
        fill[b] += 1
    for node in range(n):  # neighbours in order of their id
        indices[indptr[node] : indptr[node + 1]].sort()
    return indptr, indices


def read_edge_list(path: str | None, n: int) -> np.ndarray:
    """The edges of an edge-list file (one `u v` pair of node ids 0..n-1 a
    line; blank lines and `#` comments are skipped; duplicates count once), as
    an (edges, 2) array. A file that is not one says which line, never what
    is on it: the path may name any file the user can read. Checked byte-wise
    in numpy: a million consumers' file (6 M lines) in about 3 s."""
    if not path:
        raise ConfigError("network.path", path, "an edge-list file when network=file")
    try:
        text = Path(path).read_bytes()
    except OSError:
        raise ConfigError("network.path", path, "a readable edge-list file") from None
    allowed = f"lines of two node ids in 0..{n - 1} (population.n={n}), such as `0 1`"
    text = re.sub(rb"#[^\n]*", b"", text) if b"#" in text else text
    chars = np.frombuffer(text, dtype=np.uint8)
    newlines = np.flatnonzero(chars == ord("\n"))
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    blank = (chars == ord(" ")) | (chars == ord("\t")) | (chars == ord("\r"))
    blank[newlines] = True
    starts = np.flatnonzero(digit & ~np.r_[False, digit[:-1]])  # where each id begins
    ids_on = np.bincount(np.searchsorted(newlines, starts), minlength=len(newlines) + 1)
    wrong = ids_on % 2 + (ids_on > 2)  # a line holds two ids or none
    wrong[np.searchsorted(newlines, np.flatnonzero(~digit & ~blank))] = 1  # '-', '_', 'x'...
    if wrong.any():
        line = int(np.argmax(wrong > 0)) + 1
        raise ConfigError("network.path", path, f"{allowed}; line {line} is not")
    if not len(starts):
        raise ConfigError("network.path", path, "a file with at least one edge")
    ends = np.flatnonzero(digit & ~np.r_[digit[1:], False])
    if (ends - starts).max() >= 18:  # 19 digits or more: beyond any population
        raise ConfigError("network.path", path, f"{allowed}; a node id is larger")
    edges = pd.read_csv(io.BytesIO(text), sep=r"\s+", header=None, dtype=np.int64).to_numpy()
    if edges.max() >= n:
        raise ConfigError("network.path", path, f"{allowed}; the largest is {edges.max()}")
    loops = np.flatnonzero(edges[:, 0] == edges[:, 1])
    if len(loops):
        raise ConfigError(
            "network.path",
            path,
            f"edges between two different consumers; edge {loops[0] + 1} joins a node to itself",
        )
    low, high = edges.min(axis=1), edges.max(axis=1)
    pairs = np.sort(low * n + high)  # each undirected edge as one number, once
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    return np.column_stack([pairs // n, pairs % n])


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """Symmetric 0/1 adjacency in CSR form, rows ordered by node id."""
    import networkx as nx

    return nx.to_scipy_sparse_array(
        graph, nodelist=range(graph.number_of_nodes()), dtype=np.int8, format="csr"
    )


def as_graph(network: sp.csr_array) -> nx.Graph:
    """A network as a networkx graph, for analysis (clustering, paths...)."""
    import networkx as nx

    return nx.from_scipy_sparse_array(network)
