"""The boilerplate rule library: data files, one per pack, loaded and checked at start-up.

Packs by kind of furniture (chrome, media, navigation, social, bylines) and by outlet (skynews, bbc,
guardian, reuters, apnews, cnn, dailymail). A rule is a name, a kind and a regular expression matched from
the start of a stripped line; its `examples` must match and its `counterexamples` must not, which is
checked when the pack is loaded, so a broken pack stops the run at start-up with the rule's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tasks.config import CleanSettings, ConfigError
from tasks.safe_regex import compile_rule_pattern

RULES_DIR = Path(__file__).parent
USER_PACK = "user"
_RULE_NAME = re.compile(r"^[a-z0-9_]+$")
_LEADING_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")
_RULE_KEYS = {"name", "kind", "pattern", "case_sensitive", "examples", "counterexamples"}


@dataclass(frozen=True)
class LineRule:
    name: str  # "<pack>.<rule>", as recorded in removed_lines.rule
    kind: str
    pattern: re.Pattern[str]

    def matches(self, stripped_line: str) -> bool:
        return self.pattern.match(stripped_line) is not None


class RuleSet:
    """Rules in order; `first_match` gives the first rule whose pattern matches a line.

    All patterns are joined into one alternation, tried in order by the regex engine in one call: with
    a hundred rules that is an order of magnitude faster than a hundred `match` calls per line.
    """

    def __init__(self, rules: list[LineRule]):
        self.rules = list(rules)
        # User rules (tasks/safe_regex.py) run one by one under a time limit, which the join (plain re)
        # has not: only the leading run of plain rules is joined, the rest follow in order.
        joined = next((i for i, rule in enumerate(self.rules) if not isinstance(rule.pattern, re.Pattern)), len(self.rules))
        self._alone = self.rules[joined:]
        branches = [f"(?P<r{index}>{_scoped(rule.pattern)})" for index, rule in enumerate(self.rules[:joined])]
        try:
            self._combined: re.Pattern[str] | None = re.compile("|".join(branches)) if branches else None
        except re.error:
            # A pattern that cannot be joined (numbered back-references): fall back to one call per rule.
            self._combined = None

    def first_match(self, stripped_line: str) -> LineRule | None:
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


def _scoped(pattern: re.Pattern[str]) -> str:
    """The pattern with its case-insensitivity as a scoped group, so that it keeps it inside the join."""
    source = pattern.pattern
    flags = {"i"} if pattern.flags & re.IGNORECASE else set()
    leading = _LEADING_FLAGS.match(source)
    if leading:
        # Global flags are only allowed at the very start of a whole pattern; scope them instead.
        source = source[leading.end() :]
        flags |= set(leading.group(1)) - {"u"}
    return f"(?{''.join(sorted(flags))}:{source})"


def compile_pattern(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)


def available_packs() -> list[str]:
    return sorted(path.stem for path in RULES_DIR.glob("*.yaml"))


def _rule_error(path: Path, name: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: rule {name}: {message}")


def load_pack(pack: str) -> list[LineRule]:
    path = RULES_DIR / f"{pack}.yaml"
    if not path.exists():
        raise ConfigError(f"clean.packs: unknown rule pack {pack!r} (available: {', '.join(available_packs())})")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
            pattern = compile_pattern(entry["pattern"], entry.get("case_sensitive", False))
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


def load_rules(settings: CleanSettings) -> RuleSet:
    """The active line rules, in order: packs as listed, then the user's own rules."""
    rules = [rule for pack in settings.packs for rule in load_pack(pack)]
    rules += [
        LineRule(f"{USER_PACK}.{rule.name}", rule.kind, compile_rule_pattern(rule.pattern, rule.case_sensitive))
        for rule in settings.rules
    ]
    known = {rule.name for rule in rules}
    unknown = [name for name in settings.disabled_rules if name not in known]
    if unknown:
        raise ConfigError(f"clean.disabled_rules: no active rule is named {unknown[0]!r}")
    disabled = set(settings.disabled_rules)
    return RuleSet([rule for rule in rules if rule.name not in disabled])
