"""User-supplied regular expressions, compiled so that none can hang a run.

Python's `re` backtracks: a pattern like `(a|aa)+$` takes exponential time on a line of a's, and a run
would never end. Patterns from config.yaml (clean.rules, split.separator_pattern) are therefore compiled
with the `regex` module, which has re's syntax and semantics (VERSION0) and can stop a match after a time
limit:

- at start-up, a pattern that is not valid, or that already backtracks catastrophically on a few short
  probe lines made of its own characters, is a configuration error naming the key;
- while running, a match that takes longer than MATCH_TIMEOUT_SECONDS stops the run with an error
  naming the pattern and the line, rather than hanging it.

A linear-time engine (RE2) was measured and not used: its \\s, \\w, \\d and \\b are ASCII-only, so the same
pattern would match differently than under `re` (no-break spaces, accented letters).
"""

from __future__ import annotations

import regex

MATCH_TIMEOUT_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 0.1
_PROBE_LENGTH = 40
# Appended to every probe: a character no sane pattern expects, so the match must fail, backtracking.
_PROBE_END = "\x00"


class RegexTimeoutError(RuntimeError):
    """A user pattern ran over its time limit on one line: it backtracks catastrophically."""


class SafePattern:
    """A compiled pattern whose match and search stop after MATCH_TIMEOUT_SECONDS.

    Offers the parts of re.Pattern that rules use: pattern, flags, match, search, fullmatch.
    """

    def __init__(self, compiled: regex.Pattern, timeout: float = MATCH_TIMEOUT_SECONDS):
        self._compiled, self._timeout = compiled, timeout

    @property
    def pattern(self) -> str:
        return self._compiled.pattern

    @property
    def flags(self) -> int:
        return self._compiled.flags

    def match(self, text: str, pos: int = 0):
        return self._run(self._compiled.match, text, pos)

    def search(self, text: str, pos: int = 0):
        return self._run(self._compiled.search, text, pos)

    def fullmatch(self, text: str, pos: int = 0):
        return self._run(self._compiled.fullmatch, text, pos)

    def _run(self, method, text: str, pos: int):
        try:
            return method(text, pos, timeout=self._timeout)
        except TimeoutError:
            raise RegexTimeoutError(
                f"regular expression {self.pattern!r} ran over {self._timeout:g} s on a {len(text)}-character "
                f"line starting {text[:60]!r}: it backtracks catastrophically; rewrite it without nested or "
                "overlapping repetition"
            ) from None

    def __repr__(self) -> str:
        return f"SafePattern({self.pattern!r})"


def compile_rule_pattern(pattern: str, case_sensitive: bool = True) -> SafePattern:
    """Compile a user's pattern, or raise ValueError with a message fit for a configuration error."""
    flags = regex.VERSION0 | (0 if case_sensitive else regex.IGNORECASE)
    try:
        compiled = regex.compile(pattern, flags)
    except (regex.error, TypeError, ValueError, OverflowError, RecursionError) as error:
        raise ValueError(f"not a valid regular expression ({error})") from None
    for probe in _probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            raise ValueError(
                f"the regular expression backtracks catastrophically (over {PROBE_TIMEOUT_SECONDS:g} s on the "
                f"{len(probe)}-character line {probe[:12]!r}…); rewrite it without nested or overlapping repetition"
            ) from None
    return SafePattern(compiled)


def _probes(pattern: str) -> list[str]:
    """Short lines that make a backtracking pattern explode: runs of one character the pattern is likely
    to repeat (its own letters, digits and punctuation, a space, a letter, a digit), then a mismatch."""
    characters = sorted({char for char in pattern if char.isprintable() and char not in "\\()[]{}?*+|^$"})
    characters = list(dict.fromkeys([*characters[:24], "a", "0", " ", "."]))
    probes = [char * _PROBE_LENGTH + _PROBE_END for char in characters]
    probes.append("ab" * (_PROBE_LENGTH // 2) + _PROBE_END)
    return probes
