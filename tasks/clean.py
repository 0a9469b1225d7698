"""Clean: classify every line of an article and remove boilerplate, recording the rule that removed it.

A line is one of: title, heading, list_item, quote, body (kept), or boilerplate (removed). Line rules come
from the rule library (tasks/rules/*.yaml plus the user's own); structural rules that need a line's
neighbours live here.
"""

from __future__ import annotations

import re

from tasks.config import CleanSettings
from tasks.records import ArticleDraft, CleanArticle, Paragraph, RemovedLine
from tasks.rules import LineRule

VIDEO_TITLE_RULE = "structure.video_title"

_CLOSING_MARKS = "\"'”’»)]"
_SENTENCE_END = ".!?…"
_OPENING_QUOTES = "\"“„«‘'"
_LIST_ITEM = re.compile(r"(?:\d{1,3}[.)]|[a-z][.)]|[-•*·▪●◦–—])\s+\S")


def _last_meaningful_char(text: str) -> str:
    stripped = text.rstrip().rstrip(_CLOSING_MARKS)
    return stripped[-1] if stripped else ""


def ends_like_sentence(text: str) -> bool:
    return _last_meaningful_char(text) in _SENTENCE_END


def word_count(text: str) -> int:
    return len(text.split())


def is_short_unpunctuated(text: str, max_words: int) -> bool:
    return word_count(text) <= max_words and not ends_like_sentence(text) and _last_meaningful_char(text) not in ",;:"


def paragraph_kind(text: str, heading_max_words: int) -> str:
    if _LIST_ITEM.match(text):
        return "list_item"
    if text[0] in _OPENING_QUOTES:
        return "quote"
    # A short line that does not end a sentence, or a short question ("What is the four-point plan?"),
    # stands above a section rather than inside one.
    if word_count(text) <= heading_max_words and (
        _last_meaningful_char(text) == "?" or is_short_unpunctuated(text, heading_max_words)
    ):
        return "heading"
    return "body"


def _title_line_index(draft: ArticleDraft, rules: list[LineRule], title_max_words: int) -> int | None:
    """Index in draft.lines of a headline: the first line, followed by a blank line, that reads like one."""
    if title_max_words == 0 or len(draft.lines) < 3:
        return None
    first, second = draft.lines[0], draft.lines[1]
    text = first.text.strip()
    if not second.is_blank or not is_short_unpunctuated(text, title_max_words):
        return None
    if any(rule.matches(text) for rule in rules):
        return None
    return 0


def clean_article(draft: ArticleDraft, rules: list[LineRule], settings: CleanSettings) -> CleanArticle:
    title_index = _title_line_index(draft, rules, settings.title_max_words)
    paragraphs: list[Paragraph] = []
    removed: list[RemovedLine] = []
    previous_removed_kind: str | None = None

    for index, line in enumerate(draft.lines):
        if line.is_blank or index == title_index:
            continue
        text = line.text.strip()
        rule = next((rule for rule in rules if rule.matches(text)), None)
        if rule is not None:
            removed.append(RemovedLine(draft.source_file, line.line_no, text, rule.name, draft.article_id))
            previous_removed_kind = rule.kind
            continue
        if previous_removed_kind == "video_duration" and is_short_unpunctuated(text, settings.video_title_max_words):
            # Video embeds render as duration + title ("4:01" / "Britain must 'lead from the front'").
            removed.append(RemovedLine(draft.source_file, line.line_no, text, VIDEO_TITLE_RULE, draft.article_id))
            previous_removed_kind = "video_title"
            continue
        previous_removed_kind = None
        paragraphs.append(Paragraph(line.line_no, paragraph_kind(text, settings.heading_max_words), text))

    title_line = draft.lines[title_index] if title_index is not None else None
    return CleanArticle(
        article_id=draft.article_id,
        source_file=draft.source_file,
        line_start=draft.line_start,
        line_end=draft.line_end,
        title=title_line.text.strip() if title_line else None,
        title_line_no=title_line.line_no if title_line else None,
        paragraphs=paragraphs,
        removed=removed,
    )


def clean_articles(drafts: list[ArticleDraft], rules: list[LineRule], settings: CleanSettings) -> list[CleanArticle]:
    return [clean_article(draft, rules, settings) for draft in drafts]
