"""The line rules joined into one regex, built from their parsed patterns so that the engine passes over
most alternatives at their first character.

The regex engine tries the alternatives of a branch one after another. It passes over one without
entering it when the alternative starts with a case-sensitive literal or character class that the
current character does not fit; one that starts with a case-insensitive literal is entered every time,
and most rules are case-insensitive lists of words: "menu|main menu|open menu|close menu|..." is sixty
entries for every line that starts with a letter the rule can start with. So alternatives that start
with a literal are grouped by the characters that literal matches, and each group starts with the
case-sensitive class of exactly the characters that `re` takes for the literal when case is ignored ("m"
gives [Mm], "k" gives [Kk\u212a], the Kelvin sign): "[Mm](?:enu|ain menu)|[Oo]pen menu|...". The same
matches (see _grouped for the order), and the engine passes over the words of other letters at one test
each.

Built with re's own parser and compiler (private, but fixed within Python 3.11, which the project pins;
tasks/rules/__init__.py reads parsed patterns the same way), from the same parse trees that `re.compile`
would compile; only those first literals differ.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from re import _compiler as sre_compiler
from re import _constants as sre
from re import _parser as sre_parser
from re._casefix import _EXTRA_CASES

import _sre

# Upper bound of the code points with a lower-case mapping (the last are Adlam's, U+1E900-U+1E943);
# tests/test_rules.py checks that none above it has one.
_CASED_BELOW = 0x20000
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_BACK_REFERENCES = (sre.GROUPREF, sre.GROUPREF_EXISTS, sre.GROUPREF_IGNORE)
# Flags as plain numbers: re's compiler tests them often, and RegexFlag's operators are slow.
_IGNORECASE, _VERBOSE, _UNICODE = int(re.IGNORECASE), int(re.VERBOSE), int(re.UNICODE)
_CASE_RULES = int(re.ASCII | re.LOCALE)


class CannotJoin(Exception):
    """A rule the joined regex cannot hold (back-references into its own groups)."""


def join_rules(rules: list[tuple[str, str, re.Pattern[str]]]) -> re.Pattern[str]:
    """One regex of (group name, lookahead, pattern) rules, tried in order: its match's `lastgroup` names
    the first rule that matches. The lookahead (RuleSet's first-character test, or "") goes before the
    rule's pattern; the pattern keeps its own flags."""
    return sre_compiler.compile(joined_tree(rules), 0)


def joined_tree(rules: list[tuple[str, str, re.Pattern[str]]]) -> sre_parser.SubPattern:
    """join_rules' regex as the parse tree that it compiles."""
    state = sre_parser.State()
    state.flags = _UNICODE
    branches = []
    for name, lookahead, pattern in rules:
        parsed = parsed_pattern(pattern.pattern, pattern.flags)
        rule_flags = int(parsed.state.flags)
        items = _rewritten(parsed.data, rule_flags)
        body = (sre.SUBPATTERN, (None, rule_flags & ~_VERBOSE, 0, sre_parser.SubPattern(state, items)))
        head = parsed_pattern(lookahead, 0).data if lookahead else []
        # The rule's name is an empty group after its pattern, not a group around it: inside a group
        # (its start marked) the engine copies the marks at every backtracking point of a repeat, as
        # many as the group's number, so the hundredth rule paid for a hundred groups.
        empty = sre_parser.SubPattern(state, [])
        group = state.opengroup(name)
        state.closegroup(group, empty)
        branches.append(sre_parser.SubPattern(state, [*head, body, (sre.SUBPATTERN, (group, 0, 0, empty))]))
    return sre_parser.SubPattern(state, [(sre.BRANCH, (None, branches))])


@lru_cache(maxsize=1024)
def parsed_pattern(source: str, flags: int) -> sre_parser.SubPattern:
    """re's parse tree of a pattern; read, never changed, by the rule set's analyses and join."""
    return sre_parser.parse(source, flags)


def _rewritten(items, flags: int) -> list:
    """The items with capturing groups made plain (in the join, group numbers belong to the rules) and
    every branch's alternatives grouped by their first character (_grouped)."""
    result = []
    for op, argument in items:
        if op in _BACK_REFERENCES:
            raise CannotJoin(op)
        if op is sre.BRANCH:
            branches = [_rewritten(branch.data, flags) for branch in argument[1]]
            argument = (None, [_subpattern(argument[1][0], alternative) for alternative in _grouped(branches, flags)])
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, inner = argument
            inner_items = _rewritten(inner.data, (flags | add_flags) & ~del_flags)
            argument = (None, add_flags, del_flags, _subpattern(inner, inner_items))
        else:
            argument = _with_inner(op, argument, lambda inner: _rewritten(inner, flags))
        result.append((op, argument))
    return result


def _grouped(alternatives: list[list], flags: int) -> list[list]:
    """Alternatives that start with a literal, grouped by the characters it matches: "menu|main menu|
    open menu" becomes "[Mm](?:enu|ain menu)|[Oo]pen menu", so the engine passes over a group at one
    test of the line's character. Only the characters decide which alternatives can match at a place, so
    moving one up to an earlier group of the same characters, past alternatives that cannot match where
    it can, keeps the order in which the engine tries those that can: the same match."""
    groups: list[tuple[frozenset[int] | None, list[list]]] = []
    for alternative in alternatives:
        characters = _head_characters(alternative, flags)
        joinable = None
        if characters is not None:
            for index in range(len(groups) - 1, -1, -1):
                if groups[index][0] == characters:
                    joinable = index
                    break
                if groups[index][0] is None or groups[index][0] & characters:
                    break  # an alternative in between could match where this one can
        if joinable is None:
            groups.append((characters, [alternative]))
        else:
            groups[joinable][1].append(alternative)
    return [_group_alternative(characters, members, flags) for characters, members in groups]


def _group_alternative(characters: frozenset[int] | None, members: list[list], flags: int) -> list:
    if len(members) == 1:
        return _with_exact_head(members[0], flags)
    rests = _grouped([member[1:] for member in members], flags)
    branch = (sre.BRANCH, (None, [sre_parser.SubPattern(sre_parser.State(), rest) for rest in rests]))
    return [_case_sensitive_class(characters), branch]


def _with_exact_head(items: list, flags: int) -> list:
    """The items with their first literal, also one first inside a leading group, made an exact class."""
    if not items:
        return items
    op, argument = items[0]
    if op is sre.LITERAL:
        head = _exact_class(argument, flags) or items[0]
    elif op is sre.SUBPATTERN and argument[0] is None:
        _group, add_flags, del_flags, inner = argument
        inner_items = _with_exact_head(list(inner.data), (flags | add_flags) & ~del_flags)
        head = (op, (None, add_flags, del_flags, _subpattern(inner, inner_items)))
    else:
        return items
    return [head, *items[1:]]


def _head_characters(items: list, flags: int) -> frozenset[int] | None:
    """What the first item takes, if it is a literal: the characters it matches; None otherwise."""
    if not items or items[0][0] is not sre.LITERAL:
        return None
    code = items[0][1]
    if not flags & _IGNORECASE or not _sre.unicode_iscased(code):
        return frozenset({code})
    if flags & _CASE_RULES:
        return None
    return _same_ignoring_case(code)


def _case_sensitive_class(characters: frozenset[int]):
    in_item = (sre.IN, [(sre.LITERAL, character) for character in sorted(characters)])
    return (sre.SUBPATTERN, (None, 0, _IGNORECASE, sre_parser.SubPattern(sre_parser.State(), [in_item])))


def _exact_class(code: int, flags: int):
    """A case-sensitive item that matches what LITERAL `code` matches under `flags`; None if it is one."""
    if not flags & _IGNORECASE or flags & _CASE_RULES or not _sre.unicode_iscased(code):
        return None
    return _case_sensitive_class(_same_ignoring_case(code))


@cache
def _same_ignoring_case(code: int) -> frozenset[int]:
    """What re's compiler makes of a cased literal under IGNORECASE: any character whose lower case is
    the literal's, or one of its partners (re/_casefix.py: "i" and "ı", "s" and "ſ", ...)."""
    lower = _sre.unicode_tolower(code)
    targets = {lower, *_EXTRA_CASES.get(lower, ())}
    found = {character for target in targets for character in _lowering_to().get(target, ())}
    return frozenset(found | {target for target in targets if _sre.unicode_tolower(target) == target})


@cache
def _lowering_to() -> dict[int, tuple[int, ...]]:
    """For each lower-case code point, the others whose lower case it is (0.02 s, once per process)."""
    found: dict[int, list[int]] = {}
    for code in range(_CASED_BELOW):
        lower = _sre.unicode_tolower(code)
        if lower != code:
            found.setdefault(lower, []).append(code)
    return {lower: tuple(codes) for lower, codes in found.items()}


def _with_inner(op, argument, transform):
    """`argument` with `transform` applied to the items nested in it (repeats, lookarounds, atomic groups)."""
    if op in _REPEATS:
        low, high, inner = argument
        return (low, high, _subpattern(inner, transform(inner.data)))
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        direction, inner = argument
        return (direction, _subpattern(inner, transform(inner.data)))
    if op is sre.ATOMIC_GROUP:
        return _subpattern(argument, transform(argument.data))
    return argument


def _subpattern(like: sre_parser.SubPattern, items: list) -> sre_parser.SubPattern:
    return sre_parser.SubPattern(like.state, items)
