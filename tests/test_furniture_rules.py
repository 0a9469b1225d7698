"""Web furniture rules and the page's lead: each removed line names its rule, and the story around it stays.

Like datatrove's filter tests, every case puts the furniture line between two paragraphs of a story and
checks both the reason it was removed and that the story's lines next to it were kept.
"""

import pytest

from tasks.clean import clean_article
from tasks.config import CleanSettings
from tasks.main_text import OUTSIDE_MAIN_TEXT_RULE
from tasks.rules import load_rules
from tasks.textlines import ends_like_sentence

from tests.helpers import draft

SETTINGS = CleanSettings()
RULES = load_rules(SETTINGS)
STORY = "The minister spoke in the Commons on Monday about the plan, which was agreed at the weekend."
END = "She said the plan would work, and that the talks would go on in Paris next week."


def clean(text: str):
    article = clean_article(draft(text), RULES, SETTINGS)
    return [paragraph.text for paragraph in article.paragraphs], {line.text: line.rule for line in article.removed}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("A welcome email is on its way. If you don't see it, please check your junk folder.", "social.newsletter_state"),
        ("We encountered an issue signing you up. Please try again", "social.newsletter_state"),
        ("Interested in more newsletters? Browse here.", "social.newsletter_state"),
        ("THIS CONTENT IS RESERVED FOR SUBSCRIBERS ONLY", "social.subscription_promo"),
        ("REGISTER / SIGN IN TO UNLOCK MORE ARTICLES", "social.subscription_promo"),
        ("Melden Sie sich jetzt mit Ihrem bestehenden Account an oder testen Sie unser digitales Abo.", "social.subscription_promo"),
        ("Forum: 5 Postings", "social.comment_guidelines"),
        ("Ihre Meinung zählt.", "social.comment_guidelines"),
        ("The Telegraph values your comments but kindly requests all posts are on topic.", "social.comment_guidelines"),
        ("Add TheJapanNews to your Google News feed.", "social.google_news_prompt"),
        ("Social Sharing", "social.share_prompt"),
        ("Copy Link Copied", "social.share_prompt"),
        ("This article contains affiliate links. The products were selected independently.", "chrome.affiliate_disclosure"),
        ("If you buy something using links in our stories, we may earn a commission.", "chrome.affiliate_disclosure"),
        ("Um eingebettete Inhalte anzuzeigen, ist deine widerrufliche Einwilligung notwendig.", "chrome.embed_consent"),
        ("Podcast freigeben", "chrome.embed_consent"),
        ("This advertisement has not loaded yet.", "chrome.advertisement"),
        ("Advertorial", "chrome.advertisement"),
        ("Back to video", "media.player_notice"),
        ("Legende: Siham Zein ad-Din mit ihrem Ehemann auf dem Karama-Platz in Sweidah. SRF", "media.image_caption"),
        ("Marco Buschmann und Lisa Paus bei der Vorstellung der Eckpunkte Foto: Felix Zahn/imago", "media.caption_credit_suffix"),
        ("Lady Starmer on the front row at the Edeline Lee show Nicky J Sims/Getty Images Europe", "media.caption_credit_suffix"),
        ("— David Lammy (@DavidLammy) September 15, 2024", "media.tweet_embed"),
        ("The boss' team won this time. #northlondonderby pic.twitter.com/lw9nAbC", "media.tweet_embed"),
        ("ZEIT ONLINE hat diese Meldung redaktionell nicht bearbeitet. Sie wurde automatisch übernommen.", "bylines.agency_feed_notice"),
        ("Über dieses Thema berichtet: BR24 im Radio am 26.08.2024 um 06:00 Uhr.", "bylines.broadcast_note"),
        ("(Los Angeles Times)", "media.parenthesised_credit"),
        ("Passwort vergessen", "chrome.account_link"),
        ("Article content", "chrome.interface_word"),
        ("Inhaltlichen Fehler melden", "social.feedback_prompt"),
        ("Die Kommentarfunktion unter diesem Artikel ist geschlossen.", "social.comments"),
        ("Bitte halten Sie sich an unsere Netiquette.", "social.comment_guidelines"),
        ("Vis mer", "navigation.all_articles_link"),
        ("Commandant Arturo Roja, second left, and Colonel Stuart Glenn at the opening ceremony", "media.caption_with_position"),
        ("Bethany Funke (R)", "media.caption_with_position"),
        ("Yasmine Hassan · CBC News · Posted: Aug 08, 2024 4:00 AM EDT | Last Updated: August 8", "bylines.posted_meta"),
        ("Last updated 15 hours ago", "bylines.relative_time"),
        ("Der Sicherheitsrat tagt im UN-Hauptquartier Frank Franklin II/Copyright 2026 The AP. All rights reserved", "media.caption_with_copyright"),
        ("Agentes de la policía italiana en el campamento, el 11 de octubre. Florion Goga (REUTERS)", "media.caption_agency_suffix"),
        ("Steffen Kauert erklärt, welche Folgen die Hitze für Autobahnen hat. (Archivbild)", "media.caption_agency_suffix"),
        ("Click here to read the unsealed search warrant on the apartment.", "navigation.click_here_link"),
        ("47", "chrome.lone_number"),
        ("▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄", "chrome.lone_symbol"),
        ("Sist oppdatert torsdag 09. mai 2024 - 20:24", "bylines.timestamp"),
        ("Beaumont covers national politics for The Associated Press. He is based in Des Moines, Iowa.", "bylines.author_beat"),
        ("Peoples reported from New York. Associated Press writer Bill Barrow in Atlanta contributed to this report.", "apnews.contributed"),
        ("ap.org", "apnews.ap_chrome"),
        ("Ja, ich bin mit der Datenschutzerklärung und der Erstellung eines Nutzerkontos einverstanden.*", "chrome.form_field"),
        ("Diese gelben Eier sollten Sie unbedingt in Ruhe lassen – sie bringen Ihnen Glück lesen", "navigation.teaser_read_link"),
        # Chrome, share, comment and subscription words in more languages (issue 3).
        ("Schliessen", "chrome.interface_word_more_languages"),
        ("Zaloguj się", "chrome.interface_word_more_languages"),
        ("Článek", "chrome.content_type_label"),
        ("mit Video", "chrome.content_type_label"),
        ("FAZ+", "chrome.content_type_label"),
        ("Následuje obsah vložený z jiného webu. Zde jej můžete přeskočit.", "chrome.embed_skip_link"),
        ("Link kopieren Link kopieren", "social.share_row_more_languages"),
        ("Per E-Mail teilen E-Mail", "social.share_row_more_languages"),
        ("Enviar por email", "social.share_row_more_languages"),
        ("Facebook X LinkedIn Tumblr Pinterest WhatsApp Telegram Share via Email Print", "social.share_row_more_languages"),
        ("Klicken, um die Teilen-Funktion zu öffnen. Teilen Zu den Kommentaren springen.", "social.comments_jump_link"),
        ("Abo abschliessen Login", "social.subscribe_button_more_languages"),
        ("Publiziert: 01.07.2023, 11:16", "bylines.timestamp_labelled_more_languages"),
        ("včera 14:40", "bylines.relative_day_time"),
        ("Von dpa 30.04.2024, 18:58", "bylines.name_and_date"),
        ("Tobias Mühlbauer 24.04.2024, 19:35 Uhr", "bylines.name_and_date"),
        ("Redacción: ANTONIO LOBATO", "bylines.byline_label_more_languages"),
        ("Un centro de migrantes en Albania. Foto: Florion Goga (REUTERS) | Vídeo: EPV", "media.caption_credit_after_bar"),
        ("Catherine Connolly will succeed Michael D. Higgins. | Niall Carson/PA Images via Getty Images", "media.caption_credit_after_bar"),
        ("Ein Polizeiauto vor dem Gericht (Symbolfoto: picture alliance/dpa | Jens Büttner)", "media.caption_credit_in_brackets"),
        ("Comment speech bubble icon", "chrome.icon_label"),
        ("Ljuduppspelningen är AI-genererad. Felaktigheter kan förekomma.", "chrome.ai_notice"),
        ("Danke, dass Sie ZEIT ONLINE nutzen.", "chrome.thanks_for_reading"),
        ("Externer Inhalt Datenschutzerklärung", "chrome.external_content_label"),
        ("Fotostrecke ansehen", "media.gallery_open_link"),
        ("Přečtěte si také: Vláda podá demisi", "navigation.read_more_more_languages"),
    ],
)
def test_a_furniture_line_is_removed_by_its_rule_and_the_story_around_it_stays(line, rule):
    kept, removed = clean("\n".join([STORY, line, END]))
    assert removed == {line: rule}
    assert kept == [STORY, END]


