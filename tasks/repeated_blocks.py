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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tasks.records import RawLine

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
    keys: bytes

    def __len__(self) -> int:
        return len(self.source_files)

    def start(self, block: int) -> int:
        return self.ends[block - 1] if block else 0

    def key_run(self, line: int, length: int) -> bytes:
        """The keys of `length` lines from line `line` (counted over all blocks)."""
        return self.keys[KEY_BYTES * line : KEY_BYTES * (line + length)]

    @staticmethod
    def concatenate(parts: Sequence[BlockOutlines]) -> BlockOutlines:
        ends, offset = array("q"), 0
        for part in parts:
            ends.extend(end + offset for end in part.ends)
            offset += len(part.line_nos)
        line_nos = array("i")
        for part in parts:
            line_nos.extend(part.line_nos)
        files = [name for part in parts for name in part.source_files]
        return BlockOutlines(files, ends, line_nos, b"".join(part.keys for part in parts))


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
    while True:
        changed = False
        candidates = _candidates(outlines, cut, min_lines)
        for block in range(len(outlines)):
            pieces = _pieces(outlines, cut, block)
            new_pieces: list[Piece] = []
            for first, length in pieces:
                embedded = _first_embedded(outlines, first, length, candidates, min_lines)
                if embedded is None:
                    new_pieces.append((first, length))
                else:
                    new_pieces.extend(_cut_piece(first, length, *embedded))
            if len(new_pieces) != len(pieces):
                cut[block] = new_pieces
                changed = True
        if not changed:
            return cut


def _pieces(outlines: BlockOutlines, cut: dict[int, list[Piece]], block: int) -> list[Piece]:
    if block in cut:
        return cut[block]
    start = outlines.start(block)
    return [(start, outlines.ends[block] - start)]


def _candidates(outlines: BlockOutlines, cut: dict[int, list[Piece]], min_lines: int) -> dict[bytes, list[bytes]]:
    """Candidate articles by their first min_lines lines (many stories share a first line, few share
    three), longest first so that the widest known article is cut out."""
    unique = {
        outlines.key_run(first, length)
        for block in range(len(outlines))
        for first, length in _pieces(outlines, cut, block)
        if length >= min_lines
    }
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
