"""The rows of every partition dataset, built from the stage records with the schemas of tasks/schemas.py."""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa

from tasks.records import ArticleMetadata, CleanArticle, DuplicateRecord, QuarantineRecord, RemovedLine
from tasks.schemas import DATASETS
from tasks.segment import Segments


def to_table(dataset: str, rows: list[dict]) -> pa.Table:
    """A table of `dataset`'s schema from row dicts; a missing or mistyped column fails here, not later."""
    schema = DATASETS[dataset]
    return pa.table({name: [row[name] for row in rows] for name in schema.names}, schema=schema)


def records_table(dataset: str, records: list) -> pa.Table:
    """A table of `dataset`'s schema read straight from record attributes named like its columns.

    dataclasses.asdict would deep-copy every record first: for a day's sentences that was most of the
    write stage. Rows that are NamedTuples (the paragraphs and sentences) are turned into columns by one
    zip instead of a getattr per cell: a third of the cost.
    """
    schema = DATASETS[dataset]
    fields = getattr(type(records[0]), "_fields", None) if records else None
    if fields is not None:
        columns = dict(zip(fields, zip(*records)))
        return pa.table({name: columns[name] for name in schema.names}, schema=schema)
    return pa.table({name: [getattr(record, name) for record in records] for name in schema.names}, schema=schema)


def article_row(
    article: CleanArticle, segments: Segments, n_words: int, metadata: ArticleMetadata | None = None, text: str | None = None
) -> dict:
    """`n_words`: of the article's text (word_counts counts many articles at once). `text`: article.text,
    when the caller has it already (it is a join of every paragraph)."""
    text = article.text if text is None else text
    metadata = metadata or ArticleMetadata(encoding="utf-8")
    return {
        "article_id": article.article_id,
        "source_file": article.source_file,
        "line_start": article.line_start,
        "line_end": article.line_end,
        "record_id": metadata.record_id,
        "encoding": metadata.encoding,
        # A headline found in the text wins: its line is not in `text`, so dropping it would lose it.
        "title": article.title if article.title is not None else metadata.title,
        "url": metadata.url,
        "source": metadata.source,
        "published": metadata.published,
        "text": text,
        "language": article.language,
        "language_score": article.language_score,
        "mixed_language": article.mixed_language,
        "language_allowed": article.language_allowed,
        "n_chars": len(text),
        "n_words": n_words,
        "n_paragraphs": len(segments.paragraphs),
        "n_sentences": len(segments.sentences),
        "content_hash": article.content_hash,
    }


def partition_tables(
    articles: list[CleanArticle],
    segments: list[Segments],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
    quarantined: list[QuarantineRecord],
    metadata: dict[str, ArticleMetadata] | None = None,
    route_other_languages: bool = False,
) -> dict[str, pa.Table]:
    """Every partition dataset, rows in a fixed order so the same input gives the same bytes.

    `metadata`: article_id -> what the input says about the article (SplitResult.metadata).
    `route_other_languages`: articles not in an allowed language go to articles_other_languages.
    """
    metadata = metadata or {}
    texts = [article.text for article in articles]
    article_rows = [
        article_row(article, segment, n_words, metadata.get(article.article_id), text)
        for article, segment, n_words, text in zip(articles, segments, word_counts(texts), texts)
    ]
    routed = [route_other_languages and not row["language_allowed"] for row in article_rows]
    removed_in_order = sorted(removed, key=lambda line: (line.source_file, line.line_no))
    return {
        "articles": to_table("articles", [row for row, other in zip(article_rows, routed) if not other]),
        "articles_other_languages": to_table(
            "articles_other_languages", [row for row, other in zip(article_rows, routed) if other]
        ),
        "paragraphs": records_table("paragraphs", [row for segment in segments for row in segment.paragraphs]),
        "sentences": records_table("sentences", [row for segment in segments for row in segment.sentences]),
        "removed_lines": records_table("removed_lines", removed_in_order),
        "duplicates": records_table("duplicates", duplicates),
        "quarantine": records_table("quarantine", quarantined),
    }


def word_counts(texts: list[str]) -> list[int]:
    """len(text.split()) of each text, counted with numpy over the UTF-8 bytes of all texts at once: the
    bytes that are not white space and follow white space or start a text. split() made a string of
    every word, most of the cost of the articles' rows; the bytes cost a quarter of the code points
    (UTF-32) to scan."""
    if not texts:
        return []
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    # Joined by spaces, so that no word runs from one text into the next.
    data = np.frombuffer(b" ".join(encoded), dtype=np.uint8)
    # A byte over 0x20 is in a word, but for the few characters that are white space beyond ASCII;
    # below 0x20, only ASCII white space is not (most of those bytes are line breaks).
    in_word = data > 0x20
    low = np.flatnonzero(data < 0x20)
    in_word[low] = ~WHITE_SPACE[data[low]]
    _mark_non_ascii_white_space(data, in_word)
    word_starts = in_word & ~np.concatenate(([False], in_word[:-1]))
    # Each text and the space after it; count_nonzero per text costs a sixth of one reduceat over all
    # (which casts every byte to an integer to add it).
    ends = np.cumsum([len(text) + 1 for text in encoded]).tolist()
    return [np.count_nonzero(word_starts[start:end]) for start, end in zip([0, *ends], ends)]


def _mark_non_ascii_white_space(data: np.ndarray, in_word: np.ndarray) -> None:
    """Set in_word to False on every byte of the non-ASCII white space characters of UTF-8 `data`: U+0085
    and U+00A0 (C2 xx), U+1680 (E1 xx xx), U+2000-U+205F (E2 xx xx) and U+3000 (E3 xx xx)."""
    leads = np.flatnonzero(data >= 0xC2)  # the first bytes of non-ASCII characters: their code points
    leads = leads[(data[leads] == 0xC2) | ((data[leads] >= 0xE1) & (data[leads] <= 0xE3))]
    if not len(leads):
        return
    # Complete sequences (the bytes came from str.encode); past the end reads as 0.
    padded = np.concatenate((data, np.zeros(2, dtype=np.uint8)))
    first, second, third = (padded[leads + offset].astype(np.int64) for offset in range(3))
    two_bytes = first == 0xC2
    code_points = np.where(
        two_bytes,
        ((first & 0x1F) << 6) | (second & 0x3F),
        ((first & 0x0F) << 12) | ((second & 0x3F) << 6) | (third & 0x3F),
    )
    white = WHITE_SPACE[code_points]
    in_word[leads[white]] = False
    in_word[leads[white] + 1] = False
    in_word[leads[white & ~two_bytes] + 2] = False


# bool per code point: white space to str.split() (str.isspace). Unicode has white space only in the
# Basic Multilingual Plane (tests/test_tables.py checks the whole range), so only that is tested here:
# 6 ms at import instead of 0.1 s.
WHITE_SPACE = np.zeros(sys.maxunicode + 1, dtype=bool)
WHITE_SPACE[[code for code in range(0x10000) if chr(code).isspace()]] = True