def test_a_video_label_makes_the_next_short_line_a_caption_and_the_story_stays():
    label = "WATCH | Palestinians react to Sinwar being named Hamas political leader:"
    kept, removed = clean("\n".join([STORY, label, "Some Palestinians worry about the talks", END]))
    assert removed[label] == "media.video_label"
    assert kept[0] == STORY and kept[-1] == END


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell on Monday, and the next issue of the report will come out in May.",
        "The company may earn a commission of up to 30%, the regulator found, which critics called excessive.",
        "Er zeigte das Foto: Es war eine Fälschung, sagte der Anwalt am Montag vor dem Gericht in Berlin.",
        "Register to vote by Friday, officials urged, as the deadline for the election nears.",
        "(seeds in brackets)",
        "The new headphones give the impression that sound is coming from the left, right, and behind a listener.",
        "The court ruled that the song was protected by copyright.",
        "Das teilte die Polizei am Montag in Berlin mit, die Ermittlungen dauern an. (dpa)",
        "3,803",
        "Medicare covers most of the costs for Americans over 65.",
        "* Figures for 2023 are estimates.",
        "Publiziert wurde die Studie am 3. Mai 2024 in der Zeitschrift Nature, sagte die Forscherin.",
        "Teilen Sie uns Ihre Meinung mit, schreibt die Redaktion am Ende des Aufrufs an die Leser.",
        "Die Wahl ist am 24.04.2024, 19:35 Uhr beendet worden, teilte der Wahlleiter mit.",
        "Analyse des Wahlergebnisses zeigt einen klaren Trend zu den kleineren Parteien im Osten.",
    ],
)
def test_story_lines_that_look_a_little_like_furniture_stay(line):
    kept, removed = clean("\n".join([STORY, line, END]))
    assert removed == {}
    assert kept == [STORY, line, END]


