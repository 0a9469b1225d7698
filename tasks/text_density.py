"""Text density: tell running prose from page furniture by length and stopword share (jusText's idea).

Menus, credits, bylines and link lists are short or made of names; prose is long and full of function
words. Each line gets a class from its own length and stopword density:

    bad        too few function words for prose, or a copyright notice
    short      too short to judge alone
    near_good  prose-like but not long
    good       long prose

then `short` and `near_good` lines are settled by their neighbours, as jusText does: a short line between
good lines is good (a sub-heading, a one-line paragraph), between bad lines it is bad (a menu item); a
near-good line next to a good line is good. The function words come from tasks/stopwords/<lang>.txt; an
article whose text matches none of the lists well (Japanese, Czech, ...) is judged by length alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from tasks.character_map import WORD_OR_SPACE
from tasks.config import TextDensitySettings
from tasks.textlines import ends_like_sentence

STOPWORDS_DIR = Path(__file__).parent / "stopwords"

BAD, SHORT, NEAR_GOOD, GOOD = "bad", "short", "near_good", "good"

_WORD = re.compile(r"\w+")
# A copyright notice, not a story about copyright: the sign, or the word with a year.
_COPYRIGHT = re.compile(
    r"(?i)©|\bcopyright\s*(?:\(c\)\s*)?\d{4}|\(c\)\s*\d{4}|all rights reserved|alle rechte vorbehalten"
    r"|tous droits réservés|todos los derechos reservados|tutti i diritti riservati"
)


@lru_cache(maxsize=None)
def load_stopwords(language: str) -> frozenset[str]:
    path = STOPWORDS_DIR / f"{language}.txt"
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    stopwords = frozenset(word for word in words if word and not word.startswith("#"))
    # stopword_density counts a line's stopwords among all its tokens, numbers included.
    if any(word.isdigit() for word in stopwords):
        raise ValueError(f"{path}: a number is not a function word")
    return stopwords


def available_languages() -> list[str]:
    return sorted(path.stem for path in STOPWORDS_DIR.glob("*.txt"))


# Cached: an article's lines are split into words once for choosing its language and again for each
# line's class; an article holds far fewer lines than the cache.
@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """The runs of word characters (letters and digits of any script, "_") of the lower-cased text.

    As _words_by_regex, twice as fast on a line with a few non-ASCII characters and on ASCII text: every
    character that is no word character made a space, then split at spaces (no word character is white
    space: tests/test_text_density.py)."""
    return tuple(WORD_OR_SPACE.apply(text.lower()).split())


def _words_by_regex(text: str) -> tuple[str, ...]:
    """The definition of words()."""
    return tuple(_WORD.findall(text.lower()))


def stopword_density(text: str, stopwords: frozenset[str]) -> float:
    """Share of the line's words that are function words; numbers ("6.6", "88,000") are not words.

    Counted over all tokens, numbers included, as no list holds a number (load_stopwords): the same
    counts as over the words alone, without building a list of them."""
    tokens = words(text)
    n_words = len(tokens) - sum(map(str.isdigit, tokens))
    return sum(map(stopwords.__contains__, tokens)) / n_words if n_words else 0.0


def choose_stopwords(texts: list[str], settings: TextDensitySettings) -> tuple[str | None, frozenset[str]]:
    """The configured language whose function words make up most of the article's words.

    (None, empty set) when even the best list covers less than `min_language_density` of the words: the
    article is in another language, and lines are judged by length alone.
    """
    language = _best_language([line_facts(text, tuple(settings.languages)) for text in texts], settings)
    return (language, load_stopwords(language)) if language is not None else (None, frozenset())


def classify_lines(texts: list[str], settings: TextDensitySettings) -> tuple[frozenset[str], list[str]]:
    """choose_stopwords and each line's line_class in one go: the article's function words (empty when its
    language has no list) and the lines' classes, from each line's facts (line_facts) counted once."""
    languages = tuple(settings.languages)
    facts = [line_facts(text, languages) for text in texts]
    language = _best_language(facts, settings)
    if language is None:
        return frozenset(), [_class_of(text, fact.copyright, None, settings) for text, fact in zip(texts, facts)]
    bit = languages.index(language)
    classes = [_class_of(text, fact.copyright, fact.density(bit), settings) for text, fact in zip(texts, facts)]
    return load_stopwords(language), classes


def _best_language(facts: list[LineFacts], settings: TextDensitySettings) -> str | None:
    n_tokens = sum(fact.tokens for fact in facts)
    if not n_tokens:
        return None
    best_language, best_share = None, 0.0
    for bit, language in enumerate(settings.languages):
        share = sum(fact.function_words[bit] for fact in facts) / n_tokens
        if share > best_share:
            best_language, best_share = language, share
    if best_language is None or best_share < settings.min_language_density:
        return None
    return best_language


class LineFacts(NamedTuple):
    """What the density pass needs of a line, counted once however often the line recurs."""

    tokens: int  # words and numbers
    numbers: int
    function_words: tuple[int, ...]  # per language, in the order of the languages asked for
    copyright: bool  # is_copyright

    def density(self, bit: int) -> float:
        """stopword_density for the list of the language at `bit`."""
        n_words = self.tokens - self.numbers
        return self.function_words[bit] / n_words if n_words else 0.0


# Lines recur (an outlet's furniture on every page, a wire story in many outlets: in the 10 MB bench
# corpus 9,297 of 30,476 non-blank lines are distinct), so their facts are remembered, as the rules'
# answers are (tasks/rules RuleSet). Counting every word of every line again took a third of cleaning.
@lru_cache(maxsize=1 << 14)
def line_facts(text: str, languages: tuple[str, ...]) -> LineFacts:
    tokens = words(text)
    return LineFacts(len(tokens), sum(map(str.isdigit, tokens)), function_word_counts(tokens, languages), is_copyright(text))


def function_word_counts(tokens: tuple[str, ...], languages: tuple[str, ...]) -> tuple[int, ...]:
    """How many of the tokens are in each language's list of function words.

    In one pass over the tokens rather than one per language: each function word stands for a number
    with a 1 in the field of every language whose list has it (_stopword_fields), and the fields of
    the tokens' sum are the counts. A count fits its field while the line has fewer tokens than the
    field can hold; a longer line is counted language by language."""
    if not languages:
        return ()
    fields, width = _stopword_fields(languages)
    if len(tokens) >> width:
        return tuple(sum(map(load_stopwords(language).__contains__, tokens)) for language in languages)
    total = sum(map(fields.get, tokens, repeat(0)))
    mask = (1 << width) - 1
    return tuple((total >> (index * width)) & mask for index in range(len(languages)))


@lru_cache(maxsize=None)
def _stopword_fields(languages: tuple[str, ...]) -> tuple[dict[str, int], int]:
    """For function_word_counts: each function word of the languages' lists with its number, and the
    width of a language's field in bits. The fields fill 63 bits: a sum stays one machine word, which
    Python's sum() adds fastest."""
    width = 63 // len(languages)
    fields: dict[str, int] = {}
    for index, language in enumerate(languages):
        for word in load_stopwords(language):
            fields[word] = fields.get(word, 0) | 1 << (index * width)
    return fields, width


