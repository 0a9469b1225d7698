"""What a headline looks like in plain text: one short line that is not a sentence of the body."""

from __future__ import annotations

import re

_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}[.)]|[-•*·▪●◦–—])\s")
# A sentence end followed by more text: "He could. But then..." is body, not a headline.
_INNER_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*\s+\S")
# Headlines may end with ? ! … or a closing quote, never with the marks that continue a sentence.
_CONTINUING_END = re.compile(r"[.,;:]$")


def looks_like_headline(text: str, max_words: int) -> bool:
    text = text.strip().rstrip("\"'”’)")
    if not text or len(text.split()) > max_words:
        return False
    if text.endswith("...") or text.endswith("…"):
        return True  # "'My memories of Marley...'"
    return not (_LIST_MARKER.match(text) or _INNER_SENTENCE_END.search(text) or _CONTINUING_END.search(text))