def test_a_german_quote_ends_a_sentence():
    # „…“ closes with U+201C: the line ends like a sentence, so text density reads it as prose.
    assert ends_like_sentence("Er sagte: „Ich werde nicht Netanyahus Punchingball sein.“")
    assert ends_like_sentence("Il a dit : « Je viens. »")


MENU = ["Skip to content", "Home", "News", "Sport", "Business", "Weather", "Search", "Sign in", "Menu"]
MENU += [f"Section {n}" for n in range(10)]
BODY = [
    "The council said that the barriers had been tested in March and that an inquiry would be held into why "
    "they had not held back the water this time.",
    "Engineers were on site by the afternoon, and the environment agency said the worst was over for now.",
    "Residents who have lost their homes will be housed in hotels while the damage is assessed, the council "
    "said, and payments of up to £500 will be made to every household affected by the floods.",
]
FOOTER = ["About us", "Contact us", "Privacy Policy", "Cookie settings", "Terms of Use", "© 2024 The Daily Example"]
FOOTER += [f"Footer link {n}" for n in range(12)]


def page(standfirst: str) -> str:
    """A full page whose standfirst does not end with a full stop, parted from the body by the byline,
    the date, a share bar and a caption no rule knows; teasers follow the story."""
    header = [
        "Flood barriers fail in three towns",  # the headline
        standfirst,
        "By Jane Smith",
        "3 May 2024, 17:47",
        "Share",
        "Facebook",
        "Copy link",
        "Residents watch the river rise in Carlisle",
    ]
    teasers = ["Most read", "Man arrested after town centre fight", "School closes after roof collapse"]
    return "\n".join(MENU + header + BODY + teasers + FOOTER)


def test_a_standfirst_under_the_headline_is_kept_without_a_full_stop():
    standfirst = "Hundreds of homes are under water and roads are closed after the river burst its banks overnight"
    kept, removed = clean(page(standfirst))
    assert kept[0] == standfirst
    assert kept[1].startswith("The council said")
    # The headline above it and the caption between it and the body are not the story.
    assert removed["Flood barriers fail in three towns"] == OUTSIDE_MAIN_TEXT_RULE
    assert removed["Residents watch the river rise in Carlisle"] == OUTSIDE_MAIN_TEXT_RULE
    assert removed["By Jane Smith"] == "bylines.byline"


def test_a_standfirst_shorter_than_a_headline_that_repeats_the_title_is_kept():
    headline = "Flood barriers fail in three towns as the river bursts its banks overnight in Cumbria"
    standfirst = "Hundreds of homes are under water and many roads are closed"
    text = f"{headline} - The Daily Example\n\n" + page(standfirst).replace("Flood barriers fail in three towns", headline)
    kept, removed = clean(text)
    assert kept[0] == standfirst
    assert removed[headline] == "structure.title_repeat"


