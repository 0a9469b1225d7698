"""The rule library: every shipped pack loads and checks its own examples; broken packs stop the run."""

import re

import pytest

from tasks.config import CleanSettings, ConfigError
from tasks import rules as rules_module
from tasks.rules import (
    PACK_LOADER,
    REMEMBERED_LINES,
    LineRule,
    RuleSet,
    _first_characters,
    available_packs,
    load_pack,
    load_rules,
)

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


# --- the joined regex (tasks/rules/join.py) finds the rule that one call per rule finds ---------------

from pathlib import Path  # noqa: E402

import _sre  # noqa: E402
import yaml  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tasks.rules import RULES_DIR  # noqa: E402
from tasks.rules import join as join_module  # noqa: E402

_SHIPPED = load_rules(CleanSettings())
_RULE_TEXTS = sorted(
    {
        text.strip()
        for path in sorted(Path(RULES_DIR).glob("*.yaml"))
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", [])
        for text in entry.get("examples", []) + entry.get("counterexamples", [])
    }
)
# Characters that re and str case-fold differently, or that sit next to literals the rules start with.
_TRICKY = ["İ", "ı", "ſ", "K", "ß", "µ", "Σ", "ς", "(", ")", " ", "  ", "\t", ".", ":", "©", "’", "—", "A", "a", "1"]


def _first_rule_one_by_one(ruleset: RuleSet, line: str):
    return next((rule for rule in ruleset.rules if rule.matches(line)), None)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_RULE_TEXTS),
    st.lists(st.sampled_from(_TRICKY), max_size=3).map("".join),
    st.lists(st.sampled_from(_TRICKY), max_size=3).map("".join),
    st.sampled_from([str, str.upper, str.lower, str.title, str.swapcase]),
    st.integers(min_value=0, max_value=40),
)
@example("Getty Images", "", "", str, 0)
@example("Menu", "", "", str.upper, 0)
def test_the_joined_rules_agree_with_one_call_per_rule_on_fuzzed_rule_examples(text, before, after, case, cut):
    for line in {case(text), before + case(text) + after, case(text)[cut:], case(text)[:-cut or None] + after}:
        assert _SHIPPED.first_match(line) is _first_rule_one_by_one(_SHIPPED, line), line


def test_the_joined_rules_agree_with_one_call_per_rule_on_every_rule_example():
    for text in _RULE_TEXTS:
        for line in (text, text.upper(), text.lower(), "İ" + text, text.replace("i", "ı").replace("s", "ſ")):
            assert _SHIPPED.first_match(line) is _first_rule_one_by_one(_SHIPPED, line), line


# Small patterns of the shapes the join rewrites: alternatives that start with the same or overlapping
# characters, case-insensitive and not, inside atomic groups and possessive repeats.
_PIECES = ["a", "b", "c", "ab", "A", "i", "ı", "s", "ſ", "k", "[a-c]", "[^a]", r"\w", "x?", "(?:a|b)", "(?-i:a)", "(?i:b)", "(a)", ""]
_pattern_strategy = st.builds(
    lambda alternatives, wrap, tail, flags: flags + wrap.format("|".join(alternatives)) + tail,
    st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map("".join), min_size=1, max_size=5),
    st.sampled_from(["(?:{})", "(?>{})", "(?:{})++", "(?:{})*", "(?:{})+c"]),
    st.sampled_from(["", "$", "c", "b$"]),
    st.sampled_from(["", "(?i)"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_pattern_strategy, min_size=1, max_size=3),
    st.lists(st.text(alphabet="abcABCiIıİsSſkKx ", max_size=6), min_size=1, max_size=8),
)
@example(["(?>ac|[a-c]|ab)$"], ["ab"])  # "ab" may not move up past "[a-c]": the atomic group takes "a"
@example(["(?i)(?>ac|[a-c]|ab)$", "(?i)(?:b|ı|i)++c"], ["AB", "ic", "İc", "ıc", "Ic"])
def test_a_joined_regex_names_the_first_pattern_that_matches(sources, lines):
    patterns = [re.compile(source) for source in sources]
    joined = join_module.join_rules([(f"r{index}", "", pattern) for index, pattern in enumerate(patterns)])
    for line in lines:
        expected = next((index for index, pattern in enumerate(patterns) if pattern.match(line)), None)
        match = joined.match(line)
        assert (int(match.lastgroup[1:]) if match else None) == expected, (sources, line)


def test_the_exact_class_of_a_letter_is_what_re_matches_for_it_ignoring_case():
    every_character = "".join(map(chr, range(0x110000)))
    for letter in "aikmsßµσΣİıſKÅ":
        expected = {ord(found) for found in re.findall(f"(?i:{re.escape(letter)})", every_character)}
        assert join_module._same_ignoring_case(ord(letter)) == expected, letter


def test_no_code_point_past_the_scanned_range_has_a_lower_case():
    assert all(_sre.unicode_tolower(code) == code for code in range(join_module._CASED_BELOW, 0x110000))


