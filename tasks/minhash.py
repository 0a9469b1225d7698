"""MinHash signatures and LSH band keys of word shingles, vectorised with numpy over a whole batch.

What a newcomer needs to know:
- A shingle is a run of `shingle_size` consecutive words; an article is the *set* of its shingle hashes.
  Articles shorter than one shingle get a single shingle of all their words.
- Word hashes are blake2b (stable across processes and Python versions, unlike `hash()`), because
  signatures are persisted in the dedup index and compared with later runs.
- Signatures use one-permutation hashing with optimal densification (Li, Owen & Zhang 2012; Shrivastava
  2017): each shingle hash is spread over `num_perm` bins and each bin keeps its minimum, so the cost is
  one hash per shingle instead of one per shingle *and* permutation (256 times less work); empty bins
  borrow a non-empty bin's value in a fixed pseudo-random order, which keeps P(bin i agrees) = Jaccard.
- Only the lowest 8 bits of each bin are kept ("b-bit minwise hashing", Li & König 2010): a signature is
  `num_perm` bytes. Two different minima agree on 8 bits with probability 1/256, which
  `estimated_jaccard` corrects for. LSH band keys are taken from these bytes, so the band keys of the
  index and those of a new batch are the same function of the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_U64 = np.uint64
_EMPTY = np.uint32(0xFFFFFFFF)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_FNV_PRIME = _U64(0x100000001B3)
# Densification tries this many pseudo-random bins per empty bin in vectorised rounds; the rare bins still
# empty after that (articles of a handful of shingles) take the next non-empty bin to the right.
_DENSIFY_ROUNDS = 512
_VALUE_BITS = 8
_VALUE_COLLISION = 1.0 / (1 << _VALUE_BITS)


def mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash of 64-bit integers (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = values ^ (values >> _U64(30))
        x = x * _U64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> _U64(27))
        x = x * _U64(0x94D049BB133111EB)
        return x ^ (x >> _U64(31))


# The blake2b digests of words hashed lately in this process, by word: a day's chunks share most of their
# words ("the", names in the news), and a dictionary lookup costs a fifth of a digest. Emptied when it
# reaches the limit (about 120 bytes a word); a digest is the same whether it comes from here or not.
_WORD_DIGESTS_LIMIT = 200_000
_word_digests: dict[bytes, bytes] = {}


def word_hashes(words: pa.Array, separator_bytes: int = 0) -> np.ndarray:
    """Stable 64-bit hash of each word: the first 8 bytes of its blake2b digest, read little-endian.

    `words` is a string array; with `separator_bytes`, each of its strings is a word followed by that many
    bytes that are no part of it (words cut from running text with the space after each). Each distinct
    string is hashed once, from the array's bytes."""
    encoded = words.dictionary_encode()
    distinct = encoded.dictionary
    if len(distinct) == 0:
        return np.zeros(len(words), dtype=_U64)
    _, offsets, data = distinct.buffers()
    offset_type = np.int64 if pa.types.is_large_string(distinct.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=offset_type)[distinct.offset : distinct.offset + len(distinct) + 1]
    text = data.to_pybytes()
    distinct_words = [text[start:end] for start, end in zip(bounds[:-1].tolist(), (bounds[1:] - separator_bytes).tolist())]
    if len(_word_digests) > _WORD_DIGESTS_LIMIT:
        _word_digests.clear()
    digests = b"".join([_word_digests.get(word) or _word_digest(word) for word in distinct_words])
    hashes = np.frombuffer(digests, dtype="<u8").astype(_U64)
    return hashes[encoded.indices.to_numpy(zero_copy_only=False)]


def _word_digest(word: bytes) -> bytes:
    digest = _word_digests[word] = hashlib.blake2b(word, digest_size=8).digest()
    return digest


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: numpy 2's hash-based np.unique is many times slower on integer arrays."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


