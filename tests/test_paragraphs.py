from tasks.accounting import check_line_accounting
from tasks.clean import clean_article, paragraph_kind
from tasks.config import CleanSettings
from tasks.paragraphs import join_wrapped_lines
from tasks.records import Paragraph
from tasks.rules import load_rules
from tasks.segment import segment_article

from tests.helpers import document, draft

WRAPPED = """Ministers announced on Monday a plan to build
forty new schools in the north of England.

Critics said the money would not arrive
until after the next election.
1. Schools first
2. Hospitals next
Image: Pic: PA
The end of the story."""


def kind_of(text):
    return paragraph_kind(text, 14)


def block_paragraphs():
    settings = CleanSettings()
    article = clean_article(draft(WRAPPED), load_rules(settings), settings)
    article.paragraphs = join_wrapped_lines(article.paragraphs, kind_of)
    return article


def test_wrapped_lines_join_into_paragraphs_but_list_items_and_removed_lines_break_them():
    article = block_paragraphs()
    assert [(p.line_no, p.last_line_no, p.kind, p.text) for p in article.paragraphs] == [
        (1, 2, "body", "Ministers announced on Monday a plan to build forty new schools in the north of England."),
        (4, 5, "body", "Critics said the money would not arrive until after the next election."),
        (6, 6, "list_item", "1. Schools first"),
        (7, 7, "list_item", "2. Hospitals next"),
        (9, 9, "body", "The end of the story."),
    ]


def test_block_paragraphs_keep_offsets_and_line_accounting():
    article = block_paragraphs()
    segments = segment_article(article)
    for row in segments.paragraphs:
        assert article.text[row.char_start : row.char_end] == row.text
    assert [(row.line_no, row.line_end) for row in segments.paragraphs][:2] == [(1, 2), (4, 5)]
    report = check_line_accounting([document(WRAPPED)], [], [article], article.removed, [])
    assert (report.raw_lines, report.kept_lines, report.removed_lines, report.blank_lines) == (9, 7, 1, 1)


def test_line_mode_is_one_paragraph_per_line():
    paragraphs = [Paragraph(1, "body", "a"), Paragraph(2, "body", "b")]
    assert [p.line_numbers for p in paragraphs] == [range(1, 2), range(2, 3)]
