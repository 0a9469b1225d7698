import pytest

from tasks.article_language import identify_article, is_allowed
from tasks.config import ConfigError, LangidSettings, parse_config
from tasks.langid import LanguageIdentifier
from tasks.records import CleanArticle, Paragraph
from tasks.segment import segment_article
from tasks.tables import partition_tables

SETTINGS = LangidSettings()
IDENTIFIER = LanguageIdentifier(SETTINGS)
EN = [
    "The government announced on Monday that it would spend more on railways across the north of England.",
    "Ministers said the money would pay for new trains, faster lines and better stations in many towns.",
    "Critics said the plan came too late and would not make up for years of cuts to local services.",
]
DE = "Die Bundesregierung hat am Montag angekündigt, mehr Geld für die Bahn im Norden des Landes auszugeben."


def test_article_language_is_the_majority_by_characters_with_a_label_per_paragraph():
    found = identify_article(IDENTIFIER, EN + [DE, "Short."], SETTINGS)
    assert found.language == "en" and found.score > 0.9
    assert found.paragraph_languages == ["en", "en", "en", "de", "und"]
    # German holds about a quarter of the characters, over mixed_min_share (0.2)...
    assert found.mixed
    # ...and a tenth of them, under it.
    assert not identify_article(IDENTIFIER, EN * 3 + [DE], SETTINGS).mixed


def test_a_second_language_with_a_real_share_marks_the_article_mixed():
    found = identify_article(IDENTIFIER, EN[:1] + [DE, DE.replace("Montag", "Dienstag")], SETTINGS)
    assert found.language == "de" and found.mixed
    assert not identify_article(IDENTIFIER, EN, SETTINGS).mixed


def test_short_paragraphs_fall_back_to_the_whole_text():
    paragraphs = ["The vote was held.", "Turnout was high.", "Results come today."]
    found = identify_article(IDENTIFIER, paragraphs, SETTINGS)
    assert found.paragraph_languages == ["und", "und", "und"]
    assert found.language == IDENTIFIER.identify("\n".join(paragraphs))[0]


def test_allow_list():
    assert is_allowed("fr", SETTINGS)
    assert is_allowed("en", LangidSettings(allowed=["en", "de"]))
    assert not is_allowed("fr", LangidSettings(allowed=["en", "de"]))
    with pytest.raises(ConfigError, match="langid.allowed: 'english' is not a language langdetect knows"):
        parse_config({"langid": {"allowed": ["english"]}})


def article(article_id: str, texts: list[str], allowed: bool) -> CleanArticle:
    paragraphs = [Paragraph(n, "body", text) for n, text in enumerate(texts, start=1)]
    clean = CleanArticle(article_id, "a.txt", 1, len(texts), None, None, paragraphs, [])
    found = identify_article(IDENTIFIER, texts, SETTINGS)
    clean.language, clean.paragraph_languages, clean.language_allowed = found.language, found.paragraph_languages, allowed
    return clean


@pytest.mark.parametrize("route", [False, True])
def test_other_languages_are_flagged_or_routed(route):
    articles = [article("en1", EN, True), article("de1", [DE], False)]
    tables = partition_tables(articles, [segment_article(a) for a in articles], [], [], [], route_other_languages=route)
    kept = tables["articles"].to_pydict()
    other = tables["articles_other_languages"].to_pydict()
    if route:
        assert kept["article_id"] == ["en1"] and other["article_id"] == ["de1"]
    else:
        assert kept["article_id"] == ["en1", "de1"] and kept["language_allowed"] == [True, False]
        assert other["article_id"] == []
    paragraphs = tables["paragraphs"].to_pydict()
    assert paragraphs["language"] == ["en", "en", "en", "de"]