# Every match of _COPYRIGHT contains one of these (case folded); the regex is only run on lines that do,
# since a case-insensitive alternation scans slowly and almost no line is a notice.
_COPYRIGHT_HINTS = (
    "©", "copyright", "(c)", "all rights reserved", "alle rechte vorbehalten", "tous droits réservés",
    "todos los derechos reservados", "tutti i diritti riservati",
)


def is_copyright(text: str) -> bool:
    folded = text.casefold()
    return any(hint in folded for hint in _COPYRIGHT_HINTS) and _COPYRIGHT.search(text) is not None


def line_class(text: str, stopwords: frozenset[str], settings: TextDensitySettings) -> str:
    """The class of one line on its own (jusText's initial classification, without links)."""
    density = stopword_density(text, stopwords) if stopwords else None
    return _class_of(text, is_copyright(text), density, settings)


def _class_of(text: str, copyright: bool, density: float | None, settings: TextDensitySettings) -> str:
    """line_class from the line's facts: `density` is its stopword density, None without a list."""
    if copyright:
        return BAD
    length = len(text)
    if density is None:
        # No list for this language: length alone (jusText's language-independent mode), but a short full
        # sentence is a one-line paragraph here too, as it is below; and a long run of capitalised words
        # is a menu or a list of places, not prose, whatever its length.
        if is_capitalised_word_list(text):
            return BAD
        if length < settings.length_low:
            sentence = ends_like_sentence(text) and len(words(text)) >= settings.sentence_min_words
            return NEAR_GOOD if sentence else SHORT
        if length > settings.length_high:
            return GOOD
        return NEAR_GOOD if ends_like_sentence(text) else SHORT
    if length < settings.length_low:
        # A short full sentence ("He denied the charges.") is a one-line paragraph, not a menu item.
        sentence = ends_like_sentence(text) and len(words(text)) >= settings.sentence_min_words
        return NEAR_GOOD if sentence and density >= settings.stopwords_low else SHORT
    if density >= settings.stopwords_high:
        if length > settings.length_high:
            return GOOD
        # Not long and no full stop: a headline (of this story's section, or of another story).
        return NEAR_GOOD if ends_like_sentence(text) else SHORT
    if density >= settings.stopwords_low:
        return NEAR_GOOD if ends_like_sentence(text) else SHORT
    return BAD