class ShingleSets:
    """The shingle hashes of many articles, concatenated: article i owns hashes[offsets[i]:offsets[i+1]],
    sorted, repeats included (`of(i)` is its set)."""

    def __init__(self, hashes: np.ndarray, offsets: np.ndarray, first: np.ndarray | None = None) -> None:
        self.hashes, self.offsets = hashes, offsets
        if first is None:
            for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist()):
                hashes[start:end].sort()
            # True at the first occurrence of each distinct value within its article.
            first = np.ones(len(hashes), dtype=bool)
            if len(hashes) > 1:
                first[1:] = hashes[1:] != hashes[:-1]
            first[offsets[:-1][offsets[:-1] < len(hashes)]] = True
        self._first = first
        self._sizes: np.ndarray | None = None

    @classmethod
    def concatenate(cls, parts: list[ShingleSets]) -> ShingleSets:
        if not parts:
            return cls(np.zeros(0, dtype=_U64), np.zeros(1, dtype=np.int64))
        starts = np.cumsum([0] + [len(part.hashes) for part in parts[:-1]])
        offsets = np.concatenate([[0]] + [part.offsets[1:] + start for part, start in zip(parts, starts)])
        hashes = np.concatenate([part.hashes for part in parts])
        return cls(hashes, offsets.astype(np.int64), np.concatenate([part._first for part in parts]))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def of(self, index: int) -> np.ndarray:
        start, end = self.offsets[index], self.offsets[index + 1]
        return self.hashes[start:end][self._first[start:end]]

    def of_many(self, indexes: list[int]) -> list[np.ndarray]:
        """[of(index) for index in indexes], for indexes in increasing order."""
        return [self.of(index) for index in indexes]

    def sizes(self) -> np.ndarray:
        """Distinct shingles per article (counted once: a pass over all the day's shingles)."""
        if self._sizes is None:
            counts = np.concatenate(([0], np.cumsum(self._first, dtype=np.int64)))
            self._sizes = counts[self.offsets[1:]] - counts[self.offsets[:-1]]
        return self._sizes


    def spill(self, path: Path) -> SpilledShingleSets:
        """Write each article's set (distinct hashes, sorted) to `path`; the returned sets read from it."""
        distinct = self.hashes[self._first]
        path.parent.mkdir(parents=True, exist_ok=True)
        distinct.tofile(path)
        sizes = self.sizes()
        return SpilledShingleSets([str(path)], np.zeros(len(sizes), dtype=np.int32), np.cumsum(sizes) - sizes, sizes)


# SpilledShingleSets.of_many reads through gaps of up to this many shingles between two sets it is asked for
# (an article's worth: what it reads is at most about twice what it was asked for).
_READ_THROUGH_GAP = 512


class SpilledShingleSets:
    """Shingle sets kept on disk: the same `of(i)` and `sizes()` as ShingleSets, reading only the set asked
    for. A day's shingles take ~8 bytes per word; dedup verifies a few pairs per article, so they need not
    all be in memory at once."""

    def __init__(self, paths: list[str], part: np.ndarray, start: np.ndarray, size: np.ndarray) -> None:
        self.paths, self.part, self.start, self.size = paths, part, start.astype(np.int64), size.astype(np.int64)
        self._files: dict[int, int] = {}  # part -> open file descriptor, opened on first read

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_files": {}}  # descriptors belong to the process that opened them

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        for descriptor in self._files.values():
            os.close(descriptor)
        self._files.clear()

    @classmethod
    def concatenate(cls, parts: list[SpilledShingleSets]) -> SpilledShingleSets:
        paths = [path for part in parts for path in part.paths]
        first_path = np.cumsum([0] + [len(part.paths) for part in parts[:-1]])
        return cls(
            paths,
            np.concatenate([part.part + base for part, base in zip(parts, first_path)] or [np.zeros(0, np.int32)]),
            np.concatenate([part.start for part in parts] or [np.zeros(0, np.int64)]),
            np.concatenate([part.size for part in parts] or [np.zeros(0, np.int64)]),
        )

    def __len__(self) -> int:
        return len(self.size)

    def of(self, index: int) -> np.ndarray:
        size = int(self.size[index])
        data = os.pread(self._file(int(self.part[index])), 8 * size, 8 * int(self.start[index]))
        return np.frombuffer(data, dtype=_U64, count=size)

    def of_many(self, indexes: list[int]) -> list[np.ndarray]:
        """[of(index) for index in indexes], for indexes in increasing order: sets that lie close together
        in their file are read in one call (the calls, not the bytes, were most of the reading)."""
        chosen = np.asarray(indexes, dtype=np.int64)
        part, start, size = self.part[chosen], self.start[chosen], self.size[chosen]
        new_read = np.ones(len(chosen), dtype=bool)
        gap = start[1:] - (start[:-1] + size[:-1])
        new_read[1:] = (part[1:] != part[:-1]) | (gap < 0) | (gap > _READ_THROUGH_GAP)
        reads = np.flatnonzero(new_read).tolist() + [len(chosen)]
        sets: list[np.ndarray] = []
        for first, stop in zip(reads[:-1], reads[1:]):
            begin, end = int(start[first]), int(start[stop - 1] + size[stop - 1])
            data = os.pread(self._file(int(part[first])), 8 * (end - begin), 8 * begin)
            values = np.frombuffer(data, dtype=_U64, count=end - begin)
            sets.extend(values[at : at + length] for at, length in zip((start[first:stop] - begin).tolist(), size[first:stop].tolist()))
        return sets

    def _file(self, part: int) -> int:
        if part not in self._files:
            self._files[part] = os.open(self.paths[part], os.O_RDONLY)
        return self._files[part]

    def sizes(self) -> np.ndarray:
        return self.size


