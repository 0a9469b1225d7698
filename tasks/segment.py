"""Segment: paragraphs and sentences of each unique article, with offsets into its clean text.

The article's text is its paragraphs joined by newlines, so paragraph i starts where the previous one
ended plus one; sentence spans come from tasks/sentences.py and are shifted by the paragraph's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tasks.records import CleanArticle
from tasks.sentences import split_sentences


# Rows are NamedTuples, not frozen dataclasses: a frozen dataclass costs three times as much to create,
# and an article has a row per paragraph and per sentence.
class ParagraphRow(NamedTuple):
    article_id: str
    paragraph_index: int
    kind: str
    language: str
    text: str
    char_start: int
    char_end: int
    line_no: int
    line_end: int


class SentenceRow(NamedTuple):
    article_id: str
    paragraph_index: int
    sentence_index: int
    text: str
    char_start: int
    char_end: int


@dataclass
class Segments:
    paragraphs: list[ParagraphRow]
    sentences: list[SentenceRow]


def _paragraph_language(article: CleanArticle, paragraph_index: int) -> str:
    """The paragraph's own label; a paragraph too short to tell takes the article's."""
    if article.paragraph_languages and article.paragraph_languages[paragraph_index] != "und":
        return article.paragraph_languages[paragraph_index]
    return article.language


def segment_article(article: CleanArticle) -> Segments:
    # Rows are made by tuple.__new__ (in C) from a tuple: calling the class, or its _make, runs Python
    # code, a frame per row.
    new_row = tuple.__new__
    article_id = article.article_id
    paragraphs: list[ParagraphRow] = []
    sentences: list[SentenceRow] = []
    paragraph_start = 0
    for paragraph_index, paragraph in enumerate(article.paragraphs):
        text = paragraph.text
        paragraph_end = paragraph_start + len(text)
        language = _paragraph_language(article, paragraph_index)
        paragraphs.append(
            new_row(
                ParagraphRow,
                (
                    article_id,
                    paragraph_index,
                    paragraph.kind,
                    language,
                    text,
                    paragraph_start,
                    paragraph_end,
                    paragraph.line_no,
                    paragraph.last_line_no,
                ),
            )
        )
        sentences += [
            new_row(SentenceRow, (article_id, paragraph_index, index, text[start:end], paragraph_start + start, paragraph_start + end))
            for index, (start, end) in enumerate(split_sentences(text, language), len(sentences))
        ]
        paragraph_start = paragraph_end + 1  # the newline between paragraphs
    return Segments(paragraphs, sentences)
