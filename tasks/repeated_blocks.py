"""The repeated-block cut: a block of lines that repeats, line for line, a whole article found elsewhere in
the batch is cut out of the block it sits in and becomes an article of its own.

It needs every block of the day, while the text is read chunk by chunk (tasks/partition.py), so it works
on outlines: an 8-byte hash of each non-blank line and its raw line number, packed for many blocks at once
(BlockOutlines). A day of 250,000 blocks held as one object per block took ~375 bytes per block on top of
its 12 bytes per line; packed, a block costs its file's number and one offset. A block names its file by a
number the caller gives, not by the file's name: the names of the 1 GB bench day's 158,425 files, copied
from the workers, took ~12 MB of the plan, and only the few files the cut cuts need their names.
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
    lines) and of `keys` (an 8-byte hash of each of them, stripped: what "line for line" compares). Its file
    is files[i], a number that plan_article_spans's `file_name` turns into the file's name.
    """

    files: array  # int32 ("i"): each block's file number
    ends: array  # int64 ("q"): where each block's lines end
    line_nos: array | None  # int32 ("i"): 4 bytes a line; None where the caller keeps them (the plan: on disk)
    keys: bytes | bytearray  # 8 bytes a line

    def __len__(self) -> int:
        return len(self.files)

    def start(self, block: int) -> int:
        return self.ends[block - 1] if block else 0

    def key_run(self, line: int, length: int) -> bytes:
        """The keys of `length` lines from line `line` (counted over all blocks)."""
        return bytes(memoryview(self.keys)[KEY_BYTES * line : KEY_BYTES * (line + length)])

    @staticmethod
    def concatenate(parts: Iterable[BlockOutlines]) -> BlockOutlines:
        """The parts one after another, read in one pass: when `parts` lets go of each part once it has
        given it (as the plan's does), a large day's outlines are not held twice. Without line numbers
        if a part has none."""
        files, ends, line_nos, keys = array("i"), array("q"), array("i"), bytearray()
        all_numbered = True
        for part in parts:
            offset = len(keys) // KEY_BYTES
            files.extend(part.files)
            ends.extend(end + offset for end in part.ends)
            if part.line_nos is None:
                all_numbered = False
            else:
                line_nos.extend(part.line_nos)
            keys += part.keys
        return BlockOutlines(files, ends, line_nos if all_numbered else None, keys)


def outline_blocks(blocks: Iterable[tuple[int, Sequence[RawLine]]]) -> BlockOutlines:
    """The outlines of (file number, lines) blocks."""
    files, ends, line_nos, keys = array("i"), array("q"), array("i"), []
    for file_number, lines in blocks:
        non_blank = [line for line in lines if not line.is_blank]
        files.append(file_number)
        line_nos.extend(line.line_no for line in non_blank)
        keys.extend(_line_key(line.text) for line in non_blank)
        ends.append(len(line_nos))
    return BlockOutlines(files, ends, line_nos, b"".join(keys))


def _line_key(text: str) -> bytes:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=KEY_BYTES).digest()


# A piece of a block: (first line, number of lines), counted over all blocks of a BlockOutlines.
Piece = tuple[int, int]


def plan_article_spans(
    outlines: BlockOutlines,
    min_lines: int,
    file_name: Callable[[int], str],
    line_no: Callable[[int], int] | None = None,
) -> ArticleSpans:
    """Where the articles of the files the repeated-block cut cuts begin and end.

    `file_name(number)`: the source_file of the blocks whose file is `number`; `line_no(line)`: the raw
    line number of a line (counted over all blocks), outlines.line_nos[line] by default. Both are asked
    only for the files the cut cuts."""
    line_no = line_no or outlines.line_nos.__getitem__
    cut = _cut_repeated_blocks(outlines, min_lines)
    cut_files = {outlines.files[block] for block in cut}
    spans: ArticleSpans = {}
    for block, file_number in enumerate(outlines.files):
        if file_number not in cut_files:
            continue
        pieces = cut.get(block) or [(outlines.start(block), outlines.ends[block] - outlines.start(block))]
        spans.setdefault(file_name(file_number), []).extend(
            (line_no(first), line_no(first + length - 1)) for first, length in pieces
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
    head_values, shared_heads = _distinct_and_repeated(runs.at(firsts[long_enough]))
    leads = runs.start_in(head_values)
    del head_values
    # Where the leads are (every head is one: a few per block), not a running count over every line. The
    # arrays a piece each are let go of as soon as used: on the 1 GB bench day they are 2 MB apiece, and
    # this step is the plan's peak.
    lead_lines = np.flatnonzero(leads)
    host_firsts = firsts[can_host]
    host_lasts = host_firsts + lengths[can_host] - min_lines  # the last run inside the host starts there
    inner_leads = np.searchsorted(lead_lines, host_lasts, "right")
    del host_lasts
    inner_leads -= np.searchsorted(lead_lines, host_firsts + 1)
    del lead_lines
    hosts = np.flatnonzero(can_host)[(inner_leads > 0) | is_in_sorted(runs.at(host_firsts), shared_heads)]
    del inner_leads, host_firsts
    leads[firsts[long_enough]] = False  # a head at its own piece's start is no lead (shared ones aside)
    return hosts, np.union1d(np.unique(runs.at(np.flatnonzero(leads))), shared_heads)


def _distinct_and_repeated(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and those of them found more than once: np.unique's values and its
    values with a count over 1, sorting `values` in place instead of a copy and counting nothing."""
    values.sort()
    if len(values) == 0:
        return values, values
    follows_equal = values[1:] == values[:-1]  # value i + 1 repeats value i
    distinct = values[np.concatenate(([True], ~follows_equal))]
    repeated = values[1:][follows_equal]  # each value found n times, n - 1 times: few
    return distinct, np.unique(repeated)


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