def shingle_sets(texts: Sequence[str], shingle_size: int) -> ShingleSets:
    """Hash every run of `shingle_size` consecutive words of each text. Texts must be normalised: words
    separated by single spaces, no leading or trailing space (see tasks.fingerprint.normalise_for_hash)."""
    words = pc.split_pattern(pa.array(texts, type=pa.string()), " ")
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(words)
    # "" splits into one empty word; an empty text has no words.
    empty_text = np.fromiter((not text for text in texts), dtype=bool, count=len(texts))
    lengths[empty_text] = 0
    return shingle_sets_of_word_hashes(word_hashes(flat.filter(pc.not_equal(flat, ""))), lengths, shingle_size)


def shingle_sets_of_word_hashes(tokens: np.ndarray, words_per_text: np.ndarray, shingle_size: int) -> ShingleSets:
    """shingle_sets of texts given as the hashes of their words (word_hashes), all texts' words in one
    array: text i owns the next words_per_text[i] of them."""
    lengths = np.asarray(words_per_text, dtype=np.int64)
    total = len(tokens)
    counts = np.where(lengths > 0, np.maximum(lengths - shingle_size + 1, 1), 0)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    text_ends = np.cumsum(lengths)
    text_starts = text_ends - lengths
    short = np.flatnonzero((lengths > 0) & (lengths < shingle_size))  # one shingle of all their words
    # The shingle of the `shingle_size` words from each word on, for all words at once (those that run
    # past the end of their text are dropped below), and that of each short text's words.
    hashes = tokens[: max(total - shingle_size + 1, 0)]
    short_first, short_hashes = text_starts[short], tokens[text_starts[short]]
    with np.errstate(over="ignore"):
        for step in range(1, shingle_size):
            hashes = _next_word(hashes, tokens[step : step + len(hashes)])
            following = tokens[np.minimum(short_first + step, total - 1)]
            short_hashes = np.where(step < lengths[short], _next_word(short_hashes, following), short_hashes)
    # A long text's shingles start at its words but the last shingle_size - 1.
    runs_past_the_end = np.zeros(total, dtype=bool)
    for back in range(1, shingle_size):
        runs_past_the_end[(text_ends - back)[lengths >= back]] = True
    shingles = np.empty(offsets[-1], dtype=_U64)
    of_long_texts = np.ones(len(shingles), dtype=bool)
    of_long_texts[offsets[short]] = False
    shingles[of_long_texts] = hashes[~runs_past_the_end[: len(hashes)]]
    shingles[offsets[short]] = short_hashes
    return ShingleSets(mix64(shingles), offsets)


def _next_word(hashes: np.ndarray, following: np.ndarray) -> np.ndarray:
    """A shingle's hash with the hash of its next word folded in."""
    return ((hashes << _U64(27)) | (hashes >> _U64(37))) * _GOLDEN ^ following


@dataclass(frozen=True)
class Signatures:
    values: np.ndarray  # uint8, shape (n_articles, num_perm)
    has_shingles: np.ndarray  # bool, shape (n_articles,): False for articles without a word


