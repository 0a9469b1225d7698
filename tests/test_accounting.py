import pytest

from tasks.accounting import LineAccountingError, check_line_accounting
from tasks.records import CleanArticle, DuplicateRecord, Paragraph, QuarantineRecord, RemovedLine

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
