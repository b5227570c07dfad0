import networkx as nx
import numpy as np
import pytest

from sim.config import ConfigError, NetworkConfig, WordOfMouthConfig
from sim.engine.network import adjacency, build_network
from sim.engine.word_of_mouth import _edge_positions, listen, spread
from tests.helpers import consumers_with_expectation


def _talkers(n: int, attitude: float, satisfaction: float):
    consumers = consumers_with_expectation(n, 5.0)
    consumers.attitude[:] = attitude
    consumers.satisfaction[:] = satisfaction
    return consumers


def _mean_listeners(attitude: float, satisfaction: float) -> float:
    n = 4000
    network = adjacency(nx.watts_strogatz_graph(n, 20, 0.1, seed=1))
    consumers = _talkers(n, attitude, satisfaction)
    config = WordOfMouthConfig(talk_probability=1.0)
    messages = spread(consumers, np.arange(n), network, config, np.random.default_rng(2))
    return len(messages.listener) / len(messages.speakers)


def test_unhappy_customers_tell_8_to_10_others_happy_ones_far_fewer():
    negative = _mean_listeners(attitude=-0.8, satisfaction=-1.0)
    positive = _mean_listeners(attitude=0.9, satisfaction=1.0)
    assert 8.0 <= negative <= 10.0  # the satisfaction article
    assert positive < negative / 2


def test_passives_and_mixed_encounters_do_not_talk():
    n = 500
    network = adjacency(nx.watts_strogatz_graph(n, 10, 0.1, seed=1))
    config = WordOfMouthConfig(talk_probability=1.0)
    rng = np.random.default_rng(0)
    passive = _talkers(n, attitude=0.5, satisfaction=-1.0)  # neither promoter nor detractor
    assert len(spread(passive, np.arange(n), network, config, rng).listener) == 0
    promoter_bad_day = _talkers(n, attitude=0.9, satisfaction=-1.0)
    assert len(spread(promoter_bad_day, np.arange(n), network, config, rng).listener) == 0


def test_negative_word_of_mouth_lowers_listeners_attitude():
    n = 300
    network = adjacency(nx.watts_strogatz_graph(n, 10, 0.1, seed=1))
    consumers = _talkers(n, attitude=-0.8, satisfaction=-1.0)
    before = consumers.attitude.copy()
    messages = spread(
        consumers,
        np.arange(0, n, 2),
        network,
        WordOfMouthConfig(talk_probability=1.0),
        np.random.default_rng(0),
    )
    negative, _ = listen(consumers, messages, WordOfMouthConfig())
    heard = negative > 0
    assert heard.any()
    assert np.all(consumers.attitude[heard] < before[heard])


def test_edge_positions_concatenates_ranges():
    got = _edge_positions(np.array([3, 10, 0]), np.array([2, 0, 3]))
    assert got.tolist() == [3, 4, 0, 1, 2]


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random", "complete"])
def test_every_topology_builds_a_graph_of_n_nodes(kind):
    graph = build_network(NetworkConfig(kind=kind, mean_degree=6), 200, seed=1)
    assert graph.number_of_nodes() == 200
    degree = 2 * graph.number_of_edges() / 200
    assert degree == pytest.approx(199 if kind == "complete" else 6, rel=0.1)


def test_edge_list_file_is_read(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("0 1\n1 2\n2 3\n")
    graph = build_network(NetworkConfig(kind="file", path=str(path)), 10, seed=1)
    assert graph.number_of_nodes() == 10 and graph.number_of_edges() == 3


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "existing"),
        ("", "at least one edge"),
        ("a b\nc\n", "two integer"),
        ("0 50\n", "0..9"),
    ],
)
def test_bad_edge_list_files_are_config_errors(tmp_path, content, expected):
    path = tmp_path / "edges.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=expected):
        build_network(NetworkConfig(kind="file", path=str(path)), 10, seed=1)