def signatures(shingles: ShingleSets, num_perm: int, seed: int) -> Signatures:
    n_articles = len(shingles)
    seeded = mix64(shingles.hashes ^ mix64(np.array([seed], dtype=_U64)))
    # High 32 bits choose the bin (multiply-shift range reduction), low 32 bits are the value.
    bins = ((seeded >> _U64(32)) * _U64(num_perm)) >> _U64(32)
    values = (seeded & _U64(0xFFFFFFFF)).astype(np.uint32)
    article = np.repeat(np.arange(n_articles, dtype=np.int64), np.diff(shingles.offsets))
    minima = np.full(n_articles * num_perm, _EMPTY, dtype=np.uint32)
    np.minimum.at(minima, article * num_perm + bins.astype(np.int64), values)
    minima = minima.reshape(n_articles, num_perm)
    has_shingles = np.diff(shingles.offsets) > 0
    _densify(minima, has_shingles, seed)
    return Signatures((minima & np.uint32((1 << _VALUE_BITS) - 1)).astype(np.uint8), has_shingles)


def _densify(minima: np.ndarray, has_shingles: np.ndarray, seed: int) -> None:
    """Fill each empty bin j, in place, from the first non-empty bin of a pseudo-random sequence that
    depends only on (seed, j, attempt), so two articles borrow from the same bins."""
    num_perm = minima.shape[1]
    original = minima.copy()
    non_empty = original != _EMPTY
    rows, columns = np.nonzero(~non_empty & has_shingles[:, None])
    bin_ids = np.arange(num_perm, dtype=_U64)
    for attempt in range(1, _DENSIFY_ROUNDS + 1):
        if len(rows) == 0:
            return
        key = mix64(bin_ids * _U64(0x10001) + _U64(attempt) + (_U64(seed) << _U64(32)))
        targets = ((key >> _U64(32)) * _U64(num_perm) >> _U64(32)).astype(np.int64)
        source = targets[columns]
        found = non_empty[rows, source]
        minima[rows[found], columns[found]] = original[rows[found], source[found]]
        rows, columns = rows[~found], columns[~found]
    for row, column in zip(rows.tolist(), columns.tolist()):
        source = next(c % num_perm for c in range(column + 1, column + num_perm + 1) if non_empty[row, c % num_perm])
        minima[row, column] = original[row, source]


def band_key(values: np.ndarray, band: int, rows: int) -> np.ndarray:
    """band_keys(values, ...)[:, band] alone, for callers that go band by band."""
    keys = np.full(len(values), band + 1, dtype=_U64)
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = (keys ^ values[:, band * rows + row].astype(_U64)) * _FNV_PRIME
    return mix64(keys)


def band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64 key per (article, band): a hash of the band's `rows` signature bytes and its number."""
    per_band = values[:, : bands * rows].reshape(len(values), bands, rows).astype(_U64)
    keys = np.broadcast_to(np.arange(bands, dtype=_U64) + _U64(1), per_band.shape[:2]).copy()
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = (keys ^ per_band[:, :, row]) * _FNV_PRIME
    return mix64(keys)


def estimated_jaccard(values_a: np.ndarray, values_b: np.ndarray) -> np.ndarray:
    """Jaccard similarity estimated from 8-bit signatures (rows of the same shape), corrected for the
    1/256 chance that two different minima agree on their low 8 bits."""
    return jaccard_of_agreements(agreements(values_a, values_b), values_a.shape[-1])


def agreements(values_a: np.ndarray, values_b: np.ndarray) -> np.ndarray:
    """How many values of two signatures (rows of the same shape) are equal."""
    return np.count_nonzero(values_a == values_b, axis=-1)


def jaccard_of_agreements(agree: np.ndarray, num_perm: int) -> np.ndarray:
    """estimated_jaccard of signatures of num_perm values that agree on `agree` of them."""
    share = np.asarray(agree, dtype=np.float64) / num_perm
    return np.clip((share - _VALUE_COLLISION) / (1 - _VALUE_COLLISION), 0.0, 1.0)


def jaccard_upper_bound(estimate: np.ndarray, num_perm: int, sigmas: float) -> np.ndarray:
    """A Jaccard similarity the true one lies below unless the estimate (estimated_jaccard of `num_perm`
    8-bit values) erred by more than `sigmas` standard deviations: the J with J = estimate + sigmas * sd(J),
    found by fixed-point steps. The estimate's spread depends on J (sd = sqrt(p (1 - p) / num_perm) / (1 - c)
    with p = J + (1 - J) c the chance that two values agree): ~0.014 near J = 0.05, 0.031 at 0.5, the most.
    A bound with the largest sd everywhere lets through far more of the unrelated pairs a shared paragraph
    proposes; sd is taken at no more than 0.5, so above it the bound only errs on the high side."""
    estimate = np.asarray(estimate, dtype=np.float64)
    high = estimate
    for _ in range(12):  # rising to the bound from below, fast: from an estimate of 0, 12 steps leave < 0.0001
        agree = np.minimum(high, 0.5) * (1 - _VALUE_COLLISION) + _VALUE_COLLISION
        high = estimate + sigmas * np.sqrt(agree * (1 - agree) / num_perm) / (1 - _VALUE_COLLISION)
    return high


