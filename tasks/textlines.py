"""Small facts about one line of text: how it ends, how many words it has, whether it is a list item.

Shared by the cleaning passes (tasks/structure.py, tasks/text_density.py, tasks/clean.py).
"""

from __future__ import annotations

import re

# Closing quotation marks and brackets after a sentence's full stop: English ” ’, German “ ‘ (after „ ‚),
# French and German guillemets » «, CJK corner brackets.
_CLOSING_MARKS = "\"'”’“‘»«)]」』）"
_SENTENCE_END = ".!?…。！？।؟"  # Latin, CJK full-width, Devanagari danda, Arabic question mark
_CLAUSE_END = ",;:、，；："
_LABEL_MAX_CHARS = 30
_CURRENCY = "£$€¥"
_LINK_END = _SENTENCE_END.replace("?", "").replace("？", "")  # a headline may be a question
_LIST_ITEM = re.compile(r"(?:\d{1,3}[.)]|[a-z][.)]|[-•*·▪●◦–—])\s+\S")
# Chinese and Japanese are written without spaces: two of these characters count as about one word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def last_meaningful_char(text: str) -> str:
    stripped = text.rstrip().rstrip(_CLOSING_MARKS).rstrip()  # French: « Je viens. »
    return stripped[-1] if stripped else ""


def ends_like_sentence(text: str) -> bool:
    return last_meaningful_char(text) in _SENTENCE_END


def word_count(text: str) -> int:
    return len(text.split()) + _cjk_words(text)


def has_at_most_words(text: str, max_words: int) -> bool:
    """word_count(text) <= max_words, without splitting the whole of a long line: a split into at most
    max_words + 1 pieces has more than max_words pieces only if the line has more words."""
    pieces = len(text.split(None, max_words))
    return pieces <= max_words and pieces + _cjk_words(text) <= max_words


def _cjk_words(text: str) -> int:
    return 0 if text.isascii() else len(_CJK.findall(text)) // 2


def is_short_unpunctuated(text: str, max_words: int) -> bool:
    return has_at_most_words(text, max_words) and last_meaningful_char(text) not in _SENTENCE_END + _CLAUSE_END


def is_list_item(text: str) -> bool:
    return _LIST_ITEM.match(text) is not None


def is_link_like(text: str, max_words: int) -> bool:
    """A line that reads like the text of a link: short, no sentence or clause end (a question may be a
    headline), not a numbered or bulleted item."""
    if is_list_item(text) or not has_at_most_words(text, max_words) or is_label_value(text):
        return False
    return last_meaningful_char(text) not in _LINK_END + _CLAUSE_END


def is_label_value(text: str) -> bool:
    """"We like: the shoe racks", "Price: £40", "Fill: 700 fill power": a short label, a colon and a value
    that starts in lower case or with a number, a fact from a list (a spec sheet, pros and cons), not the
    text of a link: headlines and teasers go on after a colon with a capital ("LTE-Patent: Samsung soll...")."""
    colon = text.find(":", 1, _LABEL_MAX_CHARS + 1)
    if colon < 0:
        return False
    after = text[colon + 1 :]
    value = after.lstrip()
    if not value or len(value) == len(after):  # "10:30", "Nahost:Krieg": no space after the colon
        return False
    return value[0].islower() or value[0].isdigit() or value[0] in _CURRENCY
