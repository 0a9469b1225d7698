import pytest

from tasks.accounting import LineAccountingError, check_line_accounting
from tasks.records import CleanArticle, DuplicateRecord, Paragraph, QuarantineRecord, RawDocument, RawLine, RemovedLine

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
