"""Headlines of stories inside a page's text: the page's own above its date, and teasers of others.

A story's headline is not part of its text (it is the article's title), and a teaser of another story
(its headline and date, between two paragraphs of this one) is not either. Both print a headline right
above a date and time ("Nový posudek na Redla: Je dost zdravý, aby mohl před soud" / "25. 4. 2023 5:00"),
as does the author's name above the date under a headline ("Ryan Devereaux" / "April 28 2023, 3:54 p.m.").
A paragraph of the story does not stand above a lone timestamp: a live blog puts its entries' times above
them. So a kept line that reads like a headline (short, no sentence or clause end) right above a line
that a rule removed as a timestamp (tasks/rules/bylines.yaml, kind "timestamp") with a time of day in it
is removed as "structure.headline_above_timestamp". A date without a time is as often a fact of the
story: a match preview's venue above its day ("Murrayfield, Edinburgh" / "Saturday, 26 February").
"""

from __future__ import annotations

import re

from tasks.structure import HEADLINE_ABOVE_TIMESTAMP_RULE, LineVerdict
from tasks.textlines import is_short_unpunctuated

TIMESTAMP_KIND = "timestamp"
# Words a headline or an author line above a timestamp may have (as clean's title_max_words).
HEADLINE_MAX_WORDS = 20
# A time of day: "13:31", "3:54 p.m.", "05.00 Uhr".
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[:.]\d{2}\b")


def remove_headlines_above_timestamps(verdicts: list[LineVerdict]) -> None:
    for verdict, below in zip(verdicts, verdicts[1:]):
        if (
            verdict.kept
            and below.kind == TIMESTAMP_KIND
            and _TIME_OF_DAY.search(below.text)
            and is_short_unpunctuated(verdict.text, HEADLINE_MAX_WORDS)
        ):
            verdict.remove(HEADLINE_ABOVE_TIMESTAMP_RULE, "headline")
