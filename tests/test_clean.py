import pytest

from tasks.clean import EMPTY_TITLE_RULE, VIDEO_TITLE_RULE, clean_article, paragraph_kind
from tasks.config import CleanSettings, ConfigError
from tasks.rules import load_rules

from tests.conftest import SEEDS
from tests.helpers import draft

SETTINGS = CleanSettings()
RULES = load_rules(SETTINGS)
STORY = "The minister spoke in the Commons on Monday about the plan, which was agreed at the weekend."
END = "She said the plan would work, and that the talks would go on in Paris next week."


def removed_rules(text: str, settings: CleanSettings = SETTINGS) -> dict[str, str]:
    rules = RULES if settings is SETTINGS else load_rules(settings)
    article = clean_article(draft(text), rules, settings)
    return {line.text: line.rule for line in article.removed}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Image: Pic: AP", "media.image_caption"),
        ("Image: Sir Keir hosting European and NATO leaders in London. Pic: PA", "media.image_caption"),
        ("Photo: Reuters", "media.image_caption"),
        ("Pic: PA", "media.photo_credit"),
        ("Getty Images", "media.agency_credit"),
        ("Kay Nietfeld/dpa", "media.agency_credit"),
        ("4:01", "media.video_duration"),
        ("1:02:33", "media.video_duration"),
        ("Please use Chrome browser for a more accessible video player", "media.player_notice"),
        ("Please use a different browser to watch this video", "media.player_notice"),
        ("More from Politics", "navigation.more_from_section"),
        ("Mehr zum Thema", "navigation.more_from_section"),
        ("READ MORE: Labour's plan for migrants", "navigation.read_more"),
        ("Advertisement", "chrome.advertisement"),
        ("Anzeige", "chrome.advertisement"),
        ("Skip to content", "chrome.skip_link"),
        ("Accept all cookies", "chrome.cookie_banner"),
        ("Sign up for our daily newsletter", "social.newsletter_prompt"),
        ("Share this article", "social.share_prompt"),
        ("By Jane Smith, Political Editor", "bylines.byline"),
        ("3. Mai 2024, 17:47", "bylines.timestamp"),
        ("7 hrs ago", "bylines.relative_time"),
        ("Follow Sky News on WhatsApp", "skynews.whatsapp_prompt"),
        ("Reporting by Jane Smith; Editing by John Doe", "bylines.agency_signoff"),
    ],
)
def test_boilerplate_line_is_removed_with_its_rule(line, rule):
    assert removed_rules(f"{STORY}\n{line}\n{END}") == {line: rule}


@pytest.mark.parametrize(
    "line",
    [
        "What is Sir Keir Starmer’s four-point plan?",
        "1. Any lasting peace must guarantee Ukraine’s sovereignty and security",
        "Here, Sky News explains everything you need to know about Europe’s plan for peace.",
        "More from the prime minister was expected later, aides said.",
        "He arrived at 4:01 in the morning, police said.",
        "The image: a country divided, as one voter put it.",
        "By Monday the talks had collapsed.",
        "A court ruled that sharing the files broke copyright law, and the firm appealed.",
    ],
)
def test_content_line_is_kept(line):
    assert removed_rules(f"{STORY}\n{line}\n{END}") == {}


def test_short_line_after_a_video_duration_is_the_video_title():
    text = f"{STORY}\n4:01\nBritain must ‘lead from the front’\nWhat is the ‘coalition of the willing’?\n{END}"
    assert removed_rules(text) == {"4:01": "media.video_duration", "Britain must ‘lead from the front’": VIDEO_TITLE_RULE}


def test_sentence_after_a_video_duration_is_kept():
    text = f"{STORY}\n4:01\nThe prime minister said on Monday that the talks had gone well.\n{END}"
    assert removed_rules(text) == {"4:01": "media.video_duration"}


