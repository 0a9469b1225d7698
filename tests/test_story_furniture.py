"""Headlines above a timestamp (tasks/story_furniture.py): the page's own headline, a teaser of another story."""

from tasks.clean import clean_article
from tasks.config import CleanSettings
from tasks.rules import load_rules
from tasks.story_furniture import (
    BETWEEN_PROMPTS_RULE,
    CAPTION_ABOVE_CREDIT_RULE,
    FIRST_OF_TWO_SHORT_LINES_RULE,
    HEADLINE_ABOVE_TIMESTAMP_RULE,
    remove_first_of_two_short_lines,
)

from tests.helpers import draft
from tests.test_clean import END, STORY

SETTINGS = CleanSettings()


def removed(text: str) -> dict[str, str]:
    article = clean_article(draft(text), load_rules(SETTINGS), SETTINGS)
    return {line.text: line.rule for line in article.removed}


def test_a_teaser_headline_above_its_time_goes():
    teaser = "Nový posudek na Redla: Je dost zdravý, aby mohl před soud"
    lines = removed("\n".join([STORY, teaser, "25. 4. 2023 5:00", END]))
    assert lines[teaser] == HEADLINE_ABOVE_TIMESTAMP_RULE
    assert STORY not in lines and END not in lines


def test_an_author_above_the_time_of_publication_goes():
    lines = removed("\n".join(["Ryan Devereaux", "April 28 2023, 3:54 p.m.", STORY, END]))
    assert "Ryan Devereaux" in lines


def test_a_sentence_above_a_timestamp_stays():
    short_paragraph = "Abu Hassan Amer, 44, agreed."
    lines = removed("\n".join([STORY, short_paragraph, "25. 4. 2023 5:00", END]))
    assert short_paragraph not in lines


def test_a_venue_above_a_date_without_time_stays():
    # A match preview's facts (BBC sport): the day alone is no time of publication.
    lines = removed("\n".join([STORY, "Murrayfield, Edinburgh", "Saturday, 26 February", END]))
    assert "Murrayfield, Edinburgh" not in lines


def test_switched_off_by_name():
    settings = CleanSettings(disabled_rules=[HEADLINE_ABOVE_TIMESTAMP_RULE])
    teaser = "Council tax to rise by five per cent"
    article = clean_article(draft("\n".join([STORY, teaser, "23. 12. 2024 13:31", END])), load_rules(settings), settings)
    assert teaser in [paragraph.text for paragraph in article.paragraphs]


def test_a_short_caption_above_a_picture_credit_goes():
    caption = "Ein olympisches Phänomen: Kevin Durant."
    lines = removed("\n".join([STORY, caption, "(Foto: REUTERS)", END]))
    assert lines[caption] == CAPTION_ABOVE_CREDIT_RULE


def test_a_paragraph_above_a_source_credit_stays():
    # An agency's sign-off under the last paragraph is no picture's credit; a long paragraph is no caption.
    short_paragraph = "Die Polizei ermittelt."
    assert short_paragraph not in removed("\n".join([STORY, short_paragraph, "Quelle: dpa", END]))
    assert STORY not in removed("\n".join([END, STORY, "(Foto: REUTERS)", END]))


def test_a_heading_above_a_picture_credit_stays():
    # Review pages put a product's heading above its picture: no sentence, no caption.
    heading = "The Best Sleeping Bag for Backpackers"
    assert heading not in removed("\n".join([STORY, heading, "Photograph: Scott Gilbertson", END]))


PARAGRAPH = "Engineers were on site by the afternoon, and the environment agency said the worst was over for now."


def page_lines(*lines: str) -> list:
    from tasks.records import RawLine
    from tasks.structure import LineVerdict
    from tasks.text_density import line_class, load_stopwords

    english = load_stopwords("en")
    verdicts = [LineVerdict(RawLine(number, text), text) for number, text in enumerate(lines, start=1)]
    for verdict in verdicts:
        verdict.density_class = line_class(verdict.text, english, SETTINGS.text_density)
    return verdicts


def test_the_kicker_of_a_teaser_between_paragraphs_goes_and_its_headline_is_left():
    lines = page_lines(STORY, "Flood damage", "Roads reopen after week-long closures", PARAGRAPH)
    remove_first_of_two_short_lines(lines)
    assert [(verdict.text, verdict.rule) for verdict in lines if not verdict.kept] == [
        ("Flood damage", FIRST_OF_TWO_SHORT_LINES_RULE)
    ]


def test_a_sub_heading_alone_between_paragraphs_and_a_list_stay():
    lines = page_lines(STORY, "Roads reopen", PARAGRAPH, "1. Carlisle", "2. Keswick", PARAGRAPH)
    remove_first_of_two_short_lines(lines)
    assert all(verdict.kept for verdict in lines)


def test_a_line_between_two_subscription_prompts_goes():
    box = [
        "Create an account or sign in to continue with your reading experience.",
        "Access articles from across Canada with one account.",
        "Enjoy additional articles per month.",
    ]
    lines = removed("\n".join([STORY, *box, END]))
    assert lines[box[1]] == BETWEEN_PROMPTS_RULE
    assert STORY not in lines and END not in lines


def test_a_paragraph_after_one_prompt_stays():
    lines = removed("\n".join([STORY, "Enjoy additional articles per month.", END, STORY]))
    assert END not in lines


def test_two_lines_of_a_box_between_two_prompts_go():
    box = [
        "Subscribe now to read the latest news in your city and across Canada.",
        "Exclusive articles from Barbara Shecter, Joe O'Connor, Gabriel Friedman and others.",
        "Daily content from Financial Times, the world's leading global business publication.",
        "Create an account or sign in to continue with your reading experience.",
    ]
    lines = removed("\n".join([STORY, *box, END]))
    assert lines[box[1]] == BETWEEN_PROMPTS_RULE and lines[box[2]] == BETWEEN_PROMPTS_RULE
    assert STORY not in lines and END not in lines


def test_more_lines_than_a_box_holds_between_two_prompts_stay():
    paragraphs = [
        "The minister said the talks had gone well, and that a deal could follow within the month.",
        "Officials said the money would be spent over the next five years, mostly on schools and roads.",
        "The opposition called the plan a gimmick and said it would vote against it in the autumn.",
        "Unions said they had not been consulted, but would study the details before they took a view.",
    ]
    prompt = "Create an account or sign in to continue with your reading experience."
    lines = removed("\n".join([STORY, "Enjoy additional articles per month.", *paragraphs, prompt, END]))
    assert not any(paragraph in lines for paragraph in paragraphs)