def test_a_short_line_under_the_headline_is_not_a_standfirst():
    kept, removed = clean(page("Watch the video"))
    assert kept[0].startswith("The council said")
    assert removed["Watch the video"] == OUTSIDE_MAIN_TEXT_RULE


def test_the_headline_under_a_kicker_is_not_a_standfirst():
    # A kicker or section name ("Hitzefolgen", "Cumbria floods") is too short to be the headline above a
    # standfirst; the headline under it is not the story's text.
    headline = "How the towns along the river are getting ready for the next flood"
    text = page("placeholder").replace("Flood barriers fail in three towns\nplaceholder", f"Cumbria floods\n{headline}")
    kept, removed = clean(text)
    assert kept[0].startswith("The council said")
    assert removed[headline] == OUTSIDE_MAIN_TEXT_RULE


def page_with_comments(counter_above: bool) -> str:
    header = ["Flood barriers fail in three towns", "By Jane Smith", "3 May 2024, 17:47"]
    header += ["12 Comments"] if counter_above else []
    comments = [
        "12 Comments",
        "I have lived here for thirty years and the council has never once listened to what we said about it, "
        "not when the river rose in 2015 and not when it rose again last winter.",
        "The money should have gone to the barriers in the first place, and everyone in this town knows it.",
        "My street was under water for the third time in ten years, and the insurance will not pay this time.",
    ]
    return "\n".join(MENU + header + BODY + comments + FOOTER)


def test_readers_comments_after_the_story_are_not_the_main_text():
    kept, removed = clean(page_with_comments(counter_above=False))
    assert kept[-1].startswith("Residents who have lost their homes")
    assert removed["12 Comments"] == "social.comments"
    assert removed[
        "The money should have gone to the barriers in the first place, and everyone in this town knows it."
    ] == OUTSIDE_MAIN_TEXT_RULE


def test_a_comment_counter_above_the_story_does_not_end_it():
    kept, _ = clean(page_with_comments(counter_above=True))
    assert kept[0].startswith("The council said")
    assert kept[2].startswith("Residents who have lost their homes")


def test_label_value_facts_are_not_a_run_of_links_but_headlines_are():
    facts = ["Price: £40, Dunelm", "We like: the low energy consumption", "We don’t like: heat output isn’t high",
             "Weight: 5kg"]
    links = ["Man arrested after town centre fight", "School closes after roof collapse", "Council tax to rise"]
    story = BODY[:2] + facts + BODY[2:] + [STORY, END]
    kept, removed = clean("\n".join(MENU + story + links + FOOTER))
    assert kept == story
    assert {removed[link] for link in links} <= {"structure.link_run", OUTSIDE_MAIN_TEXT_RULE}
    # Inside an extracted body (no page around it), a run of headlines after a related header goes.
    kept, removed = clean("\n".join(BODY[:2] + facts + BODY[2:] + ["Related stories"] + links))
    assert kept == BODY[:2] + facts + BODY[2:]
    assert {removed[link] for link in links} == {"structure.link_run"}


@pytest.mark.parametrize("name", ["Ryan Devereaux", "Miguel A. Herguedas", "Marlene Lundberg Holm", "Ursula von der Leyen"])
def test_a_name_alone_above_the_story_is_its_byline(name):
    headline = "Storm closes schools across the north"
    kept, removed = clean("\n".join([headline, name, STORY, END]))
    assert removed == {name: "structure.author_name_at_top"}
    assert kept == [headline, STORY, END]


@pytest.mark.parametrize("line", ["The All Blacks", "WORLD OF WARCRAFT", "Jane Smith said so.", "Tuesday, 1 March 2005"])
def test_a_title_in_capitals_or_a_sentence_above_the_story_is_not_a_name(line):
    kept, removed = clean("\n".join([line, STORY, END]))
    assert line not in removed or removed[line] != "structure.author_name_at_top"


def test_a_name_alone_below_the_story_start_stays():
    kept, removed = clean("\n".join([STORY, END, "Jane Smith", STORY.replace("Monday", "Tuesday")]))
    assert "Jane Smith" in kept


@pytest.mark.parametrize("dateline", ["Chemnitz.", "Frankfurt/Main.", "Bad Homburg."])
def test_a_place_alone_with_a_full_stop_above_the_story_is_its_dateline(dateline):
    headline = "Storm closes schools across the north"
    kept, removed = clean("\n".join([headline, dateline, STORY, END]))
    assert removed == {dateline: "structure.dateline_at_top"}
    assert kept == [headline, STORY, END]


