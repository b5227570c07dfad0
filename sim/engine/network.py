"""The word-of-mouth network: who talks to whom (docs/ODD.md 7.4).

Built once per run by networkx and kept as a CSR adjacency (`adjacency`), so
that word of mouth (sim/engine/word_of_mouth.py) works on arrays.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.config import ConfigError, NetworkConfig

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
