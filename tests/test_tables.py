import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from tasks.records import RemovedLine
from tasks.segment import ParagraphRow, SentenceRow
from tasks.tables import WHITE_SPACE, records_table, word_counts


def _cell_by_cell(dataset: str, rows: list) -> dict:
    return {name: [getattr(row, name) for row in rows] for name in records_table(dataset, rows[:1]).column_names}


def test_named_tuple_rows_give_the_columns_of_their_fields_by_name():
    sentences = [SentenceRow("a1", 0, 0, "One.", 0, 4), SentenceRow("a1", 1, 1, "Two two.", 5, 13)]
    paragraphs = [ParagraphRow("a1", 0, "body", "en", "One.", 0, 4, 3, 3), ParagraphRow("a1", 1, "quote", "de", "Zwei.", 5, 10, 4, 6)]
    for dataset, rows in (("sentences", sentences), ("paragraphs", paragraphs)):
        assert records_table(dataset, rows).to_pydict() == _cell_by_cell(dataset, rows)


def test_record_rows_and_no_rows_still_make_tables():
    removed = [RemovedLine("a.txt", 4, "Share this", "social.share_prompt", None)]
    assert records_table("removed_lines", removed).to_pylist() == [
        {"source_file": "a.txt", "line_no": 4, "text": "Share this", "rule": "social.share_prompt", "article_id": None}
    ]
    assert records_table("sentences", []).num_rows == 0


def test_white_space_table_is_str_isspace_over_every_code_point():
    assert np.flatnonzero(WHITE_SPACE).tolist() == [code for code in range(sys.maxunicode + 1) if chr(code).isspace()]


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["one"],
        ["", "  ", "a b", " lead", "trail ", "x"],
        ["tabs\tand\nlines", "no\u00a0break\u3000ideographic\u2028separator", "\x1cfile\x1fseparators\x85"],
        ["word\u200bjoiner stays one word", "lone \udcff surrogate", "😀 astral 𝔘 letters"],
    ],
)
def test_word_counts_are_split_counts(texts):
    assert word_counts(texts) == [len(text.split()) for text in texts]


# Every white space character, their UTF-8 neighbours (same lead bytes: C2, E1-E3), controls and others.
_WORD_ALPHABET = st.sampled_from(
    [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    + ["\x00", "\x08", "\x1b", "\x7f", "\x84", "\x86", "\xa1", "\u167f", "\u1681", "\u200b", "\u2027", "\u2030", "\u3001"]
    + ["\udcff", "a", "é", "ж", "😀", "\u00c2", "\u00e2"]
)


@given(st.lists(st.text(_WORD_ALPHABET, max_size=12) | st.text(max_size=12), max_size=6))
@settings(max_examples=1000)
def test_word_counts_are_split_counts_for_any_text(texts):
    assert word_counts(texts) == [len(text.split()) for text in texts]
