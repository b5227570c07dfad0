"""Word of mouth over the network (docs/ODD.md 7.4): tie by tie, unhappy
customers tell most of their friends, promoters praise, detractors warn,
passives keep quiet; referrals and warnings reach prospects."""

import networkx as nx
import numpy as np
import pytest

from sim.codes import PROSPECT, NpsGroup
from sim.config import WordOfMouthConfig
from sim.engine.network import adjacency
from sim.engine.word_of_mouth import heard_experience, listen, referrals, spread
from tests.helpers import consumers_with_expectation

N = 4000
NETWORK = adjacency(nx.watts_strogatz_graph(N, 12, 0.1, seed=1))


def _spread(group: int, unhappy=(), prospects=(), **rates):
    consumers = consumers_with_expectation(N, 5.0)
    consumers.provider[np.asarray(prospects, dtype=np.int64)] = PROSPECT
    groups = np.full(N, group, dtype=np.int8)
    config = WordOfMouthConfig(**rates)
    unhappy = np.asarray(unhappy, dtype=np.int64)
    return consumers, spread(consumers, unhappy, groups, NETWORK, config, np.uint64(2))


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
    messages = spread(consumers, np.arange(10), groups, NETWORK, config, np.uint64(0))
    assert len(messages.listener) == 0


def test_warnings_lower_the_listeners_attitude_and_reach_prospects():
    consumers, messages = _spread(NpsGroup.detractor, detractor_tie_rate=0.2)
    before = consumers.attitude.copy()
    warnings, _ = listen(consumers, messages, WordOfMouthConfig())
    heard = warnings > 0
    assert heard.any() and np.all(consumers.attitude[heard] < before[heard])
    _, messages = _spread(NpsGroup.detractor, prospects=np.arange(0, N, 2), detractor_tie_rate=0.2)
    praise, warned = referrals(messages).counts(np.arange(N), 1)  # half are prospects
    assert praise.sum() == 0 and warned[::2].sum() > 0 and warned[1::2].sum() == 0


def test_each_tie_carries_a_message_independently_with_its_probability():
    """The geometric gaps between the ties told are a Bernoulli process: each
    neighbour hears with the tie probability, whatever their place in the list."""
    lattice = adjacency(nx.watts_strogatz_graph(N, 12, 0.0))  # 12 neighbours each
    consumers = consumers_with_expectation(N, 5.0)
    groups = np.full(N, NpsGroup.promoter, dtype=np.int8)
    config = WordOfMouthConfig(promoter_tie_rate=0.3)
    messages = spread(consumers, np.empty(0, np.int64), groups, lattice, config, np.uint64(5))
    heard = np.zeros(lattice.nnz, dtype=bool)  # which edge (speaker, position) was told
    rows = lattice.indptr[messages.speaker]
    for offset in range(12):
        on_edge = lattice.indices[rows + offset] == messages.listener
        heard[rows[on_edge] + offset] = True
    by_position = heard.reshape(N, 12).mean(axis=0)
    assert np.allclose(by_position, 0.3, atol=0.03)
    assert len(np.unique(messages.speaker * N + messages.listener)) == len(messages.listener)


def test_the_same_key_tells_the_same_ties_and_another_key_others():
    one, two = (
        _spread(NpsGroup.promoter, promoter_tie_rate=0.2)[1],
        _spread(NpsGroup.promoter, promoter_tie_rate=0.2)[1],
    )
    assert np.array_equal(one.listener, two.listener)
    consumers = consumers_with_expectation(N, 5.0)
    groups = np.full(N, NpsGroup.promoter, dtype=np.int8)
    config = WordOfMouthConfig(promoter_tie_rate=0.2)
    other = spread(consumers, np.empty(0, np.int64), groups, NETWORK, config, np.uint64(3))
    assert not np.array_equal(one.listener[:100], other.listener[:100])


def test_listeners_take_the_mean_experience_they_were_told_about():
    consumers, messages = _spread(NpsGroup.promoter, promoter_tie_rate=0.2)
    consumers.last_experience[:] = np.arange(N, dtype=np.float32)[:, None]
    told = heard_experience(consumers, messages)
    listener = messages.listener[0]
    mean = consumers.last_experience[messages.speaker[messages.listener == listener]].mean(axis=0)
    assert np.allclose(told.level[told.slot[listener]], mean)
    assert (told.slot >= 0).sum() == len(np.unique(messages.listener))
