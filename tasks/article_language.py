"""An article's language from its paragraphs: a label per paragraph, the majority by characters for the
article, and a flag when a second language holds a real share of the text (a quoted statement, a
bilingual notice).

Paragraphs shorter than langid.min_chars get 'und' and do not vote; an article whose paragraphs are all
that short is identified as a whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tasks.config import LangidSettings
from tasks.langid import UNDETERMINED, LanguageIdentifier


@dataclass(frozen=True)
class ArticleLanguage:
    language: str
    score: float  # character-weighted mean probability of the paragraphs in `language`
    paragraph_languages: list[str]
    mixed: bool


def identify_article(identifier: LanguageIdentifier, paragraphs: list[str], settings: LangidSettings) -> ArticleLanguage:
    return identify_articles(identifier, [paragraphs], settings)[0]


def identify_articles(
    identifier: LanguageIdentifier, articles: list[list[str]], settings: LangidSettings
) -> list[ArticleLanguage]:
    """identify_article of each article's paragraphs; the paragraphs of all articles are scored together,
    which costs a fraction of scoring them one call at a time."""
    labels = iter(identifier.identify_many([paragraph for paragraphs in articles for paragraph in paragraphs]))
    found = [_majority(paragraphs, [next(labels) for _ in paragraphs], settings) for paragraphs in articles]
    # An article whose paragraphs are all too short or undetermined is identified as a whole.
    undetermined = [index for index, language in enumerate(found) if language is None]
    wholes = identifier.identify_many(["\n".join(articles[index]) for index in undetermined])
    for index, (language, score) in zip(undetermined, wholes):
        paragraph_languages = [UNDETERMINED] * len(articles[index])
        found[index] = ArticleLanguage(language, score, paragraph_languages, mixed=False)
    return found


def _majority(paragraphs: list[str], labels: list[tuple[str, float]], settings: LangidSettings) -> ArticleLanguage | None:
    """The article's language from its paragraphs' labels; None when no paragraph has one."""
    characters: dict[str, int] = defaultdict(int)
    weighted_scores: dict[str, float] = defaultdict(float)
    for paragraph, (language, score) in zip(paragraphs, labels):
        if language != UNDETERMINED:
            characters[language] += len(paragraph)
            weighted_scores[language] += score * len(paragraph)
    if not characters:
        return None
    paragraph_languages = [language for language, _ in labels]
    # Most characters wins; ties go to the alphabetically first code so the answer never depends on order.
    ranked = sorted(characters, key=lambda language: (-characters[language], language))
    majority = ranked[0]
    determined = sum(characters.values())
    mixed = len(ranked) > 1 and characters[ranked[1]] / determined >= settings.mixed_min_share
    return ArticleLanguage(majority, weighted_scores[majority] / characters[majority], paragraph_languages, mixed)


def is_allowed(language: str, settings: LangidSettings) -> bool:
    return not settings.allowed or language in settings.allowed
