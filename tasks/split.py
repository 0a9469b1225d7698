"""Split: cut each raw document into articles.

Two kinds of boundary:
- explicit delimiters inside a file: a run of blank lines, a separator line (-----, * * *), a form feed;
- a block that repeats, line for line, a whole article found elsewhere in the batch. Scrapers often save
  a page that embeds or repeats another story before the new one; the repeated block becomes an article
  of its own so that dedup can drop it while the new story is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from tasks.config import SplitSettings
from tasks.headline import looks_like_headline
from tasks.records import ArticleDraft, ArticleMetadata, RawDocument, RawLine, RawRecord, RemovedLine
from tasks.safe_regex import compile_rule_pattern

SEPARATOR_RULE = "split.separator"


@dataclass
class SplitResult:
    articles: list[ArticleDraft]
    removed: list[RemovedLine]  # separator lines (and CSV headers), which belong to no article

    @property
    def metadata(self) -> dict[str, ArticleMetadata]:
        """article_id -> what the input says about the article besides its text."""
        return {article.article_id: article.metadata for article in self.articles if article.metadata}


def make_article_id(date: dt.date, source_file: str, line_start: int) -> str:
    key = f"{date.isoformat()}|{source_file}|{line_start}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _trim_blank_edges(lines: list[RawLine]) -> list[RawLine]:
    start, end = 0, len(lines)
    while start < end and lines[start].is_blank:
        start += 1
    while end > start and lines[end - 1].is_blank:
        end -= 1
    return lines[start:end]


def _starts_with_headline(lines: tuple[RawLine, ...], index: int, max_words: int) -> bool:
    """A headline-then-blank-line header: a new article's usual first two lines."""
    next_is_blank = index + 1 >= len(lines) or lines[index + 1].is_blank
    return next_is_blank and looks_like_headline(lines[index].text, max_words)


def split_on_delimiters(
    document: RawDocument, settings: SplitSettings
) -> tuple[list[list[RawLine]], list[RemovedLine]]:
    """Blocks of lines between delimiters, with blank edges trimmed, and the separator lines removed."""
    separator = compile_rule_pattern(settings.separator_pattern)
    blocks: list[list[RawLine]] = []
    removed: list[RemovedLine] = []
    current: list[RawLine] = []
    blank_run = 0

    def close_block() -> None:
        nonlocal current
        trimmed = _trim_blank_edges(current)
        if trimmed:
            blocks.append(trimmed)
        current = []

    for index, line in enumerate(document.lines):
        if settings.form_feed and "\f" in line.text:
            # A page break ends the article before it; the rest of its line starts the next one.
            close_block()
            line = RawLine(line.line_no, line.text.replace("\f", ""))
        if line.is_blank:
            blank_run += 1
            current.append(line)
            continue
        if settings.blank_lines_between_articles and blank_run >= settings.blank_lines_between_articles:
            # Articles also use blank-line runs between their own sections, so a run separates two
            # articles only where a headline follows, unless configured otherwise.
            if not settings.blank_run_needs_headline or _starts_with_headline(
                document.lines, index, settings.headline_max_words
            ):
                close_block()
        blank_run = 0
        if separator.match(line.text):
            close_block()
            removed.append(RemovedLine(document.source_file, line.line_no, line.text.strip(), SEPARATOR_RULE, None))
            continue
        current.append(line)
    close_block()
    return blocks, removed


@dataclass(frozen=True, slots=True)  # no __dict__: a day's input has hundreds of thousands
class BlockOutline:
    """What the repeated-block cut needs of a block, without its text: small enough to hold for a whole
    day's input while the text itself is read chunk by chunk (tasks/partition.py).

    `keys` packs an 8-byte hash of each non-blank line (stripped: what "line for line" compares) into one
    bytes object; `line_nos` are those lines' raw line numbers.
    """

    source_file: str
    line_nos: array  # of int32 ("i"): 4 bytes a line, where a tuple of ints takes ~36
    keys: bytes

    def __len__(self) -> int:
        return len(self.line_nos)

    def key_run(self, position: int, length: int) -> bytes:
        return self.keys[_KEY_BYTES * position : _KEY_BYTES * (position + length)]

    def piece(self, position: int, length: int) -> BlockOutline:
        line_nos = self.line_nos[position : position + length]
        return BlockOutline(self.source_file, line_nos, self.key_run(position, length))

    @property
    def span(self) -> tuple[int, int]:
        return self.line_nos[0], self.line_nos[-1]


_KEY_BYTES = 8


def _line_key(text: str) -> bytes:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=_KEY_BYTES).digest()


def outline(source_file: str, lines: list[RawLine]) -> BlockOutline:
    non_blank = [line for line in lines if not line.is_blank]
    line_nos = array("i", [line.line_no for line in non_blank])
    return BlockOutline(source_file, line_nos, b"".join(_line_key(line.text) for line in non_blank))


# source_file -> the (first, last) raw line of each article cut from its plain-text blocks, in order; only
# for the files whose blocks the repeated-block cut cuts (few): in any other file each block is an article.
ArticleSpans = dict[str, list[tuple[int, int]]]


def plan_article_spans(outlines: list[BlockOutline], min_lines: int) -> ArticleSpans:
    """Where the articles of the files the repeated-block cut cuts begin and end."""
    pieces, cut_files = _cut_repeated_blocks(outlines, min_lines)
    return _group_spans((piece.source_file, piece.span) for piece in pieces if piece.source_file in cut_files)


