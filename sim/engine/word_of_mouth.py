"""Word of mouth over the network of consumers (docs/ODD.md 7.4).

Promoters and detractors tell network neighbours about their provider after
an encounter; an unhappy customer reaches 8-10 others (the satisfaction
article), a happy one far fewer. Messages move listeners' attitudes,
expectations and choices. The network itself is built in sim/engine/network.py.

Telling is drawn tie by tie, but only the ties that carry a message cost
work: the gaps between them are geometric (a Bernoulli process), one draw
per message, counter-based (sim/engine/draws.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import get_num_threads, njit, prange

from sim.codes import N_DIMS, PROSPECT, NpsGroup
from sim.config import WordOfMouthConfig
from sim.engine.draws import log_miss, next_success, uniform
from sim.engine.population import Consumers
from sim.engine.prefetch import prefetch

PROMOTER, DETRACTOR = int(NpsGroup.promoter), int(NpsGroup.detractor)


@dataclass
class Messages:
    """Who heard what this week, reduced to what the mechanisms need."""

    speaker: np.ndarray  # one entry per message: who told it
    listener: np.ndarray  # one entry per message: who heard it
    about: np.ndarray  # provider the message is about, per message
    valence: np.ndarray  # +1 praise, -1 complaint, per message
    to_prospect: np.ndarray  # per message: its listener has no provider
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
    key: np.uint64,
    ties: np.ndarray | None = None,
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
    `ties` (one int32 per tie, reused week after week) holds who heard whom
    while the week's draws are made; without it one is allocated.
    """
    n = consumers.n
    is_unhappy = np.zeros(n, dtype=np.bool_)
    is_unhappy[unhappy] = True
    rates = [
        config.promoter_tie_rate,
        config.detractor_tie_rate,
        config.unhappy_tie_probability,
        0.0,  # SILENT
    ]
    misses = np.array([log_miss(p) for p in rates])
    told = np.empty(n, dtype=np.int32)
    if ties is None:
        ties = np.empty(len(network.indices), dtype=np.int32)
    told_by_chunk = np.empty(CHUNKS, dtype=np.int64)
    _tell(
        consumers.provider,
        nps_group,
        is_unhappy,
        misses,
        network.indptr,
        network.indices,
        key,
        told,
        ties,
        told_by_chunk,
    )
    n_messages = told_by_chunk.sum()
    messages = Messages(
        speaker=np.empty(n_messages, dtype=np.int32),
        listener=np.empty(n_messages, dtype=np.int32),
        about=np.empty(n_messages, dtype=consumers.provider.dtype),
        valence=np.empty(n_messages, dtype=np.int8),
        to_prospect=np.empty(n_messages, dtype=np.bool_),
        unhappy_talkers=int((consumers.provider[unhappy] != PROSPECT).sum()),
        unhappy_told=int(told[unhappy].sum()),
    )
    _gather(
        network.indptr,
        ties,
        told,
        told_by_chunk,
        consumers.provider,
        nps_group,
        is_unhappy,
        messages.speaker,
        messages.listener,
        messages.about,
        messages.valence,
        messages.to_prospect,
    )
    return messages


@njit(cache=True, inline="always")
def _speaker(i, provider, nps_group, is_unhappy) -> int:
    """Which tie probability consumer i tells with: 0 a promoter's, 1 a
    detractor's, 2 an unhappy customer's; SILENT none."""
    # chosen, not branched: which it is goes either way from one consumer to
    # the next (`_tell` 21.4 -> 19.4 ms at 1,000,000, one thread)
    group = nps_group[i]
    kind = 0 if group == PROMOTER else SILENT
    kind = 1 if group == DETRACTOR else kind
    kind = 2 if is_unhappy[i] else kind
    return kind if provider[i] != PROSPECT else SILENT


SILENT = 3
"""`_speaker`'s kind for a consumer who tells no one: a tie probability of 0."""


SHORT_ROWS = 64
"""Degrees up to which (1 - p)^degree is tabled."""


AHEAD = 64
"""Consumers ahead whose ties `_tell` asks the processor to fetch."""

CHUNKS = 64
"""Parts of the market that draw their word of mouth apart: a fixed split,
so who hears what does not depend on the number of threads."""


