"""Line accounting: every raw line ends up in exactly one place, or the run fails.

Two checks, per read file:
- every raw line of the file is read into the document or quarantined, exactly once: a line is covered
  by its text (a plain-text line, a JSON line's record), by the span of a multi-line record (a CSV row
  with a quoted line break), or by the span of a quarantine record (a bad JSON line, an over-long line);
- every text line of the document is placed exactly once: the title or a paragraph of a kept article, a
  removed_lines row, or the span of a duplicates row. Blank lines carry no text; they may fall inside a
  span or between articles and need no place of their own, but may not be claimed twice either.

A record's text has several lines that share the record's raw line number; each of them must be placed,
so a number is claimed as many times as it has text lines. A file quarantined as a whole is not read, and
its quarantine record stands for all its lines. A large JSON lines file read in pieces (tasks/pieces.py) is
checked piece by piece: each piece is a document holding the file's lines from its first line on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tasks.numeric import ranges
from tasks.records import CleanArticle, DuplicateRecord, QuarantineRecord, RawDocument, RemovedLine


class LineAccountingError(RuntimeError):
    pass


@dataclass(frozen=True)
class AccountingReport:
    raw_lines: int  # raw lines of every file (Parquet: rows), quarantined files included
    blank_lines: int
    kept_lines: int
    removed_lines: int
    duplicate_lines: int
    quarantined_lines: int

    @classmethod
    def total(cls, reports: list[AccountingReport]) -> AccountingReport:
        """The report of a batch checked part by part (each document, a file or a piece of one, wholly in one part)."""
        names = cls.__dataclass_fields__
        return cls(**{name: sum(getattr(report, name) for report in reports) for name in names})


@dataclass(frozen=True)
class ReadLines:
    """What line accounting needs of the documents read: the numbers of their lines and which are blank,
    not their text; each document's lines one after the other. A chunk's documents wait on disk as this
    between clean and finish: a few bytes a line, where pickling the documents again cost as much as the
    first time (~0.14 s per 20 MB of text, both ways)."""

    source_files: list[str]
    first_line_nos: np.ndarray  # int64 per document: the number of its first raw line
    n_raw_lines: np.ndarray  # int64 per document: RawDocument.raw_line_count
    n_lines: np.ndarray  # int64 per document: how many of line_nos are its
    line_nos: np.ndarray  # int64: the raw line number of each line read (RawDocument.lines)
    blank: np.ndarray  # bool: which lines are blank (RawLine.is_blank)
    records: np.ndarray  # int64 (records, 3): each record's document, line_start and line_end

    @classmethod
    def of(cls, documents: Sequence[RawDocument]) -> ReadLines:
        line_nos: list[int] = []
        blank: list[bool] = []
        records: list[tuple[int, int, int]] = []
        for index, document in enumerate(documents):
            numbers, texts = zip(*document.lines) if document.lines else ((), ())
            line_nos += numbers
            # `not text or text.isspace()` is RawLine.is_blank, inlined: a call per line costs more than the test.
            blank += [not text or text.isspace() for text in texts]
            records += [(index, record.line_start, record.line_end) for record in document.records or ()]
        return cls(
            [document.source_file for document in documents],
            np.array([document.first_line_no for document in documents], dtype=np.int64),
            np.array([document.raw_line_count for document in documents], dtype=np.int64),
            np.array([len(document.lines) for document in documents], dtype=np.int64),
            np.array(line_nos, dtype=np.int64),
            np.array(blank, dtype=bool),
            np.array(records, dtype=np.int64).reshape(-1, 3),
        )


def check_line_accounting(
    documents: Sequence[RawDocument] | ReadLines,
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> AccountingReport:
    """The counts of where the lines went; LineAccountingError naming the first problems if a line is
    lost, read twice or claimed a wrong number of times."""
    problems, report = account_lines(documents, quarantined, articles, removed, duplicates)
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LineAccountingError(f"line accounting failed: {shown}{more}")
    return report


def account_lines(
    documents: Sequence[RawDocument] | ReadLines,
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> tuple[list[str], AccountingReport]:
    """Every problem check_line_accounting finds, and the counts."""
    read = documents if isinstance(documents, ReadLines) else ReadLines.of(documents)
    space = _NumberSpace(read)
    problems: list[str] = []
    line_quarantines = []
    for record in quarantined:
        if record.line_start is None:
            continue
        if record.source_file not in space.document_of:
            problems.append(f"{record.source_file}:{record.line_start} is quarantined but its file was never read")
        else:
            line_quarantines.append(record)
    problems += _coverage_problems(read, space, line_quarantines)

    claims = _Claims(space)
    kept_lines = claims.add_kept(articles)
    claims.add_removed(removed)
    duplicate_lines = 0
    for duplicate in duplicates:
        # A duplicate claims every line its span holds: a record's text lines share one number, and a
        # line quarantined inside the span (an over-long line) is not the duplicate's to claim.
        for line_no in range(duplicate.line_start, duplicate.line_end + 1):
            n_lines = space.lines_at(duplicate.source_file, line_no)
            n_lines = 1 if n_lines is None else n_lines  # not a number of the file: flagged as never read
            duplicate_lines += n_lines
            claims.add(duplicate.source_file, line_no, n_lines)
    problems += claims.problems()
    whole_files = [record for record in quarantined if record.line_start is None]
    return problems, AccountingReport(
        raw_lines=int(read.n_raw_lines.sum()) + sum(record.n_lines for record in whole_files),
        blank_lines=int(read.blank.sum()),
        kept_lines=kept_lines,
        removed_lines=len(removed),
        duplicate_lines=duplicate_lines,
        quarantined_lines=sum(record.n_lines for record in quarantined),
    )


class _NumberSpace:
    """The line numbers of every document side by side: document d's numbers low[d]..high[d]-1 (its raw
    lines and any other number it read) are positions base[d]..base[d+1]-1, so that one bincount counts
    a per-line quantity for all documents at once."""

    def __init__(self, read: ReadLines):
        self.read = read
        self.document_of = {name: index for index, name in enumerate(read.source_files)}
        n_documents = len(read.source_files)
        self.line_document = np.repeat(np.arange(n_documents), read.n_lines)  # each line's document
        low, high = read.first_line_nos.copy(), read.first_line_nos + read.n_raw_lines
        if len(read.line_nos):  # numbers read outside the raw lines (a faulty reader) get positions too
            np.minimum.at(low, self.line_document, read.line_nos)
            np.maximum.at(high, self.line_document, read.line_nos + 1)
        self.low, self.high = low, high
        self.base = np.concatenate(([0], np.cumsum(high - low)))
        self.size = int(self.base[-1])
        self.line_positions = self.at(self.line_document, read.line_nos)
        self.lines = self.count(self.line_positions)  # lines read at each position

    def at(self, documents: np.ndarray, line_nos: np.ndarray) -> np.ndarray:
        """The positions of (document, number) pairs, numbers inside their document's low..high."""
        return self.base[documents] + line_nos - self.low[documents]

    def inside(self, documents: np.ndarray, line_nos: np.ndarray) -> np.ndarray:
        return (line_nos >= self.low[documents]) & (line_nos < self.high[documents])

    def count(self, positions: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(positions, weights, minlength=self.size).astype(np.int64)

    def lines_at(self, source_file: str, line_no: int) -> int | None:
        """How many lines were read at this number of the file; None when it is not a raw line of it."""
        document = self.document_of.get(source_file)
        if document is None:
            return None
        first = self.read.first_line_nos[document]
        if not first <= line_no < first + self.read.n_raw_lines[document]:
            return None
        return int(self.lines[self.base[document] + line_no - self.low[document]])

    def where(self, position: int) -> tuple[int, int, str]:
        """(document, number, "file:number") at a position."""
        document = int(np.searchsorted(self.base, position, side="right")) - 1
        line_no = position - int(self.base[document]) + int(self.low[document])
        return document, line_no, f"{self.read.source_files[document]}:{line_no}"

    def raw_lines(self) -> np.ndarray:
        """bool per position: whether it is a raw line of its document (first_line_no onwards)."""
        first = self.read.first_line_nos
        starts = self.base[:-1] + first - self.low
        return self.count(ranges(starts, np.maximum(self.read.n_raw_lines, 0))) > 0


def _coverage_problems(read: ReadLines, space: _NumberSpace, quarantines: list[QuarantineRecord]) -> list[str]:
    """Each raw line of each document (1..n for a whole file) read into it or quarantined, exactly once:
    a number read counts once, however many text lines it holds; a record's lines after its first (which
    holds its text) and the quarantined lines count too."""
    covered = (space.lines > 0).astype(np.int64)
    record_documents, starts, ends = read.records.T
    lengths = np.maximum(ends - starts, 0)
    interiors = ranges(starts + 1, lengths)
    interior_documents = np.repeat(record_documents, lengths)
    quarantined = [
        (space.document_of[record.source_file], line_no)
        for record in quarantines
        for line_no in range(record.line_start, (record.line_end or record.line_start) + 1)
    ]
    documents = np.concatenate([interior_documents, [document for document, _ in quarantined]]).astype(np.int64)
    numbers = np.concatenate([interiors, [line_no for _, line_no in quarantined]]).astype(np.int64)
    inside = space.inside(documents, numbers)
    covered += space.count(space.at(documents[inside], numbers[inside]))
    raw = space.raw_lines()
    # Numbers outside every number a document read are outside its raw lines too.
    beyond = sorted(zip(documents[~inside].tolist(), numbers[~inside].tolist()))
    if (covered[raw] == 1).all() and not (covered[~raw] > 0).any() and not beyond:
        return []
    found = []  # (document, 0 for a raw line / 1 outside, number, problem): per document, as they are sorted
    for position in np.flatnonzero(raw & (covered != 1)).tolist():
        document, line_no, where = space.where(position)
        found.append((document, 0, line_no, f"{where} is read or quarantined {covered[position]} times, not once"))
    outside = [space.where(position)[:2] for position in np.flatnonzero(~raw & (covered > 0)).tolist()]
    for document, line_no in sorted(set(outside + beyond)):
        first = int(read.first_line_nos[document])
        last = first + int(read.n_raw_lines[document]) - 1
        where = f"{read.source_files[document]}:{line_no}"
        found.append((document, 1, line_no, f"{where} is outside the document's lines {first}-{last}"))
    return [problem for *_, problem in sorted(found)]


class _Claims:
    """Where the articles, removed lines and duplicates put each line: (document, number) pairs, counted."""

    def __init__(self, space: _NumberSpace):
        self.space = space
        self.documents: list[int] = []
        self.line_nos: list[int] = []
        self.weights: list[int] = []
        self.unread_files: dict[str, list[int]] = {}  # claims on files no document is of

    def add(self, source_file: str, line_no: int, times: int = 1) -> None:
        document = self.space.document_of.get(source_file)
        if document is None:
            if times:
                self.unread_files.setdefault(source_file, []).append(line_no)
            return
        self.documents.append(document)
        self.line_nos.append(line_no)
        self.weights.append(times)

    def add_removed(self, removed: Iterable[RemovedLine]) -> None:
        """Claim each removed line (add, without a call per line)."""
        document_of, documents, line_nos = self.space.document_of, self.documents, self.line_nos
        for line in removed:
            document = document_of.get(line.source_file)
            if document is None:
                self.unread_files.setdefault(line.source_file, []).append(line.line_no)
            else:
                documents.append(document)
                line_nos.append(line.line_no)
        self.weights += [1] * (len(line_nos) - len(self.weights))

    def add_kept(self, articles: Iterable[CleanArticle]) -> int:
        """Claim the lines of the articles' titles and paragraphs; how many claims that makes."""
        n_claims = 0
        for article in articles:
            document = self.space.document_of.get(article.source_file)
            line_nos = []
            for paragraph in article.paragraphs:
                if paragraph.line_end is None:  # one line: Paragraph.line_numbers without making a range
                    line_nos.append(paragraph.line_no)
                else:
                    line_nos.extend(range(paragraph.line_no, paragraph.line_end + 1))
            if article.title_line_no is not None:
                line_nos.append(article.title_line_no)
            n_claims += len(line_nos)
            if document is None:
                self.unread_files.setdefault(article.source_file, []).extend(line_nos)
            else:
                self.documents += [document] * len(line_nos)
                self.line_nos += line_nos
                self.weights += [1] * len(line_nos)
        return n_claims

    def problems(self) -> list[str]:
        """Each text line placed exactly once (its number claimed as many times as it has text lines; a
        blank line at most once more) and no line claimed that was not read: the wrong counts in line
        order, then the lines claimed but not read."""
        space = self.space
        documents = np.array(self.documents, dtype=np.int64)
        line_nos = np.array(self.line_nos, dtype=np.int64)
        weights = np.array(self.weights, dtype=np.int64)
        inside = space.inside(documents, line_nos)
        claims = space.count(space.at(documents[inside], line_nos[inside]), weights[inside])
        lines = space.lines
        texts = lines - space.count(space.line_positions[space.read.blank])
        read = lines > 0
        problems = []
        for position in np.flatnonzero(read & ((claims < texts) | (claims > lines))).tolist():
            _, _, where = space.where(position)
            count, n_texts = claims[position], texts[position]
            if n_texts == 0:
                problems.append(f"{where} (blank) is claimed {count} times")
            elif n_texts == 1:
                problems.append(f"{where} is claimed {count} times, not once")
            else:
                problems.append(f"{where} holds {n_texts} text lines but is claimed {count} times")
        not_read = [space.where(position)[:2] for position in np.flatnonzero(~read & (claims > 0)).tolist()]
        outside = ~inside & (weights > 0)
        not_read += zip(documents[outside].tolist(), line_nos[outside].tolist())
        where = [f"{space.read.source_files[document]}:{line_no}" for document, line_no in sorted(set(not_read))]
        where += [f"{name}:{line_no}" for name, line_nos in self.unread_files.items() for line_no in sorted(set(line_nos))]
        return problems + [f"{place} is claimed but was never read" for place in where]
