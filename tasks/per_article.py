"""The per-article stages as functions over a list of articles, called by the chunk work of tasks/partition.py.

Each takes and returns plain records so that it can run in a worker process; whatever is costly to
build (compiled rules, the language model) is built once per process.
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.article_language import identify_articles, is_allowed
from tasks.clean import clean_articles, paragraph_kind
from tasks.config import CleanSettings, LangidSettings, Settings
from tasks.langid import LanguageIdentifier
from tasks.paragraphs import join_wrapped_lines
from tasks.records import ArticleDraft, CleanArticle
from tasks.rules import RuleSet, load_rules
from tasks.segment import Segments, segment_article

_rules_by_settings: dict[str, RuleSet] = {}


def rules_for(settings: CleanSettings) -> RuleSet:
    """The rule library of these settings, compiled once per process."""
    key = settings.model_dump_json()
    if key not in _rules_by_settings:
        _rules_by_settings[key] = load_rules(settings)
    return _rules_by_settings[key]


def clean_chunk(drafts: Sequence[ArticleDraft], settings: Settings, learned: frozenset[int]) -> list[CleanArticle]:
    cleaned = clean_articles(list(drafts), rules_for(settings.clean), settings.clean, learned)
    if settings.segment.paragraphs == "block":
        heading_max_words = settings.clean.heading_max_words
        for article in cleaned:
            article.paragraphs = join_wrapped_lines(
                article.paragraphs, lambda text: paragraph_kind(text, heading_max_words)
            )
    return cleaned


def identify_chunk(articles: Sequence[CleanArticle], settings: LangidSettings) -> list[CleanArticle]:
    identifier = LanguageIdentifier(settings)
    paragraphs = [[paragraph.text for paragraph in article.paragraphs] for article in articles]
    for article, found in zip(articles, identify_articles(identifier, paragraphs, settings)):
        article.language, article.language_score = found.language, found.score
        article.paragraph_languages, article.mixed_language = found.paragraph_languages, found.mixed
        article.language_allowed = is_allowed(found.language, settings)
    return list(articles)


def segment_chunk(articles: Sequence[CleanArticle]) -> list[Segments]:
    return [segment_article(article) for article in articles]
