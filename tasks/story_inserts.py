"""Things inserted between a story's paragraphs that are not the story: a run of teaser headlines, a
person's name alone (a portrait's caption), a list of tags.

Teaser headlines. A page drops links to other stories between two paragraphs of this one ("Sweden PM asks
military to help tackle violent gangs" / "3 killed in shootings and explosion as gangs battle in Sweden"):
headlines, one after another. A sub-heading stands alone above its paragraph. So at least
`structure.teaser_headline_run_min_lines` (config.yaml; 0, off, as shipped: see there) kept lines in a
row, each a headline of at least TEASER_MIN_WORDS words (no sentence or clause end, not a list item, not
a "label: value" fact) with a paragraph right above and right below them (lines removed by rules skipped),
are removed as "structure.teaser_headline_run". This also holds in an extracted article body, where
the page passes (tasks/main_text.py, structure.first_of_two_short_lines) do not run.

A name alone. "Henning Melber" under a paragraph is the caption of the speaker's portrait; a sub-heading
says what the next part is about. A kept line that is only a person's name, perhaps with a full stop
(tasks/structure.looks_like_person_name: "Michal Redl.") or with a comma and a short description
without an end mark ("Eren Güvercin, Autor und Mitglied der FDP"), right under a paragraph, is removed as
"structure.name_under_paragraph" when the story names that person in full elsewhere ("Political
analyst Henning Melber questions ...") and none of its words is written in lower case anywhere in the
article: a name is capitalised wherever it stands, the words of a title-case sub-heading ("Best Ultralight
Sleeping Bag", "How We Tested") are not.

A list of tags. A page lists the story's topics as links with commas between them, one to a line
("Keir Starmer," / "Labour Party," / "Conservative Party," / "David Lammy"). At least TAG_LIST_MIN_LINES
kept lines in a row of at most TAG_MAX_WORDS words each, every one but the last ending with a comma, are
removed as "structure.tag_list". A story's list of short items ends its items with full stops or
nothing, and a sentence broken over lines has more words to a line.
"""

from __future__ import annotations

import re

from tasks.main_text import HEADLINE_MAX_WORDS, prose_flags
from tasks.story_furniture import TIME_OF_DAY
from tasks.structure import (
    NAME_UNDER_PARAGRAPH_RULE,
    TAG_LIST_RULE,
    TEASER_HEADLINE_RUN_RULE,
    LineVerdict,
    looks_like_person_name,
)
from tasks.textlines import has_at_most_words, is_label_value, is_list_item, is_short_unpunctuated

TAG_LIST_MIN_LINES = 3
TAG_MAX_WORDS = 4
# The description after a portrait's name: "Autor und Mitglied der liberalen FDP in Deutschland".
CAPTION_DESCRIPTION_MAX_WORDS = 12
_WORD = re.compile(r"\w+")
# A teaser's headline tells a story ("A2 und A14 nach tagelangen Sperrungen wieder frei"); shorter
# unpunctuated lines are more often labels or a table's cells.
TEASER_MIN_WORDS = 5


def _reads_like_teaser_headline(text: str) -> bool:
    return (
        is_short_unpunctuated(text, HEADLINE_MAX_WORDS)
        and not has_at_most_words(text, TEASER_MIN_WORDS - 1)
        and not is_list_item(text)
        and not is_label_value(text)
        # A time of day ("(11.39 Uhr)", "12.31 Uhr:"): a live blog's list of its own entries.
        and TIME_OF_DAY.search(text) is None
    )


def remove_teaser_headline_runs(verdicts: list[LineVerdict], min_lines: int) -> None:
    """Needs the kept lines' text density classes (tasks/text_density.py)."""
    kept = [verdict for verdict in verdicts if verdict.kept]
    prose = prose_flags(kept)
    position = 1
    while position < len(kept):
        end = position
        while end < len(kept) and not prose[end] and _reads_like_teaser_headline(kept[end].text):
            end += 1
        if end - position >= min_lines and prose[position - 1] and end < len(kept) and prose[end]:
            for verdict in kept[position:end]:
                verdict.remove(TEASER_HEADLINE_RUN_RULE, "teaser")
        position = max(end, position + 1)


def remove_names_under_paragraphs(verdicts: list[LineVerdict]) -> None:
    """Needs the kept lines' text density classes (tasks/text_density.py)."""
    kept = [verdict for verdict in verdicts if verdict.kept]
    prose = prose_flags(kept)
    candidates = [
        (verdict, name)
        for position, verdict in enumerate(kept[1:], start=1)
        if prose[position - 1] and not prose[position] and (name := _captioned_name(verdict.text))
    ]
    if not candidates:
        return
    lower_case_words = {word for verdict in verdicts for word in _WORD.findall(verdict.text) if word.islower()}
    for candidate, name in candidates:
        named_elsewhere = any(name in verdict.text for verdict in verdicts if verdict is not candidate)
        if named_elsewhere and not any(word.lower() in lower_case_words for word in _capitalised_words(name)):
            candidate.remove(NAME_UNDER_PARAGRAPH_RULE, "caption")


def _captioned_name(text: str) -> str | None:
    """The person's name a caption line is: the whole line ("Henning Melber", "Michal Redl."), or the
    name before a comma and a short description without an end mark ("Eren Güvercin, Autor und Mitglied
    der liberalen FDP in Deutschland")."""
    name, comma, description = text.partition(", ")
    if comma and not is_short_unpunctuated(description, CAPTION_DESCRIPTION_MAX_WORDS):
        return None
    name = name if comma else _without_full_stop(text)
    return name if looks_like_person_name(name) else None


def _without_full_stop(text: str) -> str:
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _capitalised_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word[0].isupper() and len(word) > 1]


def remove_tag_lists(verdicts: list[LineVerdict]) -> None:
    if sum(verdict.text.endswith(",") for verdict in verdicts) < TAG_LIST_MIN_LINES - 1:
        return  # most articles: not enough lines that end with a comma
    kept = [verdict for verdict in verdicts if verdict.kept]
    start = 0
    while start < len(kept):
        end = start  # kept[start:end] are short lines that end with a comma
        while end < len(kept) and kept[end].text.endswith(",") and has_at_most_words(kept[end].text, TAG_MAX_WORDS):
            end += 1
        if end < len(kept) and end > start and is_short_unpunctuated(kept[end].text, TAG_MAX_WORDS):
            end += 1  # the last tag, without a comma
        if end - start >= TAG_LIST_MIN_LINES:
            for verdict in kept[start:end]:
                verdict.remove(TAG_LIST_RULE, "navigation")
        start = max(end, start + 1)
