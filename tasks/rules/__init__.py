"""The boilerplate rule library: data files, one per pack, loaded and checked at start-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tasks.config import CleanSettings, ConfigError

RULES_DIR = Path(__file__).parent
USER_PACK = "user"


@dataclass(frozen=True)
class LineRule:
    name: str  # "<pack>.<rule>", as recorded in removed_lines.rule
    kind: str
    pattern: re.Pattern[str]

    def matches(self, stripped_line: str) -> bool:
        return self.pattern.match(stripped_line) is not None


def available_packs() -> list[str]:
    return sorted(path.stem for path in RULES_DIR.glob("*.yaml"))


def load_pack(pack: str) -> list[LineRule]:
    path = RULES_DIR / f"{pack}.yaml"
    if not path.exists():
        raise ConfigError(f"clean.packs: unknown rule pack {pack!r} (available: {', '.join(available_packs())})")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = []
    for entry in document.get("rules", []):
        name = f"{pack}.{entry['name']}"
        try:
            pattern = re.compile(entry["pattern"])
        except re.error as error:
            raise ConfigError(f"{path}: rule {name}: not a valid regular expression ({error})") from None
        rules.append(LineRule(name=name, kind=entry.get("kind", "other"), pattern=pattern))
    return rules


def load_rules(settings: CleanSettings) -> list[LineRule]:
    """The active line rules, in order: packs as listed, then the user's own rules."""
    rules = [rule for pack in settings.packs for rule in load_pack(pack)]
    rules += [LineRule(f"{USER_PACK}.{rule.name}", "user", re.compile(rule.pattern)) for rule in settings.rules]
    known = {rule.name for rule in rules}
    unknown = [name for name in settings.disabled_rules if name not in known]
    if unknown:
        raise ConfigError(f"clean.disabled_rules: no active rule is named {unknown[0]!r}")
    disabled = set(settings.disabled_rules)
    return [rule for rule in rules if rule.name not in disabled]