# A line of at least this many words, nearly all capitalised and without an end mark, is a list of names.
WORD_LIST_MIN_WORDS = 8
WORD_LIST_CAPITALISED_SHARE = 0.8


def is_capitalised_word_list(text: str) -> bool:
    """"Son Dakika Haberleri Türkiye Haberleri Dünya Haberleri Ekonomi Haberleri ...", "Adana Adıyaman
    Afyonkarahisar Ağrı ...": a menu or a list of places run together on one line. For languages without
    a stopword list, whose lines are otherwise judged by length: prose in a language that has capitals
    has lower-case words between its names. (German capitalises its nouns, but it has a list.)"""
    if ends_like_sentence(text) or text.isupper():
        return False  # a sentence, or a heading set in capitals ("402 MİLYON LİRALIK MAL VARLIĞINA EL KONULMUŞTU")
    tokens = text.split()
    if len(tokens) < WORD_LIST_MIN_WORDS:
        return False
    lettered = [token for token in tokens if token[0].isalpha()]
    capitalised = sum(token[0].isupper() for token in lettered)
    return len(lettered) >= WORD_LIST_MIN_WORDS and capitalised >= WORD_LIST_CAPITALISED_SHARE * len(tokens)


def _neighbour(classes: list[str], start: int, step: int, ignore_near_good: bool, edge: str = GOOD) -> str:
    """The class of the nearest settled neighbour in one direction.

    jusText counts the edge of a web page as bad. Here the edges are those of the text that is left
    after the main-text pass has cut the page's furniture (or of an extracted article body): where the
    story begins and ends, so they count as good.
    """
    index = start + step
    while 0 <= index < len(classes):
        cls = classes[index]
        if cls in (GOOD, BAD) or (cls == NEAR_GOOD and not ignore_near_good):
            return cls
        index += step
    return edge


def settle_by_context(
    classes: list[str], lengths: list[int], run_length: int, bad_is_final: bool = True
) -> list[str]:
    """jusText's context-sensitive pass: every line ends up good or bad.

    `classes` holds the initial classes of the lines in reading order, `lengths` their lengths. Two
    changes to jusText for news, whose paragraphs are often a single sentence: a run of adjacent
    near-good lines that together reach `run_length` characters is sustained prose, good like one long
    paragraph; and with `bad_is_final` false (an extracted article body rather than a web page) a bad
    line is settled by its neighbours like a short one, so that a team line-up or a list of results
    between paragraphs stays.
    """
    classes = _promote_near_good_runs(classes, lengths, run_length)
    if not bad_is_final:
        classes = [SHORT if cls == BAD else cls for cls in classes]
    # Short lines first, against the initial classes: good between good lines, bad between bad ones;
    # between a good and a bad line, good only when the bad side is reached through a near-good line.
    result = list(classes)
    for index, cls in enumerate(classes):
        if cls != SHORT:
            continue
        before = _neighbour(classes, index, -1, ignore_near_good=True)
        after = _neighbour(classes, index, +1, ignore_near_good=True)
        if before == after:
            result[index] = before
        elif before == BAD and _neighbour(classes, index, -1, ignore_near_good=False) == NEAR_GOOD:
            result[index] = GOOD
        elif after == BAD and _neighbour(classes, index, +1, ignore_near_good=False) == NEAR_GOOD:
            result[index] = GOOD
        else:
            result[index] = BAD
    # Then near-good lines, against the settled short lines: bad only between bad neighbours.
    for index, cls in enumerate(classes):
        if cls != NEAR_GOOD:
            continue
        before = _neighbour(result, index, -1, ignore_near_good=True)
        after = _neighbour(result, index, +1, ignore_near_good=True)
        result[index] = BAD if before == BAD and after == BAD else GOOD
    return result


def _promote_near_good_runs(classes: list[str], lengths: list[int], run_length: int) -> list[str]:
    promoted = list(classes)
    start = 0
    while start < len(classes):
        if classes[start] != NEAR_GOOD:
            start += 1
            continue
        end = start
        while end < len(classes) and classes[end] == NEAR_GOOD:
            end += 1
        if end - start >= 2 and sum(lengths[start:end]) >= run_length:
            promoted[start:end] = [GOOD] * (end - start)
        start = end
    return promoted
