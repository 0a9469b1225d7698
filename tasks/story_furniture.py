"""Furniture inside a story that its neighbours give away: headlines above a timestamp, captions above a
picture credit, the first of two short lines between paragraphs, a line between two prompts.

Headlines. A story's headline is not part of its text (it is the article's title), and a teaser of
another story (its headline and date, between two paragraphs of this one) is not either. Both print a headline right
above a date and time ("Nový posudek na Redla: Je dost zdravý, aby mohl před soud" / "25. 4. 2023 5:00"),
as does the author's name above the date under a headline ("Ryan Devereaux" / "April 28 2023, 3:54 p.m.").
A paragraph of the story does not stand above a lone timestamp: a live blog puts its entries' times above
them. So a kept line that reads like a headline (short, no sentence or clause end) right above a line
that a rule removed as a timestamp (tasks/rules/bylines.yaml, kind "timestamp") with a time of day in it
is removed as "structure.headline_above_timestamp". A date without a time is as often a fact of the
story: a match preview's venue above its day ("Murrayfield, Edinburgh" / "Saturday, 26 February").

Captions. Some pages print a picture's caption above its credit ("Ein olympisches Phänomen: Kevin Durant."
/ "(Foto: REUTERS)"); structure.caption_after_credit takes the caption under a credit. A short sentence
(at most CAPTION_MAX_WORDS words, ending like one) right above a line that a rule removed as a credit
naming a picture (in brackets, or with Foto, Photo, Bild, Image, Picture, Imago or Getty in it) is
removed as "structure.caption_above_credit". A credit of a source ("Quelle: dpa") under a paragraph
is an agency's sign-off, not a picture's, and a paragraph above a credit is longer.

Two short lines between paragraphs. A sub-heading stands alone between two paragraphs; a teaser of another
story inside this one comes as its kicker and headline ("Hitzeschäden beseitigt" / "A2 und A14 nach
tagelangen Sperrungen wieder frei"), and a picture as its caption and a heading or a name. Of two kept
lines in a row that are not prose (text density short or bad, not list items) with a paragraph right
above and right below them (lines removed by rules skipped), the first is removed as
"structure.first_of_two_short_lines"; the second may be the sub-heading of the paragraph under it. (On
the tune pages the first line of such a pair was boilerplate 15 times in 16, the second 8 times.)

A line between two prompts. A subscription or newsletter box lists what the reader gets ("Access articles
from across Canada with one account.") between lines that rules know ("Create an account or sign in to
continue", "Enjoy additional articles per month."). A kept line whose neighbours on both sides were removed
by rules for newsletter, paywall, comment-section or related-article prompts is part of the box and is
removed as "structure.between_prompts"; so are up to BETWEEN_PROMPTS_MAX_LINES kept lines in a row
between two newsletter or paywall prompts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tasks.main_text import HEADLINE_MAX_WORDS, prose_flags
from tasks.structure import (
    BETWEEN_PROMPTS_RULE,
    CAPTION_ABOVE_CREDIT_RULE,
    FIRST_OF_TWO_SHORT_LINES_RULE,
    HEADLINE_ABOVE_TIMESTAMP_RULE,
    LineVerdict,
)
from tasks.textlines import ends_like_sentence, has_at_most_words, is_list_item, is_short_unpunctuated

TIMESTAMP_KIND = "timestamp"
# A time of day: "13:31", "3:54 p.m.", "05.00 Uhr".
TIME_OF_DAY = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
CREDIT_KIND = "credit"
# Kinds of the rules for prompts to the reader (tasks/rules/social.yaml, navigation.yaml).
PROMPT_KINDS = frozenset({"newsletter", "paywall", "comments", "related_header"})
# Kinds of the prompts of a subscription or newsletter box, which may hold several lines between them (a
# list of teasers between two related-article headers is left to the main text and link runs).
BOX_PROMPT_KINDS = frozenset({"newsletter", "paywall"})
CAPTION_MAX_WORDS = 15
# A box's own lines between two prompts: what a subscription gives, two or three points ("Exclusive
# articles from ...", "Daily content from Financial Times ...").
BETWEEN_PROMPTS_MAX_LINES = 3
# A credit of a picture: in brackets, or naming one ("Foto: dpa", "Imago/Blaulicht-News.de").
_PICTURE_CREDIT = re.compile(r"\(|.*(?:foto|photo|bild|image|picture|imago|getty)", re.IGNORECASE)


def _remove_lines_above(
    verdicts: list[LineVerdict],
    below_kind: str,
    below_matches: Callable[[str], object],
    line_matches: Callable[[str], bool],
    rule: str,
    kind: str,
) -> None:
    """Remove each kept line that `line_matches`, right above a line removed with kind `below_kind`
    whose text `below_matches`."""
    for verdict, below in zip(verdicts, verdicts[1:]):
        if verdict.kept and below.kind == below_kind and below_matches(below.text) and line_matches(verdict.text):
            verdict.remove(rule, kind)


def _reads_like_headline(text: str) -> bool:
    return is_short_unpunctuated(text, HEADLINE_MAX_WORDS)


def _reads_like_caption(text: str) -> bool:
    return has_at_most_words(text, CAPTION_MAX_WORDS) and ends_like_sentence(text)


def remove_headlines_above_timestamps(verdicts: list[LineVerdict]) -> None:
    _remove_lines_above(
        verdicts, TIMESTAMP_KIND, TIME_OF_DAY.search, _reads_like_headline, HEADLINE_ABOVE_TIMESTAMP_RULE, "headline"
    )


def remove_captions_above_credits(verdicts: list[LineVerdict]) -> None:
    _remove_lines_above(
        verdicts, CREDIT_KIND, _PICTURE_CREDIT.match, _reads_like_caption, CAPTION_ABOVE_CREDIT_RULE, "caption"
    )


def remove_first_of_two_short_lines(verdicts: list[LineVerdict]) -> None:
    """Needs the kept lines' text density classes (tasks/text_density.py)."""
    kept = [verdict for verdict in verdicts if verdict.kept]
    prose = prose_flags(kept)
    short = [not is_prose and not is_list_item(verdict.text) for verdict, is_prose in zip(kept, prose)]
    for position in range(1, len(kept) - 2):
        if prose[position - 1] and short[position] and short[position + 1] and prose[position + 2]:
            kept[position].remove(FIRST_OF_TWO_SHORT_LINES_RULE, "teaser")


def remove_lines_between_prompts(verdicts: list[LineVerdict]) -> None:
    start = 0
    while start < len(verdicts):
        if not verdicts[start].kept:
            start += 1
            continue
        end = start  # the kept lines verdicts[start:end], in a row
        while end < len(verdicts) and verdicts[end].kept:
            end += 1
        kinds = PROMPT_KINDS if end - start == 1 else BOX_PROMPT_KINDS
        if (
            end - start <= BETWEEN_PROMPTS_MAX_LINES
            and start > 0
            and verdicts[start - 1].kind in kinds
            and end < len(verdicts)
            and verdicts[end].kind in kinds
        ):
            for verdict in verdicts[start:end]:
                verdict.remove(BETWEEN_PROMPTS_RULE, "prompt")
        start = end
