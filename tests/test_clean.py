import pytest

from tasks.clean import VIDEO_TITLE_RULE, clean_article, paragraph_kind
from tasks.config import ConfigError, CleanSettings
from tasks.rules import load_rules

from tests.helpers import draft

SETTINGS = CleanSettings()
RULES = load_rules(SETTINGS)


def removed_rules(text: str, settings: CleanSettings = SETTINGS) -> dict[str, str]:
    article = clean_article(draft(text), load_rules(settings), settings)
    return {line.text: line.rule for line in article.removed}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Image: Pic: AP", "generic.image_caption"),
        ("Image: Sir Keir hosting European and NATO leaders in London. Pic: PA", "generic.image_caption"),
        ("Photo: Reuters", "generic.image_caption"),
        ("Pic: PA", "generic.photo_credit"),
        ("Getty Images", "generic.agency_credit"),
        ("4:01", "generic.video_duration"),
        ("1:02:33", "generic.video_duration"),
        ("Please use Chrome browser for a more accessible video player", "generic.player_notice"),
        ("Please use a different browser to watch this video", "generic.player_notice"),
        ("More from Politics", "generic.more_from_section"),
        ("More from US News", "generic.more_from_section"),
        ("Advertisement", "generic.advertisement"),
        ("Skip to content", "generic.skip_link"),
        ("Follow Sky News on WhatsApp", "skynews.whatsapp_prompt"),
    ],
)
def test_boilerplate_line_is_removed_with_its_rule(line, rule):
    text = f"The minister spoke in the Commons on Monday about the plan.\n{line}\nShe said the plan would work."
    assert removed_rules(text) == {line: rule}


@pytest.mark.parametrize(
    "line",
    [
        "What is Sir Keir Starmer’s four-point plan?",
        "1. Any lasting peace must guarantee Ukraine’s sovereignty and security",
        "Here, Sky News explains everything you need to know about Europe’s plan for peace.",
        "More from the prime minister was expected later, aides said.",
        "He arrived at 4:01 in the morning, police said.",
        "The image: a country divided, as one voter put it.",
    ],
)
def test_content_line_is_kept(line):
    text = f"The minister spoke in the Commons on Monday about the plan.\n{line}\nShe said the plan would work."
    assert removed_rules(text) == {}


def test_short_line_after_a_video_duration_is_the_video_title():
    text = "Body text of the story goes here.\n4:01\nBritain must ‘lead from the front’\nWhat is the ‘coalition of the willing’?\nMore text."
    assert removed_rules(text) == {"4:01": "generic.video_duration", "Britain must ‘lead from the front’": VIDEO_TITLE_RULE}


def test_sentence_after_a_video_duration_is_kept():
    text = "Body.\n4:01\nThe prime minister said on Monday that the talks had gone well.\nMore."
    assert removed_rules(text) == {"4:01": "generic.video_duration"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What is Sir Keir Starmer’s four-point plan?", "heading"),
        ("The background", "heading"),
        ("1. Any lasting peace must guarantee Ukraine’s sovereignty and security", "list_item"),
        ("• Prices rose 3%", "list_item"),
        ("“The last government did none of those things,” she said.", "quote"),
        ("At its heart is a four-point plan, which was agreed by attendees of the security summit:", "body"),
        ("Washington has since paused military aid to Kyiv.", "body"),
    ],
)
def test_paragraph_kind(text, kind):
    assert paragraph_kind(text, heading_max_words=14) == kind


def test_headline_followed_by_blank_line_becomes_the_title():
    article = clean_article(draft("Ad sales boost Time Warner profit\n\nQuarterly profits rose 76%.\nMore text."), RULES, SETTINGS)
    assert article.title == "Ad sales boost Time Warner profit"
    assert [paragraph.text for paragraph in article.paragraphs] == ["Quarterly profits rose 76%.", "More text."]


def test_first_sentence_is_not_mistaken_for_a_title():
    article = clean_article(draft("Quarterly profits rose 76% on Monday.\n\nMore text here."), RULES, SETTINGS)
    assert article.title is None


def test_user_rule_and_disabled_rule():
    settings = CleanSettings(
        rules=[{"name": "subscribe", "pattern": "(?i)subscribe to our newsletter"}],
        disabled_rules=["generic.more_from_section"],
    )
    text = "Story.\nSubscribe to our newsletter today\nMore from Politics\nEnd."
    assert removed_rules(text, settings) == {"Subscribe to our newsletter today": "user.subscribe"}


def test_unknown_disabled_rule_and_pack_are_config_errors():
    with pytest.raises(ConfigError, match="clean.disabled_rules"):
        load_rules(CleanSettings(disabled_rules=["generic.no_such_rule"]))
    with pytest.raises(ConfigError, match="clean.packs"):
        load_rules(CleanSettings(packs=["nosuchoutlet"]))