def test_the_seed_article_loses_exactly_its_furniture():
    text = (SEEDS / "000_03677c9b510fc185.txt").read_text(encoding="utf-8")
    assert removed_rules(text) == {
        "Image: Pic: AP": "media.image_caption",
        "Please use Chrome browser for a more accessible video player": "media.player_notice",
        "4:01": "media.video_duration",
        "Britain must ‘lead from the front’": VIDEO_TITLE_RULE,
        "Image: Sir Keir hosting European and NATO leaders in London. Pic: PA": "media.image_caption",
    }


def test_a_list_of_the_story_s_own_in_an_extracted_body_stays():
    # Short lines without full stops look like a menu on a web page; in an article body they are a list.
    fixtures = ["Arsenal v Chelsea", "Everton v Leeds", "Fulham v Spurs", "Wolves v Brighton"]
    text = "\n".join([STORY, "The fixtures for the weekend are:", *fixtures, END])
    assert removed_rules(text) == {}


def page_text() -> str:
    """A full web page: menu, headline, lead, byline, body with a caption, related links, footer."""
    menu = ["Skip to content", "Home", "News", "Sport", "Business", "Weather", "Search", "Sign in", "Menu"]
    body = [
        "Flood barriers failed in three towns on Monday, leaving hundreds of homes under water and roads closed.",
        "By Jane Smith",
        "3 May 2024, 17:47",
        "Getty Images",
        "Residents watch the river rise",
        "The council said that the barriers had been tested in March and that an inquiry would be held into why "
        "they had not held back the water this time.",
        "Engineers were on site by the afternoon, and the environment agency said the worst was over for now.",
        "What happens next?",
        "Residents who have lost their homes will be housed in hotels while the damage is assessed, the council "
        "said, and payments of up to £500 will be made to every household affected by the floods.",
    ]
    related = [
        "Related stories",
        "Storm brings travel chaos to the north",
        "Why the barriers were built",
        "Council tax to rise by 5%",
        "Most read",
        "Man arrested after town centre fight",
        "School closes after roof collapse",
    ]
    footer = ["About us", "Contact us", "Privacy Policy", "Cookie settings", "Terms of Use", "Jobs", "Advertise",
              "Newsletters", "Facebook", "Twitter", "Instagram", "© 2024 The Daily Example"]
    footer += [f"Section {n}" for n in range(12)]
    return "\n".join(menu + ["Flood barriers fail in three towns"] + body + related + footer)


def test_a_full_page_keeps_its_story_and_nothing_else():
    article = clean_article(draft(page_text()), RULES, SETTINGS)
    assert [paragraph.text for paragraph in article.paragraphs] == [
        "Flood barriers failed in three towns on Monday, leaving hundreds of homes under water and roads closed.",
        "The council said that the barriers had been tested in March and that an inquiry would be held into why "
        "they had not held back the water this time.",
        "Engineers were on site by the afternoon, and the environment agency said the worst was over for now.",
        "What happens next?",
        "Residents who have lost their homes will be housed in hotels while the damage is assessed, the council "
        "said, and payments of up to £500 will be made to every household affected by the floods.",
    ]
    rules = {line.text: line.rule for line in article.removed}
    assert rules["By Jane Smith"] == "bylines.byline"
    assert rules["Residents watch the river rise"] == "structure.caption_after_credit"
    assert rules["Storm brings travel chaos to the north"] == "structure.outside_main_text"
    assert rules["Home"] == "chrome.menu_control"
    assert rules["Sport"] == "structure.outside_main_text"


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
    text = f"Ad sales boost Time Warner profit\n\n{STORY}\n{END}"
    article = clean_article(draft(text), RULES, SETTINGS)
    assert article.title == "Ad sales boost Time Warner profit"
    assert [paragraph.text for paragraph in article.paragraphs] == [STORY, END]