def teaser_list(count: int) -> list[str]:
    """Teasers of other stories after the story: kicker, headline, a sentence of text, "Read more", date."""
    topics = ["schools", "buses", "libraries", "parks", "hospitals", "roads", "markets"][:count]
    teasers = []
    for n, topic in enumerate(topics):
        teasers += [
            topic.capitalize(),
            f"Council votes on the new plan for its {topic}",
            f"The council will decide next week whether the {topic} of the district should change, after a "
            f"long debate in which the people who use the {topic} argued against the plan.",
            "Read more",
            f"{n + 1} May 2024",
        ]
    return teasers


NEWSLETTER = [
    "Every morning at seven, the most important stories of the day in five minutes, chosen by our editors for you.",
    "Our editors read everything so that you do not have to, and you can stop at any time you like.",
    "On Fridays there is a longer letter from the editor about the week and what is to come in the next one.",
    "On Sundays we send the best of the weekend's writing, with a crossword and a puzzle for the children.",
    "Once a month our reporters answer the questions that readers have sent to them in the last few weeks.",
]
# Two more paragraphs of the story: together with BODY, it outweighs the newsletter box.
MORE_BODY = [
    "The environment agency said that new barriers would be built by the end of next year, at a cost of more "
    "than twenty million pounds, and that the towns would be protected in the meantime by temporary walls.",
    "Residents said that they had heard such promises before, and that they would believe them when they saw "
    "the work begin on the banks of the river, and not a day before then, whatever the agency said.",
]


def test_teasers_and_a_newsletter_box_after_the_story_are_not_its_tail():
    header = ["Flood barriers fail in three towns", "By Jane Smith", "3 May 2024, 17:47"]
    related = ["Related stories", *[f"Topic {n}" for n in range(8)]]
    text = "\n".join(MENU + header + BODY + MORE_BODY + related + teaser_list(5) + NEWSLETTER + FOOTER)
    kept, removed = clean(text)
    assert kept == BODY + MORE_BODY
    assert removed[NEWSLETTER[0]] == OUTSIDE_MAIN_TEXT_RULE
    assert removed[teaser_list(5)[2]] == OUTSIDE_MAIN_TEXT_RULE
    # With the check off (ratio 1), the best-scoring stretch runs on into the teasers and the newsletter box.
    article = clean_article(draft(text), RULES, CleanSettings(main_text={"tail_gain_ratio": 1}))
    assert [paragraph.text for paragraph in article.paragraphs][-len(NEWSLETTER) :] == NEWSLETTER


def test_the_story_goes_on_after_a_fact_box():
    facts = [f"Town {n}: {n * 100} homes" for n in range(10)]
    more = [
        "The environment agency said that new barriers would be built by the end of next year, at a cost of more "
        "than twenty million pounds, and that the towns would be protected in the meantime by temporary walls.",
        "Residents said they had heard such promises before, and that they would believe them when they saw the "
        "work begin on the river banks, not a day before then.",
    ]
    kept, _ = clean("\n".join(MENU + ["Flood barriers fail in three towns"] + BODY + facts + more + FOOTER))
    assert kept[: len(BODY)] == BODY and kept[-2:] == more


def test_teaser_headlines_and_a_promotion_right_after_the_story_go():
    teasers = ["Man arrested after town centre fight", "Jane Smith", "School closes after roof collapse"]
    promotion = (
        "Stay informed with The Daily Example, your source for credible journalism: we bring you in-depth "
        "reporting and opinion from across the region every day, and our reporters are out in the towns and "
        "villages of the county to find the stories that matter to you, from the council chamber to the "
        "courts, from the schools to the hospitals, and from the football ground to the farms, so that you "
        "know what is happening where you live and why it matters to you and your family and your neighbours."
    )
    text = "\n".join(MENU + ["Flood barriers fail in three towns"] + BODY + teasers + [promotion] + FOOTER)
    kept, removed = clean(text)
    assert kept == BODY
    assert removed[promotion] == OUTSIDE_MAIN_TEXT_RULE
    # Without the check, the promotion scores more than the teaser headlines cost: it stays.
    article = clean_article(draft(text), RULES, CleanSettings(main_text={"teaser_run_min_lines": 0}))
    paragraphs = [paragraph.text for paragraph in article.paragraphs]
    assert paragraphs[: len(BODY)] == BODY and paragraphs[-1] == promotion
