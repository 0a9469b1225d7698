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

from collections import Counter, defaultdict
from dataclasses import dataclass

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


def check_line_accounting(
    documents: list[RawDocument],
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> AccountingReport:
    problems: list[str] = []
    by_file = {document.source_file: document for document in documents}
    line_quarantines: dict[str, list[QuarantineRecord]] = defaultdict(list)
    for record in quarantined:
        if record.line_start is None:
            continue
        if record.source_file not in by_file:
            problems.append(f"{record.source_file}:{record.line_start} is quarantined but its file was never read")
        line_quarantines[record.source_file].append(record)

    for document in documents:
        problems += _coverage_problems(document, line_quarantines.get(document.source_file, []))

    claims: Counter[tuple[str, int]] = Counter()
    kept_lines = 0
    for article in articles:
        line_numbers = [line_no for paragraph in article.paragraphs for line_no in paragraph.line_numbers]
        if article.title_line_no is not None:
            line_numbers.append(article.title_line_no)
        kept_lines += len(line_numbers)
        claims.update((article.source_file, line_no) for line_no in line_numbers)
    claims.update((line.source_file, line.line_no) for line in removed)
    duplicate_lines = 0
    lines_per_number: dict[str, Counter[int]] = {}
    for duplicate in duplicates:
        # A duplicate claims every line its span holds: a record's text lines share one number, and a
        # line quarantined inside the span (an over-long line) is not the duplicate's to claim.
        document = by_file.get(duplicate.source_file)
        if document is not None and duplicate.source_file not in lines_per_number:
            lines_per_number[duplicate.source_file] = Counter(line.line_no for line in document.lines)
        for line_no in range(duplicate.line_start, duplicate.line_end + 1):
            if document is None or line_no not in document.line_numbers:
                n_lines = 1  # flagged below as claimed but never read
            else:
                n_lines = lines_per_number[duplicate.source_file][line_no]
            duplicate_lines += n_lines
            claims[(duplicate.source_file, line_no)] += n_lines

    raw_lines = blank_lines = 0
    for document in documents:
        raw_lines += document.raw_line_count
        # Counted by Counter's C loop from lists: a `+= 1` per line into a Counter calls its Python
        # __missing__ for every new number. (`not text or text.isspace()` is RawLine.is_blank, inlined.)
        lines_at = Counter([line.line_no for line in document.lines])
        blank_at = Counter([line.line_no for line in document.lines if not line.text or line.text.isspace()])
        blank_lines += sum(blank_at.values())
        source_file = document.source_file
        for line_no in sorted(lines_at):
            count = claims.pop((source_file, line_no), 0)
            blanks = blank_at.get(line_no, 0)
            texts = lines_at[line_no] - blanks
            if texts <= count <= texts + blanks:
                continue
            where = f"{document.source_file}:{line_no}"
            if texts == 0:
                problems.append(f"{where} (blank) is claimed {count} times")
            elif texts == 1:
                problems.append(f"{where} is claimed {count} times, not once")
            else:
                problems.append(f"{where} holds {texts} text lines but is claimed {count} times")
    problems += [
        f"{source_file}:{line_no} is claimed but was never read" for (source_file, line_no), count in claims.items() if count
    ]
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LineAccountingError(f"line accounting failed: {shown}{more}")

    whole_files = [record for record in quarantined if record.line_start is None]
    return AccountingReport(
        raw_lines=raw_lines + sum(record.n_lines for record in whole_files),
        blank_lines=blank_lines,
        kept_lines=kept_lines,
        removed_lines=len(removed),
        duplicate_lines=duplicate_lines,
        quarantined_lines=sum(record.n_lines for record in quarantined),
    )


def _coverage_problems(document: RawDocument, quarantines: list[QuarantineRecord]) -> list[str]:
    """Each raw line of the document (1..n for a whole file) read into it or quarantined, exactly once."""
    read = {line.line_no for line in document.lines}
    numbers = document.line_numbers
    if not document.records and not quarantines and _fills(read, numbers):
        return []  # the common case, a text file read whole: each number read once, none outside
    covered: Counter[int] = Counter(dict.fromkeys(read, 1))
    for record in document.records or ():
        covered.update(range(record.line_start + 1, record.line_end + 1))  # the first line holds its text
    for record in quarantines:
        covered.update(range(record.line_start, (record.line_end or record.line_start) + 1))
    problems = [
        f"{document.source_file}:{line_no} is read or quarantined {covered[line_no]} times, not once"
        for line_no in numbers
        if covered[line_no] != 1
    ]
    problems += [
        f"{document.source_file}:{line_no} is outside the document's lines {numbers.start}-{numbers.stop - 1}"
        for line_no in sorted(covered)
        if line_no not in numbers
    ]
    return problems


def _fills(numbers: set[int], expected: range) -> bool:
    """Whether the set is every number of the range: as many distinct numbers, all inside it."""
    if len(numbers) != len(expected):
        return False
    return not numbers or (min(numbers) >= expected.start and max(numbers) < expected.stop)