def estimated_containment(jaccard: np.ndarray | float, size_a, size_b) -> np.ndarray:
    """Share of a's shingles found in b, from their Jaccard similarity and set sizes:
    |a ∩ b| = J (|a| + |b|) / (1 + J)."""
    jaccard = np.asarray(jaccard, dtype=np.float64)
    size_a = np.maximum(np.asarray(size_a, dtype=np.float64), 1)
    return np.clip(jaccard * (size_a + np.asarray(size_b, dtype=np.float64)) / ((1 + jaccard) * size_a), 0.0, 1.0)


def pair_pieces_sharing_a_key(keys: np.ndarray, owners: np.ndarray, neighbours: int) -> Iterator[np.ndarray]:
    """Pairs of owners ((n, 2) int64 arrays, unordered, with repeats) whose rows share a key, in pieces of
    at most len(keys) pairs, so that a caller can screen them as they come.

    In a bucket of equal keys, each row is paired with the bucket's first row (rows come in survivor-rule
    order, so that is the likely survivor) and with the next `neighbours` rows: all pairs of a small
    bucket, a linear number in the large bucket of a story copied many times."""
    if len(keys) < 2:
        return
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_owners = keys[order], owners[order].astype(np.int64)
    starts_bucket = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    bucket_first = np.maximum.accumulate(np.where(starts_bucket, np.arange(len(keys)), 0))
    yield np.stack([sorted_owners[bucket_first[~starts_bucket]], sorted_owners[~starts_bucket]], axis=1)
    for step in range(1, neighbours + 1):
        same = np.nonzero(sorted_keys[step:] == sorted_keys[:-step])[0]
        yield np.stack([sorted_owners[same], sorted_owners[same + step]], axis=1)


def matches_in(keys: np.ndarray, index_keys: np.ndarray, per_key: int) -> np.ndarray:
    """Distinct pairs (i, h) where row i of `keys` shares a key with row h of `index_keys` in the same
    column, at most `per_key` index rows per key (the first ones, in index row order)."""
    if len(keys) == 0 or len(index_keys) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    found: list[np.ndarray] = []
    for column in range(keys.shape[1]):
        order = np.argsort(index_keys[:, column], kind="stable")
        sorted_keys = index_keys[order, column]
        first = np.searchsorted(sorted_keys, keys[:, column], side="left")
        last = np.searchsorted(sorted_keys, keys[:, column], side="right")
        for offset in range(per_key):
            hit = np.nonzero(first + offset < last)[0]
            found.append(np.stack([hit, order[first[hit] + offset]], axis=1))
    return unique_pairs(np.concatenate(found), max(len(index_keys), len(keys)), symmetric=False)


