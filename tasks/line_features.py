"""Per-line features for the line classifier (tasks/line_classifier.py): cheap facts the cleaning passes
already know or can count in one look at a line and its neighbours.

Every feature is a number in a small range (flags are 0/1, shares 0..1, lengths as logarithms), so the
classifier's weights can be read side by side. The features of a line are taken after every earlier pass
has run: a line's neighbours may have been removed by a rule, and a kept line's text density class
(tasks/text_density.py, before settling by neighbours) is known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tasks.structure import LineVerdict
from tasks.text_density import BAD, GOOD, NEAR_GOOD, SHORT, stopword_density
from tasks.textlines import (
    is_label_value,
    is_link_like,
    is_list_item,
    last_meaningful_char,
    word_count,
)

# How far to look for removed lines around a line (lines, both sides): page furniture comes in clusters.
NEIGHBOURHOOD = 3
# A link-like line has at most this many words (as structure.link_max_words).
LINK_MAX_WORDS = 14
_SENTENCE_END = ".!?…。！？"
_CLAUSE_END = ",;:"
_OPENING_QUOTES = "\"“„«‘'"
_SEPARATORS = ("|", "•", "·", "»", "›", " / ")

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "log_chars",  # log(1 + characters)
    "log_words",  # log(1 + words)
    "stopword_share",  # share of the line's words that are function words (0 when the language has no list)
    "no_stopword_list",  # the article's language has no list: stopword_share says nothing
    "ends_sentence",
    "ends_question",
    "ends_clause",  # , ; :
    "starts_upper",
    "capitalised_share",  # share of words that start with a capital (a headline, a name, a menu)
    "digit_share",  # share of characters that are digits (dates, scores, prices)
    "symbol_share",  # share of characters that are neither letters, digits nor spaces
    "link_like",  # short, no sentence or clause end (tasks/textlines.is_link_like)
    "label_value",  # "Price: £40"
    "list_item",
    "opens_quote",
    "has_separator",  # "Home | News", "A · B"
    "class_bad",  # text density class of the line on its own (good is the base)
    "class_short",
    "class_near_good",
    "page",  # the article is a full web page (tasks/main_text.looks_like_page)
    "previous_removed",  # the line right above was removed by an earlier pass
    "next_removed",
    "removed_nearby",  # share of the NEIGHBOURHOOD lines on each side removed by earlier passes
    "previous_kept_prose",  # the nearest kept line above is prose (good or near good)
    "next_kept_prose",
    "before_story",  # above the story's first two paragraphs in a row (tasks/main_text.first_paragraph_pair)
    "after_last_prose",  # below the last kept prose line
    "relative_position",  # 0 at the first line, 1 at the last
)


@dataclass(frozen=True)
class ArticleContext:
    """What the passes found out about the whole article, shared by all its lines' features."""

    stopwords: frozenset[str]
    page: bool
    story_start: int  # index of the first of the story's first two paragraphs in a row


def _char_shares(text: str) -> tuple[float, float]:
    digits = symbols = 0
    for char in text:
        if char.isdigit():
            digits += 1
        elif not (char.isalpha() or char.isspace()):
            symbols += 1
    return digits / len(text), symbols / len(text)


def _capitalised_share(tokens: list[str]) -> float:
    alphabetic = [token for token in tokens if token[0].isalpha()]
    return sum(token[0].isupper() for token in alphabetic) / len(alphabetic) if alphabetic else 0.0


def own_features(text: str, density_class: str, stopwords: frozenset[str]) -> list[float]:
    """The features of a line on its own (FEATURE_NAMES from log_chars to class_near_good)."""
    tokens = text.split()
    end = last_meaningful_char(text)
    digit_share, symbol_share = _char_shares(text)
    return [
        math.log1p(len(text)),
        math.log1p(word_count(text)),
        stopword_density(text, stopwords) if stopwords else 0.0,
        float(not stopwords),
        float(end in _SENTENCE_END),
        float(end == "?"),
        float(end in _CLAUSE_END),
        float(text[0].isupper()),
        _capitalised_share(tokens),
        digit_share,
        symbol_share,
        float(is_link_like(text, LINK_MAX_WORDS)),
        float(is_label_value(text)),
        float(is_list_item(text)),
        float(text[0] in _OPENING_QUOTES),
        float(any(separator in text for separator in _SEPARATORS)),
        float(density_class == BAD),
        float(density_class == SHORT),
        float(density_class == NEAR_GOOD),
    ]


def _nearest_kept_is_prose(verdicts: list[LineVerdict], kept_positions: list[int]) -> tuple[list[float], list[float]]:
    """For each kept line: is the nearest kept line above (below) it prose?"""
    prose = [verdicts[index].density_class in (GOOD, NEAR_GOOD) for index in kept_positions]
    above = [0.0] + [float(flag) for flag in prose[:-1]]
    below = [float(flag) for flag in prose[1:]] + [0.0]
    return above, below


def feature_matrix(verdicts: list[LineVerdict], context: ArticleContext) -> tuple[list[int], np.ndarray]:
    """Indexes of the kept lines and their features (one row each, columns as FEATURE_NAMES)."""
    kept_positions = [index for index, verdict in enumerate(verdicts) if verdict.kept]
    if not kept_positions:
        return [], np.zeros((0, len(FEATURE_NAMES)))
    removed = np.array([not verdict.kept for verdict in verdicts], dtype=float)
    # Removed lines within NEIGHBOURHOOD on each side, from a running sum (the line itself is kept).
    padded = np.concatenate([np.zeros(NEIGHBOURHOOD + 1), removed, np.zeros(NEIGHBOURHOOD)])
    running = np.cumsum(padded)
    window = running[2 * NEIGHBOURHOOD + 1 :] - running[: len(removed)]
    prose_positions = [index for index in kept_positions if verdicts[index].density_class in (GOOD, NEAR_GOOD)]
    last_prose = prose_positions[-1] if prose_positions else -1
    above, below = _nearest_kept_is_prose(verdicts, kept_positions)
    last = max(len(verdicts) - 1, 1)
    rows = []
    for order, index in enumerate(kept_positions):
        verdict = verdicts[index]
        rows.append(
            [1.0]
            + own_features(verdict.text, verdict.density_class, context.stopwords)
            + [
                float(context.page),
                float(index > 0 and not verdicts[index - 1].kept),
                float(index + 1 < len(verdicts) and not verdicts[index + 1].kept),
                window[index] / (2 * NEIGHBOURHOOD),
                above[order],
                below[order],
                float(index < context.story_start),
                float(index > last_prose),
                index / last,
            ]
        )
    return kept_positions, np.array(rows, dtype=float)
