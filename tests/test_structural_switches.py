"""Every structural check can be switched off by its rule name in clean.disabled_rules, like a pattern rule."""

import pytest

from tasks.clean import clean_article
from tasks.config import CleanSettings, ConfigError
from tasks.rules import load_rules
from tasks.structure import STRUCTURAL_RULES

from tests.helpers import draft
from tests.test_clean import END, STORY, page_text

HEADLINE = "Storm closes schools across the north"
RELATED = ["Related stories", "Man arrested after town centre fight", "School closes after roof collapse",
           "Council tax to rise"]

# For each check: an article and the line of it that the check removes.
CASES = {
    "structure.video_title": (f"{STORY}\n4:01\nBritain must ‘lead from the front’\n{END}", "Britain must ‘lead from the front’"),
    "structure.caption_after_marker": (f"{STORY}\nImage caption,\nResidents watch the river rise\n{END}", "Residents watch the river rise"),
    "structure.caption_after_credit": (f"{STORY}\nGetty Images\nResidents watch the river rise\n{END}", "Residents watch the river rise"),
    "structure.byline_after_marker": (f"{STORY}\nVon\nJasper Riemann\n{END}", "Jasper Riemann"),
    "structure.author_name_at_top": ("\n".join([HEADLINE, "Ryan Devereaux", STORY, END]), "Ryan Devereaux"),
    "structure.dateline_at_top": ("\n".join([HEADLINE, "Chemnitz.", STORY, END]), "Chemnitz."),
    "structure.repeated_line": ("\n".join([STORY, "Flood defences in Cumbria", END, "Flood defences in Cumbria", STORY, "Flood defences in Cumbria"]), "Flood defences in Cumbria"),
    "structure.title_repeat": (f"Ad sales boost Time Warner profit | Daily News\n\nAd sales boost Time Warner profit\n{STORY}\n{END}",
                               "Ad sales boost Time Warner profit"),
    "structure.outside_main_text": (page_text(), "Storm brings travel chaos to the north"),
    "structure.link_run": ("\n".join([STORY, END, *RELATED]), "Man arrested after town centre fight"),
    "structure.headline_above_timestamp": ("\n".join([STORY, "Council tax to rise by five per cent", "23. 12. 2024 13:31", END]),
                                           "Council tax to rise by five per cent"),
    "structure.first_of_two_short_lines": (page_text().replace("What happens next?", "Flood damage\nRoads reopen after week-long closures"),
                                           "Flood damage"),
    "structure.between_prompts": (f"{STORY}\nCreate an account or sign in to continue with your reading experience.\n"
                                  f"Access articles from across Canada with one account.\nEnjoy additional articles per month.\n{END}",
                                  "Access articles from across Canada with one account."),
    "structure.caption_above_credit": (f"{STORY}\nResidents watch the river rise.\n(Photo: Reuters)\n{END}", "Residents watch the river rise."),
    "structure.teaser_headline_run": ("\n".join([STORY, "Council tax to rise by five per cent next year",
                                                  "Man arrested after fight in the town centre", END]),
                                      "Council tax to rise by five per cent next year"),
    "structure.name_under_paragraph": ("\n".join([STORY, "Officials said the money would be spent over five years.",
                                                   "The opposition called the plan a gimmick and will vote against it.",
                                                   "Unions said they would study the details before they took a view.",
                                                   "Henning Melber",
                                                   "Political analyst Henning Melber questions the timing of the plan.", END]),
                                       "Henning Melber"),
    "structure.tag_list": ("\n".join([STORY, "Keir Starmer,", "Labour Party,", "Conservative Party,", END]), "Labour Party,"),
}


# Checks that are off as shipped, and the settings that switch them on for their case.
SWITCHED_ON = {"structure.teaser_headline_run": {"structure": {"teaser_headline_run_min_lines": 2}}}


def settings_for(rule: str, disabled: list[str] = ()) -> CleanSettings:
    return CleanSettings(**SWITCHED_ON.get(rule, {}), disabled_rules=list(disabled))


def removed_by(text: str, settings: CleanSettings) -> dict[str, str]:
    article = clean_article(draft(text), load_rules(settings), settings)
    return {line.text: line.rule for line in article.removed}


def test_every_structural_check_has_a_case():
    assert set(CASES) == set(STRUCTURAL_RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_structural_check_switched_off_by_name_removes_nothing(rule):
    text, line = CASES[rule]
    assert removed_by(text, settings_for(rule))[line] == rule
    removed = removed_by(text, settings_for(rule, [rule]))
    assert rule not in removed.values()
    assert removed.get(line) != rule
    # Switching one check off leaves the others and the story alone.
    assert STORY not in removed and END not in removed


def test_the_two_checks_of_one_pass_are_switched_off_apart():
    top = "\n".join([HEADLINE, "Ryan Devereaux", "Chemnitz.", STORY, END])
    removed = removed_by(top, CleanSettings(disabled_rules=["structure.author_name_at_top"]))
    assert removed == {"Chemnitz.": "structure.dateline_at_top"}
    captions = f"{STORY}\nImage caption,\nResidents watch the river rise\n{END}\nGetty Images\nA flooded street in Carlisle\n{STORY}"
    removed = removed_by(captions, CleanSettings(disabled_rules=["structure.caption_after_marker"]))
    assert removed.get("A flooded street in Carlisle") == "structure.caption_after_credit"
    assert "Residents watch the river rise" not in removed


def test_an_unknown_structural_name_is_a_config_error():
    with pytest.raises(ConfigError, match="structure.no_such_check"):
        load_rules(CleanSettings(disabled_rules=["structure.no_such_check"]))
