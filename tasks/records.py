"""The small records that travel between stages.

Stages are plain functions over lists of these; the flow passes them between Prefect tasks in memory.
Every record that stands for raw text keeps its 1-based raw line numbers, so that each raw line can be
traced to the one place it ends up (see tasks/accounting.py).
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple


class RawLine(NamedTuple):
    """A NamedTuple, not a frozen dataclass: a chunk makes one per raw line three times (reading, and
    unpickling before each of the two later worker steps), and RawLine._make (tuple.__new__, in C) makes
    them in about half the time: 38 against 67 ms for the 68,270 lines of the 20 MB bench corpus."""

    line_no: int  # 1-based line number in the raw file
    text: str  # decoded, newline-free, NFC-normalised; surrounding white space kept

    @property
    def is_blank(self) -> bool:
        return not self.text or self.text.isspace()  # what strip() would leave empty, without the copy


@dataclass(frozen=True)
class ArticleMetadata:
    """What the input says about an article besides its text (JSON lines, CSV and Parquet records)."""

    encoding: str  # how the raw file was decoded (utf-8, utf-8-sig, utf-16, cp1252, latin-1, ...)
    title: str | None = None
    url: str | None = None
    published: dt.datetime | None = None  # UTC
    source: str | None = None
    record_id: str | None = None  # the record's own id in the input


@dataclass(frozen=True)
class RawRecord:
    """One record of a JSON lines, CSV or Parquet file: one article, already cut out of its file."""

    line_start: int  # raw lines (Parquet: rows) the record spans, 1-based, inclusive
    line_end: int
    lines: tuple[RawLine, ...]  # its text split into lines, every one numbered line_start
    metadata: ArticleMetadata


@dataclass(frozen=True)
class RawDocument:
    """One readable raw file.

    A plain-text file's `lines` are its raw lines, cut into articles by tasks/split.py. A JSON lines, CSV
    or Parquet file comes with `records`, its articles already cut, and `lines` holds their text lines
    (several may share a line number: a record's text has many lines), blank lines between records and a
    CSV header. A line quarantined by ingest (an over-long line, a bad JSON line) is not in `lines`: its
    quarantine record stands for it.
    """

    source_file: str  # relative to the input root, '/' separators
    encoding: str
    lines: tuple[RawLine, ...]
    n_raw_lines: int | None = None  # raw lines (Parquet: rows) in the document; None: one per entry of `lines`
    records: tuple[RawRecord, ...] | None = None  # None: plain text, to be split
    removed: tuple[RemovedLine, ...] = ()  # lines ingest set aside that belong to no article (a CSV header)
    first_line_no: int = 1  # the number of its first raw line: past 1 for a piece of a file

    @property
    def raw_line_count(self) -> int:
        return len(self.lines) if self.n_raw_lines is None else self.n_raw_lines

    @property
    def line_numbers(self) -> range:
        """The numbers of its raw lines."""
        return range(self.first_line_no, self.first_line_no + self.raw_line_count)

    def __reduce_ex__(self, protocol):
        """A plain-text file's lines pickle as one array of line numbers and one list of texts: a chunk
        waits on disk twice between the worker steps (tasks/partition.py), and a pickled object per line
        took three times as long to write. A file with records keeps the default: its records share
        their RawLine objects with `lines`, and pickling the objects keeps that sharing. (Only a file with
        records is read in pieces: a plain-text document's first line is always 1.)"""
        if self.records is not None:
            return super().__reduce_ex__(protocol)
        line_nos = array("q", [line.line_no for line in self.lines])
        texts = [line.text for line in self.lines]
        return _unpickle_plain_document, (self.source_file, self.encoding, line_nos, texts, self.n_raw_lines, self.removed)


def _unpickle_plain_document(
    source_file: str,
    encoding: str,
    line_nos: array,
    texts: list[str],
    n_raw_lines: int | None,
    removed: tuple[RemovedLine, ...],
) -> RawDocument:
    lines = tuple(map(RawLine._make, zip(line_nos, texts)))
    return RawDocument(source_file, encoding, lines, n_raw_lines, None, removed)


@dataclass(frozen=True)
class QuarantineRecord:
    source_file: str
    reason: str
    detail: str
    line_start: int | None = None  # None: the whole file
    line_end: int | None = None
    n_lines: int = 0  # raw lines the record stands for (for the run report)


@dataclass(frozen=True)
class RemovedLine:
    source_file: str
    line_no: int
    text: str
    rule: str
    article_id: str | None


@dataclass(frozen=True)
class ArticleDraft:
    """A run of raw lines that the split stage judged to be one article."""

    article_id: str
    source_file: str
    line_start: int
    line_end: int
    lines: tuple[RawLine, ...]  # every raw line from line_start to line_end, blanks included
    metadata: ArticleMetadata | None = None  # None: nothing known beyond the text


@dataclass(frozen=True)
class Paragraph:
    line_no: int  # first raw line
    kind: str  # body, heading, list_item, quote
    text: str
    line_end: int | None = None  # last raw line, when the paragraph joins wrapped lines

    @property
    def last_line_no(self) -> int:
        return self.line_end if self.line_end is not None else self.line_no

    @property
    def line_numbers(self) -> range:
        return range(self.line_no, self.last_line_no + 1)


@dataclass
class CleanArticle:
    article_id: str
    source_file: str
    line_start: int
    line_end: int
    title: str | None
    title_line_no: int | None
    paragraphs: list[Paragraph]
    removed: list[RemovedLine]
    language: str = "und"
    language_score: float = 0.0
    content_hash: str = ""
    paragraph_languages: list[str] = field(default_factory=list)
    mixed_language: bool = False
    language_allowed: bool = True

    @property
    def text(self) -> str:
        return "\n".join(paragraph.text for paragraph in self.paragraphs)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What dedup needs of an article besides its fingerprints: who it is and where it comes from."""

    article_id: str
    source_file: str
    line_start: int
    line_end: int
    content_hash: str

    @classmethod
    def of(cls, article: CleanArticle) -> ArticleRef:
        return cls(article.article_id, article.source_file, article.line_start, article.line_end, article.content_hash)


@dataclass(frozen=True)
class DuplicateRecord:
    article_id: str
    source_file: str
    line_start: int
    line_end: int
    duplicate_of: str
    duplicate_of_date: object  # datetime.date
    method: str
    similarity: float
