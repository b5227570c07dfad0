"""Word of mouth over the network (docs/ODD.md 7.4): tie by tie, unhappy
customers tell most of their friends, promoters praise, detractors warn,
passives keep quiet; referrals and warnings reach prospects."""

import networkx as nx
import numpy as np
import pytest

from sim.codes import PROSPECT, NpsGroup
from sim.config import ConfigError, NetworkConfig, WordOfMouthConfig
from sim.engine.network import adjacency, build_network
from sim.engine.word_of_mouth import _edge_positions, listen, referrals, spread
from tests.helpers import consumers_with_expectation

N = 4000
NETWORK = adjacency(nx.watts_strogatz_graph(N, 12, 0.1, seed=1))


def _spread(group: int, unhappy=(), **rates):
    consumers = consumers_with_expectation(N, 5.0)
    groups = np.full(N, group, dtype=np.int8)
    config = WordOfMouthConfig(**rates)
    unhappy = np.asarray(unhappy, dtype=np.int64)
    return consumers, spread(consumers, unhappy, groups, NETWORK, config, np.random.default_rng(2))


def test_an_unhappy_customer_tells_that_share_of_their_friends():
    _, messages = _spread(NpsGroup.passive, unhappy=np.arange(N), unhappy_tie_probability=0.75)
    assert messages.unhappy_told / messages.unhappy_talkers == pytest.approx(9.0, rel=0.03)
    assert (messages.valence < 0).all()  # 0.75 x 12 neighbours: the satisfaction article's 8-10


def test_promoters_praise_detractors_warn_passives_keep_quiet():
    _, praise = _spread(NpsGroup.promoter, promoter_tie_rate=0.1)
    _, warnings = _spread(NpsGroup.detractor, detractor_tie_rate=0.1)
    _, quiet = _spread(NpsGroup.passive)
    assert len(praise.listener) / N == pytest.approx(1.2, rel=0.05) and (praise.valence > 0).all()
    assert len(warnings.listener) / N == pytest.approx(1.2, rel=0.05)
    assert (warnings.valence < 0).all() and len(quiet.listener) == 0


def test_prospects_do_not_talk_about_a_provider_they_do_not_have():
    consumers = consumers_with_expectation(N, 5.0, provider=PROSPECT)
    groups = np.full(N, NpsGroup.promoter, dtype=np.int8)
    config = WordOfMouthConfig(promoter_tie_rate=1.0)
    messages = spread(consumers, np.arange(10), groups, NETWORK, config, np.random.default_rng(0))
    assert len(messages.listener) == 0


def test_warnings_lower_the_listeners_attitude_and_reach_prospects():
    consumers, messages = _spread(NpsGroup.detractor, detractor_tie_rate=0.2)
    before = consumers.attitude.copy()
    warnings, _ = listen(consumers, messages, WordOfMouthConfig())
    heard = warnings > 0
    assert heard.any() and np.all(consumers.attitude[heard] < before[heard])
    consumers.provider[::2] = PROSPECT  # half are prospects now
    praise, warned = referrals(consumers, messages, 1)
    assert praise.sum() == 0 and warned[::2].sum() > 0 and warned[1::2].sum() == 0


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