def test_the_headline_printed_again_under_the_title_is_removed():
    text = f"Ad sales boost Time Warner profit | Daily News\n\nAd sales boost Time Warner profit\n{STORY}\n{END}"
    article = clean_article(draft(text), RULES, SETTINGS)
    assert article.title == "Ad sales boost Time Warner profit | Daily News"
    assert [paragraph.text for paragraph in article.paragraphs] == [STORY, END]
    assert [line.rule for line in article.removed] == ["structure.title_repeat"]


def test_first_sentence_is_not_mistaken_for_a_title():
    article = clean_article(draft("Quarterly profits rose 76% on Monday.\n\nMore text here."), RULES, SETTINGS)
    assert article.title is None


def test_user_rule_and_disabled_rule():
    settings = CleanSettings(
        rules=[{"name": "plus_prompt", "pattern": "daily example plus", "kind": "paywall"}],
        disabled_rules=["navigation.more_from_section"],
    )
    text = f"{STORY}\nDaily Example Plus: all stories for £1\nMore from Politics\n{END}"
    assert removed_rules(text, settings) == {"Daily Example Plus: all stories for £1": "user.plus_prompt"}


def test_unknown_disabled_rule_and_pack_are_config_errors():
    with pytest.raises(ConfigError, match="clean.disabled_rules"):
        load_rules(CleanSettings(disabled_rules=["media.no_such_rule"]))
    with pytest.raises(ConfigError, match="clean.packs"):
        load_rules(CleanSettings(packs=["nosuchoutlet"]))


def test_every_removed_line_has_a_rule_and_every_line_one_place():
    article = clean_article(draft(page_text()), RULES, SETTINGS)
    kept = {paragraph.line_no for paragraph in article.paragraphs}
    removed = {line.line_no for line in article.removed}
    assert not kept & removed
    assert kept | removed | {article.title_line_no} - {None} == set(range(1, len(page_text().split("\n")) + 1))
    assert all(line.rule for line in article.removed)


def test_a_headline_over_nothing_is_removed_not_lost():
    article = clean_article(draft("Storm closes schools\n\nAdvertisement\nShare this article"), RULES, SETTINGS)
    assert article.title is None and article.paragraphs == []
    assert [(line.line_no, line.rule) for line in article.removed][0] == (1, EMPTY_TITLE_RULE)


def test_the_headline_printed_again_under_a_first_line_not_taken_for_the_title_is_removed():
    # Two sentences: not taken for the title, but it is still the page's <title>, and the copy below goes.
    page_title = "Nvidia is into nation building. We are cool with that - The Globe and Mail"
    headline = "Nvidia is into nation building. We are cool with that"
    article = clean_article(draft(f"{page_title}\n\n{headline}\n{STORY}\n{END}"), RULES, SETTINGS)
    assert article.title is None
    assert [paragraph.text for paragraph in article.paragraphs] == [page_title, STORY, END]
    assert {line.text: line.rule for line in article.removed} == {headline: "structure.title_repeat"}


def test_a_first_line_without_a_copy_above_the_story_removes_nothing():
    text = f"{STORY}\nThe minister spoke again on Tuesday.\n{END}\n{STORY.replace('Monday', 'Friday')}"
    assert removed_rules(text) == {}


def test_a_menu_cut_off_as_an_article_of_its_own_loses_its_links_and_a_list_with_a_sentence_keeps_them():
    menu = ["California", "Climate & Environment", "Entertainment & Arts", "Housing & Homelessness", "World & Nation"]
    article = clean_article(draft("\n".join(menu)), load_rules(CleanSettings()), CleanSettings())
    assert {line.text: line.rule for line in article.removed} == {item: "structure.link_run" for item in menu}
    # A short table under its one sentence (the intensities of an earthquake by region) is not a menu.
    table = ["The intensities were as follows.", "Intensity 5 lower", "Miyazaki prefecture: Takanabe town", "Intensity 4 upper"]
    article = clean_article(draft("\n".join(table)), load_rules(CleanSettings()), CleanSettings())
    assert [paragraph.text for paragraph in article.paragraphs] == table
