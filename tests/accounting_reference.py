"""The line accounting as first written, one line at a time in plain Python (tasks/accounting.py before it
counted with numpy): the reference that tests/test_accounting.py compares the fast version with."""

from __future__ import annotations

from collections import Counter, defaultdict

from tasks.accounting import AccountingReport
from tasks.records import CleanArticle, DuplicateRecord, QuarantineRecord, RawDocument, RemovedLine


def plain_account_lines(
    documents: list[RawDocument],
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> tuple[list[str], AccountingReport]:
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
    for duplicate in duplicates:
        document = by_file.get(duplicate.source_file)
        for line_no in range(duplicate.line_start, duplicate.line_end + 1):
            if document is None or line_no not in document.line_numbers:
                n_lines = 1
            else:
                n_lines = sum(line.line_no == line_no for line in document.lines)
            duplicate_lines += n_lines
            claims[(duplicate.source_file, line_no)] += n_lines

    raw_lines = blank_lines = 0
    for document in documents:
        raw_lines += document.raw_line_count
        lines_at = Counter(line.line_no for line in document.lines)
        blank_at = Counter(line.line_no for line in document.lines if line.is_blank)
        blank_lines += sum(blank_at.values())
        for line_no in sorted(lines_at):
            count = claims.pop((document.source_file, line_no), 0)
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
    whole_files = [record for record in quarantined if record.line_start is None]
    return problems, AccountingReport(
        raw_lines=raw_lines + sum(record.n_lines for record in whole_files),
        blank_lines=blank_lines,
        kept_lines=kept_lines,
        removed_lines=len(removed),
        duplicate_lines=duplicate_lines,
        quarantined_lines=sum(record.n_lines for record in quarantined),
    )


def _coverage_problems(document: RawDocument, quarantines: list[QuarantineRecord]) -> list[str]:
    numbers = document.line_numbers
    covered: Counter[int] = Counter(dict.fromkeys({line.line_no for line in document.lines}, 1))
    for record in document.records or ():
        covered.update(range(record.line_start + 1, record.line_end + 1))
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
