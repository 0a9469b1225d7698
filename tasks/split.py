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
import re
from dataclasses import dataclass
from functools import lru_cache

from tasks.config import DEFAULT_SEPARATOR_PATTERN, SplitSettings
from tasks.headline import looks_like_headline
from tasks.records import ArticleDraft, ArticleMetadata, RawDocument, RawLine, RawRecord, RemovedLine
from tasks.repeated_blocks import ArticleSpans, outline_blocks, plan_article_spans
from tasks.safe_regex import SafePattern, compile_rule_pattern

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


@lru_cache(maxsize=8)
def _separator(pattern: str) -> re.Pattern[str] | SafePattern:
    """The separator pattern, compiled once per process (it was compiled and probed for every file).

    The built-in default runs on re, like the rule packs: it is ours and tested, and the time limit of
    a user's pattern (tasks/safe_regex.py) costs ~8 us a line, as much as all the rest of split. (re's
    \\s also takes U+001C-U+001F, which `regex` does not; ingest drops those from every line.) A pattern
    from config.yaml runs under the time limit."""
    if pattern == DEFAULT_SEPARATOR_PATTERN:
        return re.compile(pattern)
    return compile_rule_pattern(pattern)


def split_on_delimiters(
    document: RawDocument, settings: SplitSettings
) -> tuple[list[list[RawLine]], list[RemovedLine]]:
    """Blocks of lines between delimiters, with blank edges trimmed, and the separator lines removed."""
    separator = _separator(settings.separator_pattern)
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
        names = list(dict.fromkeys(source_file for source_file, _ in blocks))  # numbered in order
        numbers = {name: number for number, name in enumerate(names)}
        outlines = outline_blocks((numbers[source_file], lines) for source_file, lines in blocks)
        spans = plan_article_spans(outlines, settings.repeated_block_min_lines, names.__getitem__)
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