def unique_pairs(pairs: np.ndarray, bound: int, symmetric: bool = True) -> np.ndarray:
    """Distinct rows of an (n, 2) array of non-negative ints below `bound`; if `symmetric`, as (low, high)
    without self-pairs. Encoded as one int64 each because np.unique(axis=0) is slow."""
    pairs = pairs.astype(np.int64)
    if symmetric:
        pairs = np.sort(pairs, axis=1)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    codes = sorted_unique(pairs[:, 0] * bound + pairs[:, 1])
    return np.stack([codes // bound, codes % bound], axis=1)


def pair_shared_counts(sets: ShingleSets | SpilledShingleSets, pairs: np.ndarray) -> np.ndarray:
    """|set a ∩ set b| for each pair (a, b) of articles, in any order.

    Each pair is turned to put first the article with more pairs (its set is then compared with all its
    partners' in one vectorised pass: a pair at a time, the calls cost more than the comparing, and in a
    cluster of copies or among the teasers of a story, a few articles have most of the pairs). The pairs
    go by first article, in groups whose articles hold at most _COUNT_GROUP_SHINGLES shingles together: a
    group reads each article's set once (read again for every pair, the sets of a large cluster of copies
    took a third of the time)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    common = np.zeros(len(pairs), dtype=np.int64)
    pair_count = np.bincount(pairs.ravel())
    turned = pair_count[pairs[:, 1]] > pair_count[pairs[:, 0]]
    pairs = np.where(turned[:, None], pairs[:, ::-1], pairs)
    by_first = np.argsort(pairs[:, 0], kind="stable")
    for group in _count_groups(pairs[by_first], sets.sizes()):
        common[by_first[group]] = _group_shared_counts(sets, pairs[by_first[group]])
    return common


# Shingles held at once by pair_shared_counts (8 bytes each).
_COUNT_GROUP_SHINGLES = 1 << 22
# Pairs whose new articles _count_groups adds up at once.
_COUNT_GROUP_STEP = 2_000


def _count_groups(pairs: np.ndarray, sizes: np.ndarray) -> Iterator[slice]:
    """Consecutive runs of `pairs` whose distinct articles hold at most _COUNT_GROUP_SHINGLES shingles (or
    one step of _COUNT_GROUP_STEP pairs, whatever it holds)."""
    seen = np.zeros(len(sizes), dtype=bool)
    start, held = 0, 0
    for step in range(0, len(pairs), _COUNT_GROUP_STEP):
        articles = sorted_unique(pairs[step : step + _COUNT_GROUP_STEP].ravel())
        new = articles[~seen[articles]]
        added = int(sizes[new].sum())
        if held and held + added > _COUNT_GROUP_SHINGLES:
            yield slice(start, step)
            seen[:] = False
            start, held = step, 0
            new, added = articles, int(sizes[articles].sum())
        seen[new] = True
        held += added
    if start < len(pairs):
        yield slice(start, len(pairs))


def _group_shared_counts(sets: ShingleSets | SpilledShingleSets, pairs: np.ndarray) -> np.ndarray:
    """pair_shared_counts of one group of pairs, sorted by first article."""
    articles = sorted_unique(pairs.ravel()).tolist()
    set_of = dict(zip(articles, sets.of_many(articles)))
    common = np.zeros(len(pairs), dtype=np.int64)
    firsts, starts = np.unique(pairs[:, 0], return_index=True)
    ends = np.append(starts[1:], len(pairs))
    for a, start, end in zip(firsts.tolist(), starts.tolist(), ends.tolist()):
        common[start:end] = shared_counts(set_of[a], [set_of[b] for b in pairs[start:end, 1].tolist()])
    return common


def shared_counts(set_a: np.ndarray, sets_b: list[np.ndarray]) -> np.ndarray:
    """|set_a ∩ set_b| for each of sets_b (sorted unique hash arrays), in one vectorised pass."""
    sizes = np.array([len(set_b) for set_b in sets_b], dtype=np.int64)
    if len(set_a) == 0 or not sizes.sum():
        return np.zeros(len(sets_b), dtype=np.int64)
    values = np.concatenate(sets_b)
    found = np.minimum(np.searchsorted(set_a, values), len(set_a) - 1)
    hits = np.concatenate(([0], np.cumsum(set_a[found] == values)))
    ends = np.cumsum(sizes)
    return hits[ends] - hits[ends - sizes]


def similarity_from_counts(size_a, size_b, common) -> tuple:
    """(Jaccard, share of a in b, share of b in a) of sets of these sizes sharing `common` values: floats
    for ints, float64 arrays for int arrays (the same values: both divide in IEEE double precision)."""
    if np.ndim(common) == 0:
        union = size_a + size_b - common
        return (common / union if union else 1.0, common / max(size_a, 1), common / max(size_b, 1))
    size_a, size_b, common = (np.asarray(values, dtype=np.int64) for values in (size_a, size_b, common))
    union = size_a + size_b - common
    jaccard = np.where(union > 0, common / np.maximum(union, 1), 1.0)
    return jaccard, common / np.maximum(size_a, 1), common / np.maximum(size_b, 1)


def jaccard_and_containment(set_a: np.ndarray, set_b: np.ndarray) -> tuple[float, float, float]:
    """(Jaccard, share of a in b, share of b in a) of two sorted unique hash arrays."""
    common = 0
    if len(set_a) and len(set_b):
        found = np.minimum(np.searchsorted(set_b, set_a), len(set_b) - 1)
        common = int(np.count_nonzero(set_b[found] == set_a))
    return similarity_from_counts(len(set_a), len(set_b), common)
