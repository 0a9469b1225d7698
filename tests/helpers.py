"""Builders for the records the stages take, so tests read as raw text in, records out."""

from __future__ import annotations

import datetime as dt

from tasks.config import Settings
from tasks.records import ArticleDraft, RawDocument, RawLine
from tasks.split import make_article_id

DATE = dt.date(2025, 3, 4)


def document(text: str, source_file: str = "a.txt") -> RawDocument:
    lines = text.split("\n")
    return RawDocument(source_file, "utf-8", tuple(RawLine(n, line) for n, line in enumerate(lines, start=1)))


def draft(text: str, source_file: str = "a.txt") -> ArticleDraft:
    raw = document(text, source_file)
    return ArticleDraft(
        make_article_id(DATE, source_file, 1), source_file, 1, len(raw.lines), raw.lines
    )


def settings(**sections: dict) -> Settings:
    return Settings.model_validate(sections)
