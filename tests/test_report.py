"""The summary printed at the end of a run."""

import datetime as dt
from pathlib import Path

from flows.report import SUMMARY_LANGUAGES, SUMMARY_RULES, RunReport


def _report(removed_by_rule: dict[str, int], languages: dict[str, int]) -> RunReport:
    started = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    report = RunReport("run", dt.date(2025, 1, 1), Path("seeds"), "hash", started, finished_at=started)
    report.removed_by_rule, report.languages = removed_by_rule, languages
    report.n_removed_lines = sum(removed_by_rule.values())
    return report


def _line(summary: str, label: str) -> str:
    return next(line for line in summary.splitlines() if line.strip().startswith(label))


def test_the_summary_names_the_most_frequent_rules_first_and_counts_the_rest():
    rules = {f"chrome.rule_{index:02d}": 1 for index in range(SUMMARY_RULES + 4)}
    rules["media.image_caption"] = 9
    rules["social.share_prompt"] = 5
    removed = _line(_report(rules, {"en": 1}).summary(), "removed")
    assert removed.startswith("  removed      26 lines (media.image_caption 9, social.share_prompt 5, chrome.rule_00 1,")
    assert "chrome.rule_05 1, and 6 more rules)" in removed
    assert "chrome.rule_06" not in removed


def test_a_short_list_is_given_whole():
    summary = _report({"media.video_duration": 1, "media.image_caption": 3}, {"en": 2, "de": 1}).summary()
    assert _line(summary, "removed") == "  removed      4 lines (media.image_caption 3, media.video_duration 1)"
    assert _line(summary, "languages") == "  languages    en 2, de 1"


def test_languages_beyond_the_shown_ones_are_counted():
    languages = {f"l{index:02d}": 100 - index for index in range(SUMMARY_LANGUAGES + 2)}
    assert _line(_report({}, languages).summary(), "languages").endswith("l09 91, and 2 more languages")
    assert _line(_report({}, {}).summary(), "languages") == "  languages    none"