def test_a_pattern_with_a_back_reference_is_matched_one_call_per_rule():
    ruleset = RuleSet([LineRule("user.a", "user", re.compile(r"(a)\1menu")), LineRule("user.b", "user", re.compile("x"))])
    assert ruleset.first_match("aamenu").name == "user.a"
    assert ruleset.first_match("x").name == "user.b"


def test_the_packs_read_the_same_with_the_pack_loader_as_with_yaml_safe_load():
    for path in sorted(Path(RULES_DIR).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=PACK_LOADER) == yaml.safe_load(text), path.name


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(_RULE_TEXTS[:40] + ["", "An ordinary sentence of a story."]), min_size=1, max_size=60))
def test_a_remembered_answer_is_the_answer_for_that_line(lines):
    ruleset = _SHIPPED
    ruleset.first_match.cache_clear()
    for line in lines:  # repeats come from the cache after their first time
        assert ruleset.first_match(line) is _first_rule_one_by_one(ruleset, line), line
    assert ruleset.first_match.cache_info().currsize == len(set(lines))


def test_the_remembered_answers_are_bounded():
    ruleset = RuleSet([LineRule("user.a", "user", re.compile(r"line 1\b"))])
    for number in range(REMEMBERED_LINES + 10):
        ruleset.first_match(f"line {number}")
    assert ruleset.first_match.cache_info().currsize == REMEMBERED_LINES


# --- the compiled regexes kept on disk (tasks/rules/compiled.py) ---------------------------------------

from tasks.rules import compiled as compiled_module  # noqa: E402


def test_the_cached_patterns_are_the_ones_re_compiles(tmp_path):
    fresh = load_rules(CleanSettings(), cache=tmp_path)
    assert len(list(tmp_path.glob("rules-*.bin"))) == 1
    cached = load_rules(CleanSettings(), cache=tmp_path)
    for rule in cached:
        # Pattern equality compares source, flags and the engine's code.
        assert rule.pattern == re.compile(rule.pattern.pattern, rule.pattern.flags), rule.name
    assert cached._combined == fresh._combined == RuleSet(list(fresh))._combined
    assert [rule.name for rule in cached] == [rule.name for rule in fresh]


def test_the_cache_is_only_read_when_nothing_needs_compiling(tmp_path, monkeypatch):
    load_rules(CleanSettings(), cache=tmp_path)
    calls = []
    monkeypatch.setattr(compiled_module, "spec_of", lambda *args: calls.append(args))
    load_rules(CleanSettings(), cache=tmp_path)
    assert calls == []


def test_other_packs_or_disabled_rules_use_another_file(tmp_path):
    load_rules(CleanSettings(), cache=tmp_path)
    load_rules(CleanSettings(packs=["chrome"]), cache=tmp_path)
    ruleset = load_rules(CleanSettings(disabled_rules=["media.image_caption"]), cache=tmp_path)
    assert len(list(tmp_path.glob("rules-*.bin"))) == 3
    assert ruleset._combined == RuleSet(list(ruleset))._combined


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],  # one bit flipped
        lambda data: b"",
        lambda data: __import__("hashlib").sha256(b"x").digest() + b"x",  # checksum right, not marshal
    ],
)
def test_a_damaged_cache_file_is_ignored_and_written_again(tmp_path, damage):
    fresh = load_rules(CleanSettings(), cache=tmp_path)
    (path,) = tmp_path.glob("rules-*.bin")
    good = path.read_bytes()
    path.write_bytes(damage(good))
    again = load_rules(CleanSettings(), cache=tmp_path)
    assert again._combined == fresh._combined
    assert [rule.pattern for rule in again] == [rule.pattern for rule in fresh]
    assert path.read_bytes() == good
    assert [file.name for file in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_cache_directory_that_cannot_be_written_leaves_the_rules_compiled(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    ruleset = load_rules(CleanSettings(), cache=blocked / "newsetl")
    assert ruleset.first_match("Advertisement") is not None


def test_cached_code_the_engine_rejects_is_compiled_again(tmp_path):
    import hashlib
    import marshal

    fresh = load_rules(CleanSettings(), cache=tmp_path)
    (path,) = tmp_path.glob("rules-*.bin")
    specs = marshal.loads(path.read_bytes()[32:])
    for name, spec in specs.items():
        specs[name] = (spec[0], spec[1], [255, 255, 255], *spec[3:])  # not valid SRE code
    payload = marshal.dumps(specs)
    path.write_bytes(hashlib.sha256(payload).digest() + payload)
    again = load_rules(CleanSettings(), cache=tmp_path)
    assert again._combined == fresh._combined
    assert [rule.pattern for rule in again] == [rule.pattern for rule in fresh]


def test_only_the_most_recent_cache_files_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled_module, "KEEP_FILES", 2)
    for packs in (["chrome"], ["media"], ["social"]):
        load_rules(CleanSettings(packs=packs), cache=tmp_path)
    assert len(list(tmp_path.glob("rules-*.bin"))) == 2
