"""The boilerplate rule library: data files, one per pack, loaded and checked at start-up.

Packs by kind of furniture (chrome, media, navigation, social, bylines) and by outlet (skynews, bbc,
guardian, reuters, apnews, cnn, dailymail). A rule is a name, a kind and a regular expression matched from
the start of a stripped line; its `examples` must match and its `counterexamples` must not, which is
checked when the pack is loaded, so a broken pack stops the run at start-up with the rule's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import _compiler as sre_compiler  # Python 3.11's parser and compiler: see _first_characters
from re import _constants as sre
from re import _parser as sre_parser

import yaml

from tasks.config import CleanSettings, ConfigError
from tasks.rules.compiled import CompiledPatterns
from tasks.rules.join import CannotJoin, join_rules, joined_tree, parsed_pattern
from tasks.safe_regex import compile_rule_pattern
from tasks.structure import STRUCTURAL_RULES

RULES_DIR = Path(__file__).parent
USER_PACK = "user"
_RULE_NAME = re.compile(r"^[a-z0-9_]+$")
_RULE_KEYS = {"name", "kind", "pattern", "case_sensitive", "examples", "counterexamples"}
# libyaml's safe loader when PyYAML has it: the same documents (tests/test_rules.py checks the packs),
# read in a tenth of the time (0.01 s rather than 0.13 s for the shipped packs, once per process).
PACK_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LineRule:
    name: str  # "<pack>.<rule>", as recorded in removed_lines.rule
    kind: str
    pattern: re.Pattern[str]

    def matches(self, stripped_line: str) -> bool:
        return self.pattern.match(stripped_line) is not None


# At most 16,384 lines: about 9 MB per process (measured, lines of 415 characters, 1.3 MB of it the cache).
REMEMBERED_LINES = 1 << 14


class RuleSet:
    """Rules in order; `first_match` gives the first rule whose pattern matches a line.

    All patterns are joined into one alternation, tried in order by the regex engine in one call: with
    a hundred rules that is an order of magnitude faster than a hundred `match` calls per line. Each
    branch starts with a one-character lookahead for the characters its rule's line can start with
    (_first_characters), so a rule that cannot match is passed over at that cheap test; inside a rule,
    alternatives are passed over at their first character too (tasks/rules/join.py).

    Lines recur: an outlet prints the same furniture on every page, and a wire story runs in many
    outlets (the 10 MB bench corpus has 30,476 non-blank lines, 9,297 distinct). The answer depends on
    the line alone, so the answers for the last REMEMBERED_LINES distinct lines are kept (functools'
    LRU cache; a user rule's time-out raises and is not kept).
    """

    def __init__(self, rules: list[LineRule], compiled: CompiledPatterns | None = None):
        """`compiled`: where the joined regex is kept between processes (load_rules); None builds it."""
        self.rules = list(rules)
        # User rules (tasks/safe_regex.py) run one by one under a time limit, which the join (plain re)
        # has not: only the leading run of plain rules is joined, the rest follow in order.
        joined = next((i for i, rule in enumerate(self.rules) if not isinstance(rule.pattern, re.Pattern)), len(self.rules))
        self._alone = self.rules[joined:]

        def branches() -> list[tuple[str, str, re.Pattern[str]]]:
            return [
                (f"r{index}", _first_character_test(rule.pattern), rule.pattern)
                for index, rule in enumerate(self.rules[:joined])
            ]

        try:
            if not joined:
                self._combined: re.Pattern[str] | None = None
            elif compiled is None:
                self._combined = join_rules(branches())
            else:
                patterns = [rule.pattern for rule in self.rules[:joined]]
                self._combined = compiled.joined(patterns, lambda: joined_tree(branches()))
        except (CannotJoin, re.error):
            # A pattern that cannot be joined (back-references): fall back to one call per rule.
            self._combined = None

        # Per instance (a cache on the method would keep every RuleSet alive); thread-safe.
        self.first_match = lru_cache(maxsize=REMEMBERED_LINES)(self._first_match)

    def _first_match(self, stripped_line: str) -> LineRule | None:
        if self._combined is None:
            return next((rule for rule in self.rules if rule.matches(stripped_line)), None)
        match = self._combined.match(stripped_line)
        if match:
            return self.rules[int(match.lastgroup[1:])]
        return next((rule for rule in self._alone if rule.matches(stripped_line)), None)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


class _Unknown(Exception):
    """A construct whose first character _first_units does not work out."""


_ASCII = [chr(code) for code in range(128)]
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_ONE_CHARACTER = (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY, sre.RANGE, sre.CATEGORY)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _first_character_test(pattern: re.Pattern[str]) -> str:
    """A lookahead for the first character of the lines the pattern can match, or "" when any may.

    Only ASCII characters are told apart: a line starting with any other character passes the test.
    """
    characters = _first_characters(pattern)
    if characters is None or len(characters) > 100:
        return ""  # a test that (almost) every line passes only costs time
    # One negated class (the ASCII characters a line cannot start with) rather than two alternatives
    # (those it can start with, or any past ASCII): the engine tests it without entering a branch.
    unlisted = "".join(f"\\x{ord(character):02x}" for character in _ASCII if character not in characters)
    return f"(?=[^{unlisted}])"


def _first_characters(pattern: re.Pattern[str]) -> str | None:
    """The ASCII characters that a line the pattern matches can start with; None for all (or not known).

    Read from the parsed pattern (re's own parser, private but fixed within Python 3.11, which the
    project pins): the one-character items that can come first, each compiled alone with the flags in
    force there and tried on every ASCII character. Zero-width items (anchors, lookarounds) are
    skipped over, which can only add characters; a pattern that can match the empty string has none.
    """
    try:
        parsed = parsed_pattern(pattern.pattern, pattern.flags)
        units, nullable = _first_units(parsed.data, parsed.state.flags)
    except _Unknown:
        return None
    if nullable:
        return None
    return "".join(character for character in _ASCII if any(unit.match(character) for unit in units))


_ONE_CHARACTER_CACHE: dict[tuple[object, str, int], re.Pattern[str]] = {}


def _one_character(op, argument, flags: int) -> re.Pattern[str]:
    """The one-character item compiled alone (many recur across rules: cached)."""
    key = (op, repr(argument), flags)
    if key not in _ONE_CHARACTER_CACHE:
        unit = sre_parser.SubPattern(sre_parser.State(), [(op, argument)])
        _ONE_CHARACTER_CACHE[key] = sre_compiler.compile(unit, flags)
    return _ONE_CHARACTER_CACHE[key]


def _first_units(items, flags: int) -> tuple[list[re.Pattern[str]], bool]:
    """The one-character patterns that can match first in `items`, and whether `items` can match empty."""
    units: list[re.Pattern[str]] = []
    for op, argument in items:
        if op in _ZERO_WIDTH:
            continue
        if op in _ONE_CHARACTER:
            units.append(_one_character(op, argument, flags))
            return units, False
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, inner = argument
            found, nullable = _first_units(inner.data, (flags | add_flags) & ~del_flags)
        elif op is sre.ATOMIC_GROUP:
            found, nullable = _first_units(argument.data, flags)
        elif op is sre.BRANCH:
            found, nullable = [], False
            for branch in argument[1]:
                branch_units, branch_nullable = _first_units(branch.data, flags)
                found += branch_units
                nullable = nullable or branch_nullable
        elif op in _REPEATS:
            low, _high, inner = argument
            found, nullable = _first_units(inner.data, flags)
            nullable = nullable or low == 0
        else:
            raise _Unknown(op)
        units += found
        if not nullable:
            return units, False
    return units, True


def _pattern_flags(case_sensitive: bool) -> int:
    return 0 if case_sensitive else int(re.IGNORECASE)


def available_packs() -> list[str]:
    return sorted(path.stem for path in RULES_DIR.glob("*.yaml"))


def _rule_error(path: Path, name: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: rule {name}: {message}")


def load_pack(pack: str, compile_regex: Callable[[str, int], re.Pattern[str]] = re.compile) -> list[LineRule]:
    """The pack's rules, checked; `compile_regex` is re.compile or one that gives the same patterns
    (CompiledPatterns.compile)."""
    path = RULES_DIR / f"{pack}.yaml"
    if not path.exists():
        raise ConfigError(f"clean.packs: unknown rule pack {pack!r} (available: {', '.join(available_packs())})")
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=PACK_LOADER) or {}
    rules: list[LineRule] = []
    for entry in document.get("rules", []):
        name = f"{pack}.{entry.get('name')}"
        if not _RULE_NAME.match(str(entry.get("name", ""))):
            raise _rule_error(path, name, "the name must be lower-case letters, digits and '_'")
        unknown = set(entry) - _RULE_KEYS
        if unknown:
            raise _rule_error(path, name, f"unknown key {sorted(unknown)[0]!r}")
        if any(rule.name == name for rule in rules):
            raise _rule_error(path, name, "the name is used twice")
        try:
            pattern = compile_regex(entry["pattern"], _pattern_flags(entry.get("case_sensitive", False)))
        except (KeyError, re.error) as error:
            raise _rule_error(path, name, f"not a valid regular expression ({error})") from None
        for example in entry.get("examples", []):
            if not pattern.match(example):
                raise _rule_error(path, name, f"does not match its example {example!r}")
        for counterexample in entry.get("counterexamples", []):
            if pattern.match(counterexample):
                raise _rule_error(path, name, f"matches its counterexample {counterexample!r}")
        rules.append(LineRule(name=name, kind=entry.get("kind", "other"), pattern=pattern))
    return rules


def load_rules(settings: CleanSettings, cache: Path | None = None) -> RuleSet:
    """The active line rules, in order: packs as listed, then the user's own rules. Their compiled regexes
    are kept in `cache` (default: tasks/rules/compiled.py's cache_dir) for the next process."""
    compiled = CompiledPatterns(_library_key(settings), cache)
    rules = [rule for pack in settings.packs for rule in load_pack(pack, compiled.compile)]
    rules += [
        LineRule(f"{USER_PACK}.{rule.name}", rule.kind, compile_rule_pattern(rule.pattern, rule.case_sensitive))
        for rule in settings.rules
    ]
    known = {rule.name for rule in rules}
    # The structural checks (tasks/structure.py) are switched off by name in the same list.
    unknown = [name for name in settings.disabled_rules if name not in known and name not in STRUCTURAL_RULES]
    if unknown:
        raise ConfigError(f"clean.disabled_rules: no active rule is named {unknown[0]!r}")
    disabled = set(settings.disabled_rules)
    ruleset = RuleSet([rule for rule in rules if rule.name not in disabled], compiled)
    compiled.save()
    return ruleset


def _library_key(settings: CleanSettings) -> bytes:
    """What decides the compiled regexes of load_rules: the packs' files and the disabled rules (user
    rules are compiled apart, tasks/safe_regex.py, and are not joined)."""
    parts = []
    for pack in settings.packs:
        path = RULES_DIR / f"{pack}.yaml"
        parts.append(pack.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    parts.append("\0".join(sorted(settings.disabled_rules)).encode())
    return b"\1".join(parts)
