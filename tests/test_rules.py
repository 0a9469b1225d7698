"""The rule library: every shipped pack loads and checks its own examples; broken packs stop the run."""

import re

import pytest

from tasks.config import CleanSettings, ConfigError
from tasks import rules as rules_module
from tasks.rules import LineRule, RuleSet, _first_characters, available_packs, load_pack, load_rules

KIND_PACKS = ["chrome", "media", "navigation", "social", "bylines"]
OUTLET_PACKS = ["skynews", "bbc", "guardian", "reuters", "apnews", "cnn", "dailymail"]


def test_the_packs_by_kind_and_by_outlet_are_shipped_and_on_by_default():
    assert set(KIND_PACKS + OUTLET_PACKS) <= set(available_packs())
    assert CleanSettings().packs == KIND_PACKS + OUTLET_PACKS


@pytest.mark.parametrize("pack", KIND_PACKS + OUTLET_PACKS)
def test_every_rule_has_a_name_a_kind_and_matching_examples(pack):
    # load_pack raises when an example does not match or a counterexample does.
    rules = load_pack(pack)
    assert rules
    for rule in rules:
        assert re.fullmatch(rf"{pack}\.[a-z0-9_]+", rule.name)
        assert rule.kind and rule.kind != "other"


def test_rule_names_are_unique_across_packs():
    names = [rule.name for rule in load_rules(CleanSettings())]
    assert len(names) == len(set(names))


def test_the_joined_rules_find_the_same_first_rule_as_one_call_per_rule():
    ruleset = load_rules(CleanSettings())
    lines = [
        "Getty Images", "Image: Pic: AP", "More from Politics", "Share", "By Jane Smith", "Advertisement",
        "4:01", "The minister spoke on Monday.", "Photograph: Reuters", "1 / 12", "Follow Sky News on WhatsApp",
    ]
    for line in lines:
        slow = next((rule for rule in ruleset.rules if rule.matches(line)), None)
        assert ruleset.first_match(line) is slow


def test_a_user_pattern_with_its_own_flags_works_inside_the_joined_rules():
    ruleset = RuleSet([LineRule("user.a", "user", re.compile(r"(?i)subscribe now"))])
    assert ruleset.first_match("SUBSCRIBE NOW").name == "user.a"
    case_sensitive = RuleSet([LineRule("user.b", "user", re.compile(r"FILE - "))])
    assert case_sensitive.first_match("file - x") is None


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (r"(?i)kelvin", "\u212aelvin"),  # the Kelvin sign is a K when case is ignored
        (r"(?:\s*|x)menu", "menu"),  # the first item may match nothing
        (r"(?=.{0,9}$)(?<!a)\bmenu", "menu"),  # zero-width items come before the first character
        (r"[^a-z]+", "Über"),  # a line starting with a character past ASCII is always tried
        (r"(a)?\1?menu", "menu"),  # a back-reference: no first characters
    ],
)
def test_the_first_character_test_passes_every_line_its_rule_matches(pattern, line):
    rule = LineRule("user.a", "user", re.compile(pattern))
    assert rule.matches(line)
    assert RuleSet([rule]).first_match(line) is rule
    assert RuleSet([rule]).first_match("-" + line) is None or rule.matches("-" + line)


def test_the_first_character_test_lists_what_a_line_can_start_with():
    assert _first_characters(re.compile(r"(?:menu|home)\b", re.IGNORECASE)) == "HMhm"
    assert _first_characters(re.compile(r"\(?\d")) == "(0123456789"
    assert _first_characters(re.compile(r"x?")) is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("- name: x\n  kind: chrome\n  pattern: '(['\n", "rule bad.x: not a valid regular expression"),
        ("- name: x\n  kind: chrome\n  pattern: 'menu$'\n  examples: ['Home']\n", "rule bad.x: does not match its example 'Home'"),
        ("- name: x\n  kind: chrome\n  pattern: 'menu'\n  counterexamples: ['Menu card']\n", "rule bad.x: matches its counterexample"),
        ("- name: x\n  kind: chrome\n  pattern: 'menu'\n  patern: 'x'\n", "rule bad.x: unknown key 'patern'"),
        ("- name: X-1\n  pattern: 'menu'\n", "rule bad.X-1: the name must be"),
        ("- name: x\n  pattern: 'a'\n- name: x\n  pattern: 'b'\n", "rule bad.x: the name is used twice"),
    ],
)
def test_a_broken_pack_is_a_config_error_naming_the_rule(tmp_path, monkeypatch, rule, message):
    (tmp_path / "bad.yaml").write_text("rules:\n" + "".join(f"  {line}\n" for line in rule.splitlines()))
    monkeypatch.setattr(rules_module, "RULES_DIR", tmp_path)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_pack("bad")
