"""The repeated-block cut: a block of lines that repeats, line for line, a whole article found elsewhere in
the batch is cut out of the block it sits in and becomes an article of its own.

It needs every block of the day, while the text is read chunk by chunk (tasks/partition.py), so it works
on outlines: an 8-byte hash of each non-blank line and its raw line number, packed for many blocks at once
(BlockOutlines). A day of 250,000 blocks held as one object per block took ~375 bytes per block on top of
its 12 bytes per line; packed, a block costs its source file's list slot and one offset.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tasks.records import RawLine
from tasks.sorted_arrays import is_in_sorted

KEY_BYTES = 8

# source_file -> the (first, last) raw line of each article cut from its plain-text blocks, in order; only
# for the files whose blocks the repeated-block cut cuts (few): in any other file each block is an article.
ArticleSpans = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class BlockOutlines:
    """Blocks of lines without their text, one after another.

    Block i is lines ends[i - 1] to ends[i] (0 for i = 0) of `line_nos` (raw line numbers of its non-blank
    lines) and of `keys` (an 8-byte hash of each of them, stripped: what "line for line" compares).
    """

    source_files: list[str]  # of each block
    ends: array  # int64 ("q"): where each block's lines end
    line_nos: array  # int32 ("i"): 4 bytes a line
    keys: bytes | bytearray  # 8 bytes a line

    def __len__(self) -> int:
        return len(self.source_files)

    def start(self, block: int) -> int:
        return self.ends[block - 1] if block else 0

    def key_run(self, line: int, length: int) -> bytes:
        """The keys of `length` lines from line `line` (counted over all blocks)."""
        return bytes(memoryview(self.keys)[KEY_BYTES * line : KEY_BYTES * (line + length)])

    @staticmethod
    def concatenate(parts: Iterable[BlockOutlines]) -> BlockOutlines:
        """The parts one after another, read in one pass: when `parts` lets go of each part once it has
        given it (as the plan's does), a large day's outlines are not held twice."""
        files, ends, line_nos, keys = [], array("q"), array("i"), bytearray()
        for part in parts:
            offset = len(line_nos)
            files.extend(part.source_files)
            ends.extend(end + offset for end in part.ends)
            line_nos.extend(part.line_nos)
            keys += part.keys
        return BlockOutlines(files, ends, line_nos, keys)


def outline_blocks(blocks: Iterable[tuple[str, Sequence[RawLine]]]) -> BlockOutlines:
    """The outlines of (source_file, lines) blocks."""
    files, ends, line_nos, keys = [], array("q"), array("i"), []
    for source_file, lines in blocks:
        non_blank = [line for line in lines if not line.is_blank]
        files.append(source_file)
        line_nos.extend(line.line_no for line in non_blank)
        keys.extend(_line_key(line.text) for line in non_blank)
        ends.append(len(line_nos))
    return BlockOutlines(files, ends, line_nos, b"".join(keys))


def _line_key(text: str) -> bytes:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=KEY_BYTES).digest()


# A piece of a block: (first line, number of lines), counted over all blocks of a BlockOutlines.
Piece = tuple[int, int]


def plan_article_spans(outlines: BlockOutlines, min_lines: int) -> ArticleSpans:
    """Where the articles of the files the repeated-block cut cuts begin and end."""
    cut = _cut_repeated_blocks(outlines, min_lines)
    cut_files = {outlines.source_files[block] for block in cut}
    spans: ArticleSpans = {}
    for block, source_file in enumerate(outlines.source_files):
        if source_file not in cut_files:
            continue
        pieces = cut.get(block) or [(outlines.start(block), outlines.ends[block] - outlines.start(block))]
        spans.setdefault(source_file, []).extend(
            (outlines.line_nos[first], outlines.line_nos[first + length - 1]) for first, length in pieces
        )
    for file_spans in spans.values():
        file_spans.sort()
    return spans


def _cut_repeated_blocks(outlines: BlockOutlines, min_lines: int) -> dict[int, list[Piece]]:
    """Cut every block that contains, line for line, a whole shorter block of the batch: the pieces of each
    block that is cut.

    Each pass cuts every piece at its first embedded article; passes repeat until nothing changes, so a
    block holding several known articles is cut at each. Identical blocks (a story syndicated a thousand
    times) are one candidate, and a pass reads each line once, so the cost grows with the batch, not
    with its square. The result does not depend on the order of the files.
    """
    cut: dict[int, list[Piece]] = {}
    runs = _RunHashes(np.frombuffer(outlines.keys, dtype=np.uint64), min_lines)
    while True:
        blocks, firsts, lengths = _piece_arrays(outlines, cut)
        hosts, heads = _possible_hosts(runs, firsts, lengths, min_lines)
        candidates = _candidates(outlines, runs, firsts, lengths, heads, min_lines)
        new_pieces: dict[int, dict[Piece, list[Piece]]] = {}
        for host in hosts.tolist():
            first, length = int(firsts[host]), int(lengths[host])
            embedded = _first_embedded(outlines, first, length, candidates, min_lines)
            if embedded is not None:
                new_pieces.setdefault(int(blocks[host]), {})[(first, length)] = _cut_piece(first, length, *embedded)
        if not new_pieces:
            return cut
        for block, replaced in new_pieces.items():
            cut[block] = [new for piece in _pieces(outlines, cut, block) for new in replaced.get(piece, [piece])]


def _pieces(outlines: BlockOutlines, cut: dict[int, list[Piece]], block: int) -> list[Piece]:
    if block in cut:
        return cut[block]
    start = outlines.start(block)
    return [(start, outlines.ends[block] - start)]


def _piece_arrays(outlines: BlockOutlines, cut: dict[int, list[Piece]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The block, first line and length of every piece (the blocks not cut, then the pieces of cut ones)."""
    ends = np.frombuffer(outlines.ends, dtype=np.int64)
    firsts = np.concatenate(([0], ends))[:-1]
    blocks = np.arange(len(ends))
    whole = ~np.isin(blocks, np.fromiter(cut, dtype=np.int64, count=len(cut)))
    cut_pieces = [(block, first, length) for block, pieces in cut.items() for first, length in pieces]
    cut_columns = np.array(cut_pieces, dtype=np.int64).reshape(-1, 3).T
    return (
        np.concatenate((blocks[whole], cut_columns[0])),
        np.concatenate((firsts[whole], cut_columns[1])),
        np.concatenate(((ends - firsts)[whole], cut_columns[2])),
    )


_SLICE = 1 << 18  # lines a time when every line's run is looked at


@dataclass(frozen=True)
class _RunHashes:
    """A 64-bit hash of each run of min_lines consecutive lines, by its first line (across blocks too),
    computed where asked: held for every line, they took 8 bytes a line (24 MB on the 1 GB bench day)."""

    line_keys: np.ndarray  # uint64: every line's key
    min_lines: int

    def at(self, lines: np.ndarray) -> np.ndarray:
        """The hashes of the runs that start at `lines` (each followed by at least min_lines - 1 lines)."""
        return self._hashed(lambda offset: self.line_keys[lines + offset])

    def start_in(self, sorted_unique: np.ndarray) -> np.ndarray:
        """A bool per line that starts a run: whether the run's hash is in `sorted_unique`."""
        n_runs = max(len(self.line_keys) - self.min_lines + 1, 0)
        found = np.zeros(n_runs, dtype=bool)
        for start in range(0, n_runs, _SLICE):
            end = min(start + _SLICE, n_runs)
            runs = self._hashed(lambda offset: self.line_keys[start + offset : end + offset])
            found[start:end] = is_in_sorted(runs, sorted_unique)
        return found

    def _hashed(self, keys_at: Callable[[int], np.ndarray]) -> np.ndarray:
        """The runs' hashes from keys_at(offset): the keys `offset` lines after each run's first line."""
        runs = keys_at(0).copy()
        for offset in range(1, self.min_lines):
            runs *= np.uint64(0x9E3779B97F4A7C15)  # wraps around: a hash, not a sum
            runs ^= keys_at(offset)
        return runs


def _possible_hosts(
    runs: _RunHashes, firsts: np.ndarray, lengths: np.ndarray, min_lines: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pieces that may hold another piece, and the head hashes such a held piece may have.

    A piece holds a shorter one only where a run of min_lines of its lines equals the other's head (its
    first run). Only the pieces with a run whose hash is some piece's head hash are searched line by
    line (_first_embedded, which compares the keys themselves: equal hashes are only a lead). A piece's
    own head at its start leads nowhere unless another piece has the same head. On the 1 GB bench day
    this leaves a few percent of the pieces, and the candidates only the pieces with the heads they hit.
    """
    long_enough, can_host = lengths >= min_lines, lengths > min_lines
    if not can_host.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    head_values, head_counts = np.unique(runs.at(firsts[long_enough]), return_counts=True)
    shared_heads = head_values[head_counts > 1]
    host_firsts, host_lasts = firsts[can_host], firsts[can_host] + lengths[can_host] - min_lines  # runs inside
    leads = runs.start_in(head_values)
    # Where the leads are (every head is one: a few per block), not a running count over every line.
    lead_lines = np.flatnonzero(leads)
    inner_leads = np.searchsorted(lead_lines, host_lasts, "right") - np.searchsorted(lead_lines, host_firsts + 1)
    hosts = np.nonzero(can_host)[0][(inner_leads > 0) | is_in_sorted(runs.at(host_firsts), shared_heads)]
    del lead_lines, inner_leads
    leads[firsts[long_enough]] = False  # a head at its own piece's start is no lead (shared ones aside)
    return hosts, np.union1d(np.unique(runs.at(np.flatnonzero(leads))), shared_heads)


def _candidates(
    outlines: BlockOutlines, runs: _RunHashes, firsts: np.ndarray, lengths: np.ndarray, heads: np.ndarray, min_lines: int
) -> dict[bytes, list[bytes]]:
    """Candidate articles (the pieces of at least min_lines lines whose head hash is in `heads`) by their
    first min_lines lines, longest first so that the widest known article is cut out."""
    long_enough = np.nonzero(lengths >= min_lines)[0]
    chosen = long_enough[is_in_sorted(runs.at(firsts[long_enough]), heads)]
    unique = {outlines.key_run(int(firsts[piece]), int(lengths[piece])) for piece in chosen.tolist()}
    candidates: dict[bytes, list[bytes]] = {}
    for keys in sorted(unique, key=lambda keys: (-len(keys), keys)):
        candidates.setdefault(keys[: KEY_BYTES * min_lines], []).append(keys)
    return candidates


def _first_embedded(
    outlines: BlockOutlines, first: int, length: int, candidates: dict[bytes, list[bytes]], min_lines: int
) -> Piece | None:
    """(position, length) of the first shorter candidate found inside a piece that leaves whole articles."""
    for position in range(length - min_lines + 1):
        for needle in candidates.get(outlines.key_run(first + position, min_lines), ()):
            needle_length = len(needle) // KEY_BYTES
            if needle_length >= length or outlines.key_run(first + position, needle_length) != needle:
                continue
            if _leaves_whole_articles(length, position, needle_length, min_lines):
                return position, needle_length
    return None


def _leaves_whole_articles(host_lines: int, position: int, length: int, min_lines: int) -> bool:
    """Whether what is left around the repeated block could stand as articles of their own.

    A longer version of a story (one more paragraph at the end) contains the shorter version too, but
    its extra paragraph is not an article: that pair is dedup's to judge, not split's.
    """
    before, after = position, host_lines - position - length
    return all(remainder == 0 or remainder >= min_lines for remainder in (before, after))


def _cut_piece(first: int, length: int, position: int, embedded_length: int) -> list[Piece]:
    """The piece's lines before, inside and after the embedded block."""
    after = length - position - embedded_length
    pieces = [(first, position), (first + position, embedded_length), (first + position + embedded_length, after)]
    return [(start, size) for start, size in pieces if size]