@njit(cache=True, parallel=True)
def _tell(provider, nps_group, is_unhappy, misses, indptr, indices, key, told, ties, told_by_chunk):
    """Per consumer, how many neighbours they tell (`told`); who heard, in
    order, from the start of each chunk's part of `ties` (a consumer tells
    at most their degree), and how many per chunk (`told_by_chunk`)."""
    silence = np.exp(np.outer(misses, np.arange(SHORT_ROWS + 1)))  # (1 - p)^degree
    n = len(provider)
    size = (n + CHUNKS - 1) // CHUNKS
    for chunk in prange(CHUNKS):
        first, last, heard = min(n, chunk * size), min(n, (chunk + 1) * size), 0
        may_tell = np.empty(BLOCK, dtype=np.bool_)
        for start in range(first, last, BLOCK):
            stop = min(last, start + BLOCK)
            _may_tell(
                provider[start:stop],
                nps_group[start:stop],
                is_unhappy[start:stop],
                indptr[start : stop + 1],
                start,
                silence,
                key,
                may_tell,
            )
            for i in range(start, stop):
                count = 0
                if i + AHEAD < n:  # the ties this loop may read soon
                    prefetch(indices, indptr[i + AHEAD])
                if may_tell[i - start]:
                    kind = _speaker(i, provider, nps_group, is_unhappy)
                    row = indptr[i]
                    degree = indptr[i + 1] - row
                    counter = row + i  # a consumer draws at most degree + 1 times
                    miss = misses[kind]
                    none = silence[kind, degree] if degree <= SHORT_ROWS else np.exp(miss * degree)
                    if 1.0 - uniform(key, counter) > none:  # decided again: long rows
                        position = next_success(key, counter, -1, miss)
                        while position < degree:
                            ties[indptr[first] + heard] = indices[row + position]
                            heard += 1
                            count += 1
                            position = next_success(key, counter + count, position, miss)
                told[i] = count
        told_by_chunk[chunk] = heard


BLOCK = 512
"""Consumers `_tell` sorts at a time into those who tell no one and the others."""


@njit(cache=True, inline="always")
def _may_tell(provider, nps_group, is_unhappy, indptr, start, silence, key, out):
    """Whether each consumer of a block (the slices from `start`) may tell
    anyone. Most tell no one (the SILENT never: (1 - p)^degree = 1): the
    first gap reaches past the last tie when 1 - u <= (1 - p)^degree, which
    needs no logarithm. In a loop over slices from 0, which the compiler
    vectorises (`_tell` 10.0 -> 8.7 ms at 1,000,000 on two threads); rows
    longer than SHORT_ROWS are left to `_tell` to decide."""
    for j in range(len(provider)):
        kind = _speaker(j, provider, nps_group, is_unhappy)
        degree = indptr[j + 1] - indptr[j]
        none = silence[kind, min(degree, SHORT_ROWS)]
        out[j] = (1.0 - uniform(key, indptr[j] + start + j) > none) | (degree > SHORT_ROWS)


@njit(cache=True, parallel=True)
def _gather(
    indptr,
    ties,
    told,
    told_by_chunk,
    provider,
    nps_group,
    is_unhappy,
    speaker,
    listener,
    about,
    valence,
    to_prospect,
):
    """The week's messages, chunk after chunk, speaker after speaker: who
    heard them (out of `ties`), who told them, about which firm, whether
    they praise (+1) or warn (-1), and whether the listener has no provider."""
    n = len(told)
    size = (n + CHUNKS - 1) // CHUNKS
    offsets = np.cumsum(told_by_chunk) - told_by_chunk
    for chunk in prange(CHUNKS):
        first = min(n, chunk * size)
        start, out = indptr[first], offsets[chunk]
        for i in range(first, min(n, first + size)):
            if told[i] == 0:
                continue
            # a promoter praises; a detractor or an unhappy customer warns
            tone = 1 if _speaker(i, provider, nps_group, is_unhappy) == 0 else -1
            for _ in range(told[i]):
                heard = ties[start + out - offsets[chunk]]
                listener[out] = heard
                to_prospect[out] = provider[heard] == PROSPECT
                speaker[out] = i
                about[out] = provider[i]
                valence[out] = tone
                out += 1


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
    warnings = np.zeros(consumers.n, dtype=np.int32)
    praise_elsewhere = np.zeros(consumers.n, dtype=np.int32)
    _listen(
        messages.listener,
        messages.about,
        messages.valence,
        consumers.provider,
        consumers.attitude,
        config.attitude_influence,
        warnings,
        praise_elsewhere,
        get_num_threads(),
    )
    return warnings, praise_elsewhere


