from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.accounting import LineAccountingError, ReadLines, account_lines, check_line_accounting
from tasks.records import (
    ArticleMetadata,
    CleanArticle,
    DuplicateRecord,
    Paragraph,
    QuarantineRecord,
    RawDocument,
    RawLine,
    RawRecord,
    RemovedLine,
)

from tests.accounting_reference import plain_account_lines
from tests.helpers import DATE, document

RAW = document("Title\n\nBody one.\nImage: Pic: AP\nBody two.\n\nCopy one.\nCopy two.")


def kept(*line_numbers, title_line_no=1):
    paragraphs = [Paragraph(n, "body", f"line {n}") for n in line_numbers]
    return CleanArticle("a1", "a.txt", 1, 5, "Title", title_line_no, paragraphs, [])


REMOVED = [RemovedLine("a.txt", 4, "Image: Pic: AP", "generic.image_caption", "a1")]
DUPLICATE = [DuplicateRecord("a2", "a.txt", 7, 8, "x", DATE, "exact", 1.0)]


def test_every_line_in_exactly_one_place_passes_and_is_counted():
    report = check_line_accounting([RAW], [QuarantineRecord("b.bin", "binary_file", "", n_lines=3)], [kept(3, 5)], REMOVED, DUPLICATE)
    assert (report.raw_lines, report.blank_lines, report.kept_lines, report.removed_lines, report.duplicate_lines) == (11, 2, 3, 1, 2)


def test_a_lost_line_fails_the_check():
    with pytest.raises(LineAccountingError, match=r"a.txt:5 is claimed 0 times"):
        check_line_accounting([RAW], [], [kept(3)], REMOVED, DUPLICATE)


def test_a_line_in_two_places_fails_the_check():
    doubled = REMOVED + [RemovedLine("a.txt", 3, "Body one.", "user.x", "a1")]
    with pytest.raises(LineAccountingError, match=r"a.txt:3 is claimed 2 times"):
        check_line_accounting([RAW], [], [kept(3, 5)], doubled, DUPLICATE)


def test_a_lost_title_line_fails_the_check():
    with pytest.raises(LineAccountingError, match=r"a.txt:1 is claimed 0 times"):
        check_line_accounting([RAW], [], [kept(3, 5, title_line_no=None)], REMOVED, DUPLICATE)


def test_a_claim_on_a_line_that_was_never_read_fails():
    with pytest.raises(LineAccountingError, match=r"a.txt:9 is claimed but was never read"):
        check_line_accounting([RAW], [], [kept(3, 5, 9)], REMOVED, DUPLICATE)


def _text_file(*line_numbers: int, n_raw_lines: int) -> RawDocument:
    lines = tuple(RawLine(n, f"line {n}") for n in line_numbers)
    return RawDocument("t.txt", "utf-8", lines, n_raw_lines)


def _all_removed(*line_numbers: int) -> list[RemovedLine]:
    return [RemovedLine("t.txt", n, f"line {n}", "user.x", None) for n in line_numbers]


def test_a_raw_line_neither_read_nor_quarantined_fails():
    with pytest.raises(LineAccountingError, match=r"t.txt:4 is read or quarantined 0 times"):
        check_line_accounting([_text_file(1, 2, 3, n_raw_lines=4)], [], [], _all_removed(1, 2, 3), [])


def test_a_line_numbered_outside_its_file_fails_even_when_the_count_matches():
    # As many distinct numbers as raw lines, but one of them past the end: line 3 is missing.
    with pytest.raises(LineAccountingError, match=r"t.txt:3 is read or quarantined 0 times.*t.txt:5 is outside"):
        check_line_accounting([_text_file(1, 2, 5, n_raw_lines=3)], [], [], _all_removed(1, 2, 5), [])


def test_a_line_both_read_and_quarantined_fails():
    quarantined = [QuarantineRecord("t.txt", "line_too_long", "", 2, 2, 1)]
    with pytest.raises(LineAccountingError, match=r"t.txt:2 is read or quarantined 2 times"):
        check_line_accounting([_text_file(1, 2, 3, n_raw_lines=3)], quarantined, [], _all_removed(1, 2, 3), [])


def test_a_file_read_whole_passes_with_blank_and_repeated_text_lines():
    lines = (RawLine(1, "a"), RawLine(2, " "), RawLine(3, "b"), RawLine(3, "c"), RawLine(4, ""))
    report = check_line_accounting([RawDocument("t.txt", "utf-8", lines, 4)], [], [], _all_removed(1, 3, 3), [])
    assert (report.raw_lines, report.blank_lines, report.removed_lines) == (4, 2, 3)


# --- the numpy accounting against the plain one ------------------------------------------------------

FILES = ("a.txt", "b.txt", "c.txt")  # c.txt is never read: claims on it are claims on an unread file
TEXTS = ("", " ", "x", "y")


