"""Text density classes (jusText's idea) and their settling by neighbours."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks import text_density
from tasks.config import TextDensitySettings
from tasks.text_density import (
    _COPYRIGHT,
    is_copyright,
    BAD,
    GOOD,
    NEAR_GOOD,
    SHORT,
    choose_stopwords,
    classify_lines,
    line_class,
    load_stopwords,
    settle_by_context,
    stopword_density,
)

SETTINGS = TextDensitySettings()
EN = load_stopwords("en")


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["The council said that it would not be able to open the road before the end of the week."], "en"),
        (["Der Rat sagte, dass die Straße nicht vor dem Ende der Woche wieder geöffnet werden kann."], "de"),
        (["Le conseil a dit que la route ne pourra pas être rouverte avant la fin de la semaine."], "fr"),
        (["El consejo dijo que la carretera no podrá abrirse antes del final de la semana."], "es"),
        (["Il consiglio ha detto che la strada non potrà essere riaperta prima della fine della settimana."], "it"),
        (["１３日午後９時１９分ごろ、宮崎県で震度５弱の地震があった。"], None),
    ],
)
def test_the_article_language_is_the_list_that_covers_most_words(texts, language):
    assert choose_stopwords(texts, SETTINGS)[0] == language


def test_numbers_are_not_words():
    assert stopword_density("Prices rose 6.6 per cent to 88,000", EN) == stopword_density("Prices rose per cent to", EN)


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Home", SHORT),
        ("Residents who lost their homes will be housed in hotels while the damage is assessed, the council said, "
         "and payments of up to £500 will be made to every household in the three towns that was affected by "
         "the floods.", GOOD),
        ("Engineers were on site by the afternoon, and the agency said the worst was over.", NEAR_GOOD),
        ("He denied the charges at the hearing.", NEAR_GOOD),  # a short full sentence
        ("Storm brings travel chaos to the north as the rail lines are closed by floods", SHORT),  # a headline
        ("Politics Business Technology Science Health Education Entertainment Arts Travel Weather", BAD),
        ("© 2024 The Daily Example. All rights reserved, and then some more words to make it long enough.", BAD),
        ("A court ruled that sharing the files broke copyright law, and the firm said it would appeal.", NEAR_GOOD),
    ],
)
def test_line_class(text, cls):
    assert line_class(text, EN, SETTINGS) == cls


def test_without_a_stopword_list_lines_are_judged_by_length():
    assert line_class("ニュース", frozenset(), SETTINGS) == SHORT
    assert line_class("あ" * 250, frozenset(), SETTINGS) == GOOD


@pytest.mark.parametrize(
    ("classes", "settled"),
    [
        ([GOOD, SHORT, GOOD], [GOOD, GOOD, GOOD]),  # a sub-heading between paragraphs
        ([BAD, SHORT, BAD], [BAD, BAD, BAD]),  # a menu item between menu items
        ([BAD, NEAR_GOOD, SHORT, GOOD], [BAD, GOOD, GOOD, GOOD]),  # the bad side is reached through near-good
        ([BAD, SHORT, GOOD], [BAD, BAD, GOOD]),  # a menu item just above the story
        ([BAD, NEAR_GOOD, BAD], [BAD, BAD, BAD]),  # an isolated teaser
        ([SHORT, GOOD, SHORT], [GOOD, GOOD, GOOD]),  # the edges are where the text begins and ends
    ],
)
def test_settle_by_context(classes, settled):
    assert settle_by_context(classes, [100] * len(classes), run_length=200) == settled


def test_a_run_of_near_good_lines_is_prose():
    assert settle_by_context([BAD, NEAR_GOOD, NEAR_GOOD, BAD], [10, 120, 120, 10], run_length=200) == [BAD, GOOD, GOOD, BAD]
    assert settle_by_context([BAD, NEAR_GOOD, NEAR_GOOD, BAD], [10, 80, 80, 10], run_length=200) == [BAD] * 4


def test_in_an_extracted_body_a_bad_line_between_paragraphs_stays():
    classes = [GOOD, BAD, GOOD]
    assert settle_by_context(classes, [300] * 3, 200, bad_is_final=True) == [GOOD, BAD, GOOD]
    assert settle_by_context(classes, [300] * 3, 200, bad_is_final=False) == [GOOD, GOOD, GOOD]


# Pieces that make or nearly make a notice, in various cases, with the characters case folding plays on.
_NOTICE_PIECES = st.sampled_from(
    ["©", "(c)", "(C)", "Copyright", "COPYRIGHT", "2024", " ", "All Rights Reserved", "alle Rechte vorbehalten",
     "TOUS DROITS RÉSERVÉS", "todos los derechos reservados", "Tutti i diritti riservati", "ſ", "K", "İ", "x"]
)


@given(st.lists(_NOTICE_PIECES | st.text(max_size=5), max_size=8).map("".join))
def test_the_copyright_prefilter_never_changes_the_answer(text):
    assert is_copyright(text) == (_COPYRIGHT.search(text) is not None)


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("18-åriga Hanna försvann i Uddevalla i tisdags.", NEAR_GOOD),  # a one-line paragraph
        ("Polisen har nu inlett en särskild händelse.", NEAR_GOOD),
        ("Nyheter Sport Nöje Ekonomi", SHORT),  # a menu
        ("Sök.", SHORT),  # too few words for a sentence
    ],
)
def test_without_a_stopword_list_a_short_full_sentence_is_near_good(text, cls):
    assert line_class(text, frozenset(), SETTINGS) == cls


# --- the faster counts give what the plain ones gave --------------------------------------------------

from tasks.records import RawLine  # noqa: E402
from tasks.text_density import available_languages, words  # noqa: E402
from tasks.textlines import has_at_most_words, word_count  # noqa: E402

_TEXT_PIECES = ["the", "a", "Der", "und", "6", "88,000", "²", "news", "日本", "語", " ", "  ", "\t", "\u00a0", "\u3000", ".", "’s"]
_texts = st.lists(st.sampled_from(_TEXT_PIECES), max_size=30).map("".join)


@given(_texts, st.integers(min_value=-1, max_value=12))
def test_at_most_words_is_the_word_count_compared(text, max_words):
    assert has_at_most_words(text, max_words) == (word_count(text) <= max_words)


@given(_texts, st.sampled_from(["en", "de"]))
def test_the_stopword_density_is_the_share_among_the_words_that_are_not_numbers(text, language):
    stopwords = load_stopwords(language)
    tokens = [token for token in words(text) if not token.isdigit()]
    expected = sum(token in stopwords for token in tokens) / len(tokens) if tokens else 0.0
    assert stopword_density(text, stopwords) == expected


_ARTICLE_WORDS = ["the", "and", "der", "und", "le", "et", "el", "y", "il", "e", "a", "la", "de", "news", "Rat", "6", " ", ". "]


@given(st.lists(st.lists(st.sampled_from(_ARTICLE_WORDS), max_size=12).map(" ".join), max_size=5))
def test_the_article_language_is_the_list_with_the_largest_share_of_its_words(texts):
    tokens = [token for text in texts for token in words(text)]
    expected = (None, frozenset())
    best_share = 0.0
    for language in SETTINGS.languages:  # the plain count: each language's list against every token
        share = sum(token in load_stopwords(language) for token in tokens) / len(tokens) if tokens else 0.0
        if share > best_share:
            best_share = share
            expected = (language, load_stopwords(language)) if share >= SETTINGS.min_language_density else (None, frozenset())
    assert choose_stopwords(texts, SETTINGS) == expected


def test_no_stopword_list_holds_a_number():
    for language in available_languages():
        assert not any(word.isdigit() for word in load_stopwords(language)), language


@pytest.mark.parametrize("text", ["", " ", "\t\u00a0\u3000", "a", " a ", "\u2028"])
def test_a_blank_line_is_one_that_strips_to_nothing(text):
    assert RawLine(1, text).is_blank == (not text.strip())


@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("aZ09_ .,-'\t\n\x1c\x0bK\u212aİé’ΣΑΣ\u0301٣\u00a0\u2028\u3000")), max_size=40),
        st.text(max_size=80),
    )
)
def test_the_words_of_a_line_are_its_runs_of_word_characters(text):
    assert words.__wrapped__(text) == tuple(re.findall(r"\w+", text.lower()))


def test_no_word_character_is_white_space():
    # words() splits at white space once the other characters outside words are spaces: a word
    # character that str.split took for white space would cut a word in two.
    for code in range(0x110000):
        character = chr(code)
        if character.isalnum() or character == "_":
            assert not character.isspace(), hex(code)


_FUNCTION_WORD_TOKENS = st.lists(st.sampled_from(["the", "der", "la", "de", "il", "et", "und", "x", "2024", "é"]))


@given(_FUNCTION_WORD_TOKENS, st.lists(st.sampled_from(text_density.available_languages()), max_size=8))
def test_function_words_counted_in_one_pass_are_each_languages_count(tokens, languages):
    tokens, languages = tuple(tokens), tuple(languages)
    plain = tuple(sum(token in load_stopwords(language) for token in tokens) for language in languages)
    assert text_density.function_word_counts(tokens, languages) == plain


@pytest.mark.parametrize("n_languages", [1, 5, 21, 70])
def test_function_words_of_a_line_too_long_for_a_field_are_counted_exactly(n_languages):
    # With 5 languages a field holds counts below 4,096: a line of "the" that long must not carry into
    # the next language's field. With 21 or more, fields are narrower still.
    languages = tuple((["en", "de", "fr", "es", "it"] * 14)[:n_languages])
    for n_tokens in (4095, 4096, 10_000):
        counts = text_density.function_word_counts(("the",) * n_tokens + ("und",), languages)
        assert counts == tuple(n_tokens if language == "en" else (1 if language == "de" else 0) for language in languages)


_LINE_PIECES = [*_ARTICLE_WORDS, "©", "copyright 2024", "Copyright", "All rights reserved", "said.", "?", "x" * 60]


@given(st.lists(st.lists(st.sampled_from(_LINE_PIECES), min_size=1, max_size=30).map(" ".join), max_size=6))
def test_classify_lines_gives_the_language_and_each_line_class_of_the_plain_calls(texts):
    # classify_lines counts each line's words once (line_facts); the plain calls count them per question.
    _, stopwords = choose_stopwords(texts, SETTINGS)
    expected = (stopwords, [line_class(text, stopwords, SETTINGS) for text in texts])
    assert classify_lines(texts, SETTINGS) == expected
    assert classify_lines(texts, SETTINGS) == expected  # again, from the remembered facts


@pytest.mark.parametrize(
    "line",
    [
        "Son Dakika Haberleri Türkiye Haberleri Dünya Haberleri Ekonomi Haberleri Yaşam Haberleri Teknoloji Haberleri",
        "Adana Adıyaman Afyonkarahisar Ağrı Aksaray Amasya Ankara Antalya Ardahan Artvin Aydın Balıkesir",
    ],
)
def test_a_run_of_capitalised_words_is_bad_without_a_stopword_list(line):
    assert text_density.is_capitalised_word_list(line)
    assert text_density.line_class(line, frozenset(), TextDensitySettings()) == text_density.BAD


@pytest.mark.parametrize(
    "line",
    [
        "Soruşturma kapsamında gözaltına alınan 15 şüphelinin emniyetteki işlemleri tamamlandı ve adliyeye sevk edildi",
        "Okul müdürü öğrenciyi merdivenden itti iddiası: Soruşturma başlatıldı",
        "İstanbul Ankara İzmir Bursa Antalya Konya Adana Gaziantep Şanlıurfa Kocaeli.",  # ends like a sentence
        "402 MİLYON LİRALIK MAL VARLIĞINA EL KONULMUŞTU",  # a heading in capitals: too short to be a list
        "SAVCILIK 402 MİLYON LİRALIK MAL VARLIĞINA EL KOYDU VE SORUŞTURMA GENİŞLEDİ",  # capitals throughout
    ],
)
def test_prose_and_short_headings_are_not_a_word_list(line):
    assert not text_density.is_capitalised_word_list(line)


def test_a_menu_run_together_on_one_line_is_removed_as_a_word_list():
    from tasks.clean import WORD_LIST_RULE, _remove_bad_in_context
    from tasks.config import CleanSettings
    from tasks.records import RawLine
    from tasks.structure import LineVerdict

    # Turkish: no stopword list, so lines are judged by length; the menu line is long, and bad on a page.
    story = "Savcılıkta ifade veren şüphelilerden 9'u tutuklama, 6'sı ise adli kontrol talebiyle sulh ceza hakimliğine sevk edildi."
    menu = ("İstanbul Hava Durumu Ankara Hava Durumu İzmir Hava Durumu Bursa Hava Durumu Antalya Hava Durumu "
            "Van Hava Durumu Samsun Hava Durumu")
    settings = CleanSettings()
    verdicts = [LineVerdict(RawLine(number, text), text) for number, text in enumerate([story, menu, story])]
    for verdict in verdicts:
        verdict.density_class = line_class(verdict.text, frozenset(), settings.text_density)
    _remove_bad_in_context(verdicts, settings, bad_is_final=True)
    assert [(verdict.text, verdict.rule) for verdict in verdicts] == [(story, None), (menu, WORD_LIST_RULE), (story, None)]
