"""Per-line features for the line classifier (tasks/line_classifier.py): cheap facts the cleaning passes
already know or can count in one look at a line and its neighbours.

Every feature is a number in a small range (flags are 0/1, shares 0..1, lengths as logarithms), so the
classifier's weights can be read side by side. The features of a line are taken after every earlier pass
has run: a line's neighbours may have been removed by a rule, and a kept line's text density class
(tasks/text_density.py, before settling by neighbours) is known.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from tasks.structure import LineVerdict
from tasks.text_density import BAD, GOOD, NEAR_GOOD, SHORT, stopword_density, words
from tasks.textlines import (
    is_label_value,
    is_link_like,
    is_list_item,
    is_short_unpunctuated,
    last_meaningful_char,
    word_count,
)

# How far to look for removed lines around a line (lines, both sides): page furniture comes in clusters.
NEIGHBOURHOOD = 3
# A link-like line has at most this many words (as structure.link_max_words).
LINK_MAX_WORDS = 14
# Characters of a line's head from which its character and capital shares are taken.
HEAD_CHARS = 200
# Adjacent kept lines that are not prose from which they make a list (see in_list_runs).
LIST_MIN_LINES = 3
_SENTENCE_END = ".!?…。！？"
_CLAUSE_END = ",;:"
_OPENING_QUOTES = "\"“„«‘'"
_NOT_DIGITS = re.compile(r"\D+")
_WORD_OR_SPACE = re.compile(r"[\w\s]+")
_SEPARATORS = ("|", "•", "·", "»", "›", " / ")
# Words that speak to the reader: prompts to subscribe, share, download ("Sign up for your newsletter",
# "Laden Sie die App"); a news story speaks of third persons. German "Sie" counts only in capitals and
# not as the first word (elsewhere it is "she" / "they").
_READER_WORDS = frozenset(
    "you your yours you're you'll du dein deine deinen deinem dich dir euch euer eure vous votre vos "
    "usted ustedes tu tus vostro vostra".split()
)
_FORMAL_READER_WORDS = frozenset("Sie Ihnen Ihr Ihre Ihren Ihrem".split())
# Words of page furniture in the five languages with stopword lists (a soft hint, not a rule: a story
# about a newsletter keeps its paragraphs if everything else about them is prose).
_FURNITURE_WORDS = frozenset(
    "newsletter subscribe subscription sign login log register download app podcast cookie cookies click "
    "share comment comments follow advertisement sponsored ad ads anzeige werbung abo abonnieren abonnement "
    "anmelden registrieren teilen kommentare kommentar folgen herunterladen newsletters inscrivez abonnez "
    "partager commentaires publicité suscríbete suscribirse compartir comentarios publicidad iscriviti "
    "condividi commenti pubblicità".split()
)
# Words of picture and video credits and captions.
_MEDIA_WORDS = frozenset(
    "photo photos foto fotos image images bild bilder picture pictures video videos getty reuters afp dpa "
    "ap epa imago archivbild screenshot credit supplied istock shutterstock".split()
)

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
    "reader_words",  # words that speak to the reader, at most 2, halved ("your", "Sie")
    "furniture_words",  # words of page furniture, at most 2, halved ("newsletter", "teilen")
    "media_words",  # words of picture credits, at most 2, halved ("Foto", "Getty")
    "ends_colon",
    "name_like",  # at most 4 words, all capitalised, no end mark: an author's name, a menu item
    "first_line",
    "last_line",
    "prose_mass_above",  # share of the article's good lines' characters above this line
    "said_elsewhere",  # the line (20+ characters) occurs again in another line: a pull quote, a teaser
    "previous_kept_headline_like",  # the nearest kept line above is short and has no end mark
    "next_kept_headline_like",
    "topic_overlap",  # share of the line's content words (4+ letters, not function words) found in other kept lines
    "title_overlap",  # share of the line's content words found in the article's title
)


@dataclass(frozen=True)
class ArticleContext:
    """What the passes found out about the whole article, shared by all its lines' features."""

    stopwords: frozenset[str]
    page: bool
    story_start: int  # index of the first of the story's first two paragraphs in a row
    title: str | None = None


def _char_shares(text: str) -> tuple[float, float]:
    """Shares of digits and of symbols (neither word characters nor spaces) in the line; the regex
    engine deletes the other characters faster than a loop can count them."""
    digits = len(_NOT_DIGITS.sub("", text))
    symbols = len(_WORD_OR_SPACE.sub("", text))
    return digits / len(text), symbols / len(text)


def _capitalised_share(tokens: list[str]) -> float:
    alphabetic = [token for token in tokens if token[0].isalpha()]
    return sum(token[0].isupper() for token in alphabetic) / len(alphabetic) if alphabetic else 0.0


def own_features(text: str, density_class: str, stopwords: frozenset[str]) -> list[float]:
    """The features of a line on its own (FEATURE_NAMES from log_chars to class_near_good)."""
    # Shares of characters and words are taken from the line's head: they tell furniture from prose on
    # short lines, and a long paragraph's tail would only cost time.
    head = text[:HEAD_CHARS]
    tokens = head.split()
    end = last_meaningful_char(text)
    digit_share, symbol_share = _char_shares(head)
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


def lexical_features(text: str, tokens: list[str]) -> list[float]:
    """reader_words to name_like: what the line's words say about whom it speaks to and what it is."""
    lowered = words(text)
    formal = sum(token in _FORMAL_READER_WORDS for token in tokens[1:])
    reader = sum(map(_READER_WORDS.__contains__, lowered)) + formal
    end = last_meaningful_char(text)
    name_like = (
        0 < len(tokens) <= 4
        and all(token[0].isupper() for token in tokens)
        and end not in _SENTENCE_END + _CLAUSE_END
    )
    return [
        min(reader, 2) / 2,
        min(sum(map(_FURNITURE_WORDS.__contains__, lowered)), 2) / 2,
        min(sum(map(_MEDIA_WORDS.__contains__, lowered)), 2) / 2,
        float(end == ":"),
        float(name_like),
    ]