def _group_spans(spans: Iterable[tuple[str, tuple[int, int]]]) -> ArticleSpans:
    grouped: ArticleSpans = {}
    for source_file, span in spans:
        grouped.setdefault(source_file, []).append(span)
    for file_spans in grouped.values():
        file_spans.sort()
    return grouped


def _cut_repeated_blocks(blocks: list[BlockOutline], min_lines: int) -> tuple[list[BlockOutline], set[str]]:
    """Cut every block that contains, line for line, a whole shorter block of the batch: the pieces, and
    the files that had a block cut.

    Each pass cuts every block at its first embedded article; passes repeat until nothing changes, so a
    block holding several known articles is cut at each. Identical blocks (a story syndicated a thousand
    times) are one candidate, and a pass reads each line once, so the cost grows with the batch, not
    with its square. The result does not depend on the order of the files.
    """
    cut_files: set[str] = set()
    while True:
        # Candidate articles by their first min_lines lines (many stories share a first line, few share
        # three), longest first so the widest known article is cut out.
        candidates: dict[bytes, list[bytes]] = {}
        unique = {block.keys for block in blocks if len(block) >= min_lines}
        for keys in sorted(unique, key=lambda keys: (-len(keys), keys)):
            candidates.setdefault(keys[: _KEY_BYTES * min_lines], []).append(keys)
        cut_blocks: list[BlockOutline] = []
        changed = False
        for block in blocks:
            cut = _first_embedded(block, candidates, min_lines)
            if cut is None:
                cut_blocks.append(block)
            else:
                cut_blocks.extend(_cut_block(block, *cut))
                cut_files.add(block.source_file)
                changed = True
        blocks = cut_blocks
        if not changed:
            return blocks, cut_files


def _first_embedded(
    host: BlockOutline, candidates: dict[bytes, list[bytes]], min_lines: int
) -> tuple[int, int] | None:
    """(position, length) of the first shorter candidate found inside host that leaves whole articles."""
    for position in range(len(host) - min_lines + 1):
        for needle in candidates.get(host.key_run(position, min_lines), ()):
            length = len(needle) // _KEY_BYTES
            if length >= len(host) or host.key_run(position, length) != needle:
                continue
            if _leaves_whole_articles(len(host), position, length, min_lines):
                return position, length
    return None


def _leaves_whole_articles(host_lines: int, position: int, length: int, min_lines: int) -> bool:
    """Whether what is left around the repeated block could stand as articles of their own.

    A longer version of a story (one more paragraph at the end) contains the shorter version too, but
    its extra paragraph is not an article: that pair is dedup's to judge, not split's.
    """
    before, after = position, host_lines - position - length
    return all(remainder == 0 or remainder >= min_lines for remainder in (before, after))


def _cut_block(block: BlockOutline, position: int, length: int) -> list[BlockOutline]:
    """The block's non-blank lines before, inside and after [position, position + length)."""
    pieces = [(0, position), (position, length), (position + length, len(block) - position - length)]
    return [block.piece(start, size) for start, size in pieces if size]


def _cut_at_spans(lines: list[RawLine], spans: list[tuple[int, int]]) -> list[list[RawLine]]:
    """The articles of one delimiter block: its lines from each planned span's first to last line."""
    index_of = {line.line_no: index for index, line in enumerate(lines)}
    first, last = lines[0].line_no, lines[-1].line_no
    return [lines[index_of[start] : index_of[end] + 1] for start, end in spans if first <= start and end <= last]


def _record_article(document: RawDocument, record: RawRecord, date: dt.date) -> ArticleDraft:
    return ArticleDraft(
        article_id=make_article_id(date, document.source_file, record.line_start),
        source_file=document.source_file,
        line_start=record.line_start,
        line_end=record.line_end,
        lines=record.lines,
        metadata=record.metadata,
    )


def split_documents(
    documents: list[RawDocument],
    date: dt.date,
    settings: SplitSettings,
    spans: ArticleSpans | None = None,
    cut_repeated: bool = True,
) -> SplitResult:
    """Cut the documents into articles.

    `spans`: the article spans planned over the whole batch (plan_article_spans over the outlines of
    every file), when `documents` are only part of it; None plans them from these documents alone.
    `cut_repeated=False`: every block between delimiters is one article, before any plan exists.
    """
    blocks: list[tuple[str, list[RawLine]]] = []
    removed: list[RemovedLine] = []
    record_articles: list[ArticleDraft] = []
    encodings: dict[str, str] = {}
    for document in documents:
        removed.extend(document.removed)
        if document.records is not None:
            # A JSON lines, CSV or Parquet record is one article already: no delimiters, no cutting.
            record_articles.extend(_record_article(document, record, date) for record in document.records)
            continue
        encodings[document.source_file] = document.encoding
        document_blocks, separators = split_on_delimiters(document, settings)
        blocks.extend((document.source_file, lines) for lines in document_blocks)
        removed.extend(separators)
    if not cut_repeated:
        spans = {}
    elif spans is None:
        spans = plan_article_spans([outline(*block) for block in blocks], settings.repeated_block_min_lines)
    articles = [
        ArticleDraft(
            article_id=make_article_id(date, source_file, lines[0].line_no),
            source_file=source_file,
            line_start=lines[0].line_no,
            line_end=lines[-1].line_no,
            lines=tuple(lines),
            metadata=ArticleMetadata(encoding=encodings[source_file]),
        )
        for source_file, block_lines in blocks
        for lines in (_cut_at_spans(block_lines, spans[source_file]) if source_file in spans else [block_lines])
    ]
    articles = sorted(articles + record_articles, key=lambda article: (article.source_file, article.line_start))
    return SplitResult(articles, removed)
