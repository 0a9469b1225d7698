"""Segment: paragraphs and sentences of each unique article, with offsets into its clean text.

The article's text is its paragraphs joined by newlines, so paragraph i starts where the previous one
ended plus one; sentence spans come from tasks/sentences.py and are shifted by the paragraph's start.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks.records import CleanArticle
from tasks.sentences import split_sentences


@dataclass(frozen=True)
class ParagraphRow:
    article_id: str
    paragraph_index: int
    kind: str
    text: str
    char_start: int
    char_end: int
    line_no: int


@dataclass(frozen=True)
class SentenceRow:
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


def segment_article(article: CleanArticle) -> Segments:
    paragraphs: list[ParagraphRow] = []
    sentences: list[SentenceRow] = []
    paragraph_start = 0
    for paragraph_index, paragraph in enumerate(article.paragraphs):
        paragraph_end = paragraph_start + len(paragraph.text)
        paragraphs.append(
            ParagraphRow(
                article.article_id,
                paragraph_index,
                paragraph.kind,
                paragraph.text,
                paragraph_start,
                paragraph_end,
                paragraph.line_no,
            )
        )
        for start, end in split_sentences(paragraph.text, article.language):
            sentences.append(
                SentenceRow(
                    article.article_id,
                    paragraph_index,
                    len(sentences),
                    paragraph.text[start:end],
                    paragraph_start + start,
                    paragraph_start + end,
                )
            )
        paragraph_start = paragraph_end + 1  # the newline between paragraphs
    return Segments(paragraphs, sentences)