def _nearest_kept(flags: list[bool]) -> tuple[list[float], list[float]]:
    """For each kept line, given a flag per kept line: the flag of the nearest kept line above (below)."""
    above = [0.0] + [float(flag) for flag in flags[:-1]]
    below = [float(flag) for flag in flags[1:]] + [0.0]
    return above, below


def _removed_nearby(verdicts: list[LineVerdict]) -> np.ndarray:
    """For each line, the removed lines within NEIGHBOURHOOD on each side, from a running sum."""
    removed = np.array([not verdict.kept for verdict in verdicts], dtype=float)
    padded = np.concatenate([np.zeros(NEIGHBOURHOOD + 1), removed, np.zeros(NEIGHBOURHOOD)])
    running = np.cumsum(padded)
    return running[2 * NEIGHBOURHOOD + 1 :] - running[: len(removed)]


def _said_elsewhere(text: str, all_text: str) -> bool:
    """Does the line occur again in the article? Short lines ("Amazon") occur inside sentences by chance."""
    return len(text) >= 20 and all_text.count(text.casefold()) >= 2


def in_list_runs(verdicts: list[LineVerdict], positions: list[int], min_lines: int = LIST_MIN_LINES) -> np.ndarray:
    """For each kept line at `positions`: does it stand in a run of at least `min_lines` adjacent kept
    lines that are not prose? Such a run is a list (results, fixtures, an award's winners, a spec sheet)
    or a menu, which structure.link_run judges as a whole; the classifier judges lines on their own."""
    short = [verdict.kept and verdict.density_class not in (GOOD, NEAR_GOOD) for verdict in verdicts]
    run_length = [0] * len(verdicts)
    start = 0
    while start < len(verdicts):
        end = start
        while end < len(verdicts) and short[end]:
            end += 1
        for index in range(start, end):
            run_length[index] = end - start
        start = end + 1
    return np.array([run_length[index] >= min_lines for index in positions], dtype=bool)


def _content_words(text: str, stopwords: frozenset[str]) -> list[str]:
    return [token for token in words(text) if len(token) >= 4 and token not in stopwords and not token.isdigit()]


def _overlaps(kept: list[LineVerdict], context: ArticleContext) -> tuple[list[float], list[float]]:
    """For each kept line: the share of its content words that other kept lines use, and that the title
    uses. A story's lines share its names and themes; a teaser of another story or an outlet's prompt
    shares few."""
    per_line = [_content_words(verdict.text, context.stopwords) for verdict in kept]
    lines_using: dict[str, int] = {}
    for line_words in per_line:
        for token in set(line_words):
            lines_using[token] = lines_using.get(token, 0) + 1
    title_words = set(_content_words(context.title or "", context.stopwords))
    topic, title = [], []
    for line_words in per_line:
        if not line_words:
            topic.append(0.0)
            title.append(0.0)
            continue
        topic.append(sum(lines_using[token] > 1 for token in line_words) / len(line_words))
        title.append(sum(token in title_words for token in line_words) / len(line_words))
    return topic, title


def feature_matrix(verdicts: list[LineVerdict], context: ArticleContext) -> tuple[list[int], np.ndarray]:
    """Indexes of the kept lines and their features (one row each, columns as FEATURE_NAMES)."""
    kept_positions = [index for index, verdict in enumerate(verdicts) if verdict.kept]
    if not kept_positions:
        return [], np.zeros((0, len(FEATURE_NAMES)))
    window = _removed_nearby(verdicts)
    kept = [verdicts[index] for index in kept_positions]
    prose = [verdict.density_class in (GOOD, NEAR_GOOD) for verdict in kept]
    prose_above, prose_below = _nearest_kept(prose)
    headline_above, headline_below = _nearest_kept([is_short_unpunctuated(v.text, LINK_MAX_WORDS) for v in kept])
    good_chars = np.cumsum([len(verdict.text) if verdict.density_class == GOOD else 0 for verdict in kept])
    total_good = max(int(good_chars[-1]), 1)
    last_prose = max((order for order, flag in enumerate(prose) if flag), default=-1)
    all_text = "\n".join(verdict.text.casefold() for verdict in verdicts)
    topic_overlap, title_overlap = _overlaps(kept, context)
    last = max(len(verdicts) - 1, 1)
    rows = []
    for order, (index, verdict) in enumerate(zip(kept_positions, kept)):
        tokens = verdict.text.split()
        rows.append(
            [1.0]
            + own_features(verdict.text, verdict.density_class, context.stopwords)
            + [
                float(context.page),
                float(index > 0 and not verdicts[index - 1].kept),
                float(index + 1 < len(verdicts) and not verdicts[index + 1].kept),
                window[index] / (2 * NEIGHBOURHOOD),
                prose_above[order],
                prose_below[order],
                float(index < context.story_start),
                float(order > last_prose),
                index / last,
            ]
            + lexical_features(verdict.text, tokens)
            + [
                float(index == 0),
                float(index == len(verdicts) - 1),
                (good_chars[order] - (len(verdict.text) if verdict.density_class == GOOD else 0)) / total_good,
                float(_said_elsewhere(verdict.text, all_text)),
                headline_above[order],
                headline_below[order],
                topic_overlap[order],
                title_overlap[order],
            ]
        )
    return kept_positions, np.array(rows, dtype=float)
