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
    labels = [identifier.identify(paragraph) for paragraph in paragraphs]
    characters: dict[str, int] = defaultdict(int)
    weighted_scores: dict[str, float] = defaultdict(float)
    for paragraph, (language, score) in zip(paragraphs, labels):
        if language != UNDETERMINED:
            characters[language] += len(paragraph)
            weighted_scores[language] += score * len(paragraph)
    paragraph_languages = [language for language, _ in labels]
    if not characters:
        language, score = identifier.identify("\n".join(paragraphs))
        return ArticleLanguage(language, score, paragraph_languages, mixed=False)
    # Most characters wins; ties go to the alphabetically first code so the answer never depends on order.
    ranked = sorted(characters, key=lambda language: (-characters[language], language))
    majority = ranked[0]
    determined = sum(characters.values())
    mixed = len(ranked) > 1 and characters[ranked[1]] / determined >= settings.mixed_min_share
    return ArticleLanguage(majority, weighted_scores[majority] / characters[majority], paragraph_languages, mixed)


def is_allowed(language: str, settings: LangidSettings) -> bool:
    return not settings.allowed or language in settings.allowed