@st.composite
def documents(draw) -> list[RawDocument]:
    """Documents of a.txt and b.txt whose lines, records and numbers may be faulty in any way."""
    found = []
    for source_file in draw(st.lists(st.sampled_from(FILES[:2]), unique=True)):
        first = draw(st.sampled_from([1, 4]))
        n_raw_lines = draw(st.integers(0, 6))
        numbers = st.integers(first - 1, first + n_raw_lines + 1)
        lines = tuple(RawLine(n, text) for n, text in draw(st.lists(st.tuples(numbers, st.sampled_from(TEXTS)), max_size=10)))
        records = None
        if draw(st.booleans()):
            spans = draw(st.lists(st.tuples(numbers, st.integers(0, 2)), max_size=3))
            records = tuple(RawRecord(start, start + extra, (), ArticleMetadata("utf-8")) for start, extra in spans)
        found.append(RawDocument(source_file, "utf-8", lines, n_raw_lines, records, first_line_no=first))
    return found


line_numbers = st.integers(0, 12)


@st.composite
def claims(draw) -> tuple[list[QuarantineRecord], list[CleanArticle], list[RemovedLine], list[DuplicateRecord]]:
    files = st.sampled_from(FILES)
    quarantined = [
        QuarantineRecord(source_file, "x", "", start, None if extra is None else start + extra, 1)
        for source_file, start, extra in draw(st.lists(st.tuples(files, line_numbers, st.none() | st.integers(0, 2)), max_size=3))
    ]
    quarantined += [QuarantineRecord("whole.bin", "binary_file", "", n_lines=3)] if draw(st.booleans()) else []
    articles = []
    for index, (source_file, title, spans) in enumerate(
        draw(st.lists(st.tuples(files, st.none() | line_numbers, st.lists(st.tuples(line_numbers, st.none() | st.integers(0, 2)), max_size=4)), max_size=4))
    ):
        paragraphs = [Paragraph(start, "body", "p", None if extra is None else start + extra) for start, extra in spans]
        articles.append(CleanArticle(f"a{index}", source_file, 1, 9, None, title, paragraphs, []))
    removed = [RemovedLine(source_file, n, "r", "user.x", None) for source_file, n in draw(st.lists(st.tuples(files, line_numbers), max_size=8))]
    duplicates = [
        DuplicateRecord(f"d{index}", source_file, start, start + extra, "x", DATE, "exact", 1.0)
        for index, (source_file, start, extra) in enumerate(draw(st.lists(st.tuples(files, line_numbers, st.integers(0, 3)), max_size=2)))
    ]
    return quarantined, articles, removed, duplicates


@given(documents(), claims())
@settings(max_examples=500, deadline=None)
def test_finds_the_same_problems_and_counts_as_the_plain_accounting(read, claimed):
    problems, report = account_lines(read, *claimed)
    plain_problems, plain_report = plain_account_lines(read, *claimed)
    assert sorted(problems) == sorted(plain_problems)
    assert report == plain_report


@st.composite
def accounted_for(draw):
    """Documents and claims with every line in exactly one place: each text line of a number claimed once,
    by a paragraph, a title, a removed line or a duplicate span; each blank line at most once."""
    read = draw(documents())
    articles, removed, duplicates = [], [], []
    for document in read:
        texts = Counter(line.line_no for line in document.lines if not line.is_blank)
        blanks = Counter(line.line_no for line in document.lines if line.is_blank)
        for line_no in sorted(set(texts) | set(blanks)):
            n_claims = texts[line_no] + draw(st.integers(0, blanks[line_no]))
            if n_claims == texts[line_no] + blanks[line_no] and document.line_numbers.start <= line_no < document.line_numbers.stop and draw(st.booleans()):
                duplicates.append(DuplicateRecord(f"d{line_no}", document.source_file, line_no, line_no, "x", DATE, "exact", 1.0))
                continue
            for _ in range(n_claims):
                if draw(st.booleans()):
                    removed.append(RemovedLine(document.source_file, line_no, "r", "user.x", None))
                else:
                    title = line_no if draw(st.booleans()) else None
                    paragraphs = [] if title is not None else [Paragraph(line_no, "body", "p")]
                    articles.append(CleanArticle(f"a{len(articles)}", document.source_file, 1, 9, None, title, paragraphs, []))
    return read, articles, removed, duplicates


@given(accounted_for())
@settings(max_examples=300, deadline=None)
def test_lines_all_in_one_place_are_counted_as_the_plain_accounting_counts_them(case):
    read, articles, removed, duplicates = case
    problems, report = account_lines(read, [], articles, removed, duplicates)
    plain_problems, plain_report = plain_account_lines(read, [], articles, removed, duplicates)
    assert sorted(problems) == sorted(plain_problems)
    assert report == plain_report
    assert not [problem for problem in problems if "claimed" in problem]
