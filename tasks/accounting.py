"""Line accounting: every raw line ends up in exactly one place, or the run fails.

The places: the title or a paragraph of a kept article, a removed_lines row, the span of a duplicates
row, or a quarantine record. Blank lines carry no text; they may fall inside a span or between articles
and need no place of their own, but may not be claimed twice either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tasks.records import CleanArticle, DuplicateRecord, QuarantineRecord, RawDocument, RemovedLine


class LineAccountingError(RuntimeError):
    pass


@dataclass(frozen=True)
class AccountingReport:
    raw_lines: int
    blank_lines: int
    kept_lines: int
    removed_lines: int
    duplicate_lines: int
    quarantined_lines: int


def check_line_accounting(
    documents: list[RawDocument],
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> AccountingReport:
    claims: Counter[tuple[str, int]] = Counter()
    kept_lines = 0
    for article in articles:
        line_numbers = [paragraph.line_no for paragraph in article.paragraphs]
        if article.title_line_no is not None:
            line_numbers.append(article.title_line_no)
        kept_lines += len(line_numbers)
        claims.update((article.source_file, line_no) for line_no in line_numbers)
    claims.update((line.source_file, line.line_no) for line in removed)
    duplicate_lines = 0
    for duplicate in duplicates:
        span = range(duplicate.line_start, duplicate.line_end + 1)
        duplicate_lines += len(span)
        claims.update((duplicate.source_file, line_no) for line_no in span)

    problems: list[str] = []
    raw_lines = blank_lines = 0
    for document in documents:
        for line in document.lines:
            raw_lines += 1
            count = claims.pop((document.source_file, line.line_no), 0)
            if line.is_blank:
                blank_lines += 1
                if count > 1:
                    problems.append(f"{document.source_file}:{line.line_no} (blank) is claimed {count} times")
            elif count != 1:
                problems.append(f"{document.source_file}:{line.line_no} is claimed {count} times, not once")
    problems += [f"{source_file}:{line_no} is claimed but was never read" for source_file, line_no in claims]
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise LineAccountingError(f"line accounting failed: {shown}{more}")

    quarantined_lines = sum(record.n_lines for record in quarantined)
    return AccountingReport(
        raw_lines=raw_lines + quarantined_lines,
        blank_lines=blank_lines,
        kept_lines=kept_lines,
        removed_lines=len(removed),
        duplicate_lines=duplicate_lines,
        quarantined_lines=quarantined_lines,
    )