@njit(cache=True, parallel=True)
def _listen(
    listener, about, valence, provider, attitude, influence, warnings, praise_elsewhere, parts
):
    # each of `parts` threads takes the listeners of its own range of
    # consumers, in the order of the messages: the same sums whatever the
    # number of threads
    size = (len(provider) + parts - 1) // parts
    for part in prange(parts):
        low, high = part * size, (part + 1) * size
        for m in range(len(listener)):
            if m + AHEAD < len(listener):  # listeners are scattered: fetch ahead
                # (3.0 -> 2.1 ms at 1,000,000 on two threads)
                ahead = np.int64(listener[m + AHEAD])
                prefetch(provider, ahead)
                prefetch(attitude, ahead)
            i = listener[m]
            if i < low or i >= high:
                continue
            own = provider[i]
            if own == PROSPECT:
                continue
            if own == about[m]:
                attitude[i] += influence * valence[m]
                warnings[i] += valence[m] < 0
            else:
                praise_elsewhere[i] += valence[m] > 0
        for m in range(len(listener)):  # the week's net message, then the scale's bounds
            i = listener[m]
            if low <= i < high:
                attitude[i] = min(max(attitude[i], -1.0), 1.0)


@dataclass
class Heard:
    """What prospects heard this week: one entry per message to a prospect."""

    listener: np.ndarray
    about: np.ndarray  # the firm it was about
    valence: np.ndarray  # +1 a referral, -1 a warning

    def counts(self, prospects: np.ndarray, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
        """(prospects, firms) counts of the referrals and of the warnings each
        of `prospects` heard about each firm."""
        praise = np.zeros((len(prospects), n_firms), dtype=np.int64)
        warned = np.zeros((len(prospects), n_firms), dtype=np.int64)
        _count_heard(prospects, self.listener, self.about, self.valence, praise, warned)
        return praise, warned


@njit(cache=True)
def _count_heard(prospects, listener, about, valence, praise, warned):
    if not len(prospects) or not len(listener):
        return
    # a sparse set: row[i] is i's row only if prospects[row[i]] == i, so the
    # map (a consumer-sized array) is never cleared, only written where it is read
    row = np.empty(max(prospects.max(), listener.max()) + 1, dtype=np.int32)
    for r in range(len(prospects)):
        row[prospects[r]] = r
    for m in range(len(listener)):
        r = row[listener[m]]
        if 0 <= r < len(prospects) and prospects[r] == listener[m]:
            if valence[m] > 0:
                praise[r, about[m]] += 1
            else:
                warned[r, about[m]] += 1


def referrals(messages: Messages) -> Heard:
    """The praise (referrals) and warnings that reached prospects."""
    to_prospect = np.flatnonzero(messages.to_prospect)
    return Heard(
        messages.listener[to_prospect], messages.about[to_prospect], messages.valence[to_prospect]
    )


@dataclass
class Told:
    """The experience each listener was told about this week, on average."""

    slot: np.ndarray  # per consumer: row of `level`, -1 if they heard nothing
    level: np.ndarray  # (listeners, 6) mean experience told


def heard_experience(consumers: Consumers, messages: Messages) -> Told:
    """Listeners, and the mean experience they were told about (an expectation source)."""
    slot = np.full(consumers.n, -1, dtype=np.int32)
    count = _first_seen(messages.listener, slot)
    level = np.zeros((count, N_DIMS), dtype=np.float32)
    experience, threads = consumers.last_experience, get_num_threads()
    _tell_levels(messages.listener, messages.speaker, slot, experience, level, threads)
    return Told(slot, level)


@njit(cache=True)
def _first_seen(listener, slot) -> int:
    count = 0
    for m in range(len(listener)):
        if slot[listener[m]] < 0:
            slot[listener[m]] = count
            count += 1
    return count


@njit(cache=True, parallel=True)
def _tell_levels(listener, speaker, slot, last_experience, level, parts):
    # as in _listen: each thread sums for the listeners of its own range
    heard = np.zeros(len(level), dtype=np.int32)
    size = (len(slot) + parts - 1) // parts
    for part in prange(parts):
        low, high = part * size, (part + 1) * size
        for m in range(len(listener)):
            i = listener[m]
            if i < low or i >= high:
                continue
            row = slot[i]
            heard[row] += 1
            for d in range(level.shape[1]):
                level[row, d] += last_experience[speaker[m], d]
    for row in prange(len(level)):
        for d in range(level.shape[1]):
            level[row, d] /= heard[row]
