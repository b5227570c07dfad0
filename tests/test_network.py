"""The word-of-mouth network (docs/ODD.md 7.4): the generators write CSR
arrays straight away, and match networkx's models in degree distribution and
clustering; the same seed gives the same network."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from sim.config import ConfigError, NetworkConfig
from sim.engine.network import as_graph, build_network

N = 3000

NETWORKX = {
    "small_world": lambda seed: nx.watts_strogatz_graph(N, 10, 0.1, seed=seed),
    "scale_free": lambda seed: nx.barabasi_albert_graph(N, 5, seed=seed),
    "random": lambda seed: nx.gnm_random_graph(N, N * 5, seed=seed),
}


def _ours(kind: str, seed: int = 1):
    config = NetworkConfig(kind=kind, mean_degree=10, rewiring=0.1)
    return build_network(config, N, seed)


@pytest.mark.parametrize("kind", list(NETWORKX))
def test_generated_networks_match_networkx_in_degrees_and_clustering(kind):
    ours, theirs = as_graph(_ours(kind)), NETWORKX[kind](1)
    assert ours.number_of_nodes() == N and ours.number_of_edges() == theirs.number_of_edges()
    ours_degree = np.array([d for _, d in ours.degree()])
    theirs_degree = np.array([d for _, d in theirs.degree()])
    assert stats.ks_2samp(ours_degree, theirs_degree).pvalue > 0.001
    assert ours_degree.max() == pytest.approx(theirs_degree.max(), rel=0.35)
    assert nx.average_clustering(ours) == pytest.approx(nx.average_clustering(theirs), abs=0.02)
    assert nx.number_of_selfloops(ours) == 0


def test_the_adjacency_is_symmetric_without_duplicate_ties():
    for kind in NETWORKX:
        network = _ours(kind)
        assert (network != network.T).nnz == 0
        assert network.max() == 1  # a duplicate tie would sum to 2
        assert np.all(np.diff(network.indices[network.indptr[0] : network.indptr[1]]) > 0)


@pytest.mark.parametrize("kind", list(NETWORKX))
def test_the_same_seed_gives_the_same_network_another_seed_another(kind):
    one, again, other = _ours(kind, 7), _ours(kind, 7), _ours(kind, 8)
    assert np.array_equal(one.indices, again.indices) and np.array_equal(one.indptr, again.indptr)
    assert not np.array_equal(one.indices, other.indices)


def test_the_complete_network_links_everyone():
    network = build_network(NetworkConfig(kind="complete"), 50, seed=1)
    assert network.nnz == 50 * 49


def test_edge_list_file_is_read(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("0 1\n1 2\n2 3\n")
    network = build_network(NetworkConfig(kind="file", path=str(path)), 10, seed=1)
    assert network.shape == (10, 10) and network.nnz == 6


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "readable"),
        ("", "at least one edge"),
        ("a b\nc\n", "two node ids"),
        ("0 50\n", "0..9"),
    ],
)
def test_bad_edge_list_files_are_config_errors(tmp_path, content, expected):
    path = tmp_path / "edges.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=expected):
        build_network(NetworkConfig(kind="file", path=str(path)), 10, seed=1)


def test_a_complete_network_too_large_for_memory_is_refused():
    with pytest.raises(ConfigError, match=r"network\.kind"):
        build_network(NetworkConfig(kind="complete"), 100_000, seed=1)
