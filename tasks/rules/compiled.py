"""The rule library's compiled regexes, kept on disk so that a process need not compile them again.

Compiling the shipped packs takes 0.65 CPU s (measured, 1a5d011) in every process that cleans (each
worker too): `re` compiles each rule's pattern, then the rule set works out each rule's first characters and
rewrites and compiles the joined regex (tasks/rules/join.py), all in Python. What comes out is re's
code, a list of integers, that `_sre.compile` (C) turns into a pattern object in microseconds. So the
code is kept in one file per rule library, in newsetl's cache folder (tasks/array_cache.py), named by
a hash of all that decides it: the selected packs' files, the disabled rules, the code that builds the
joined regex and Python's regex engine. The packs' examples and counterexamples are still checked
against the patterns read from the file.

The file is written to a temporary name and renamed over (os.replace), so that processes starting
together read either a whole file or none; a file that cannot be read, does not hold its checksum or
that the engine rejects is ignored (and written again); a directory that cannot be written leaves the
compiling as it was, every time. The KEEP_FILES most recently written files are kept, older ones deleted.

Private parts of `re` (its parser, code generator and `_sre.compile`): fixed within Python 3.11, which
the project pins, and tasks/rules already builds on them; the engine's version is part of the hash.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from collections.abc import Callable
from pathlib import Path
from re import _compiler as sre_compiler
from re import _parser as sre_parser

import _sre

from tasks.array_cache import cache_dir, keep_newest, write_atomically

# What the joined regex is built by: a change to any of these files can change its code.
_BUILDERS = (Path(__file__).parent / "__init__.py", Path(__file__).parent / "join.py", Path(__file__))

# _sre.compile's arguments: pattern source (None for a built tree), flags, code, groups, groupindex, indexgroup.
Spec = tuple


def spec_of(tree: sre_parser.SubPattern, source: str | None, flags: int) -> Spec:
    """What re._compiler.compile passes to _sre.compile for a parsed pattern (its last lines, the same)."""
    # Plain ints: the opcodes are int subclasses (re._constants), which marshal does not write.
    code = list(map(int, sre_compiler._code(tree, flags)))
    groupindex = tree.state.groupdict
    indexgroup = [None] * tree.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (source, int(flags | tree.state.flags), code, tree.state.groups - 1, dict(groupindex), tuple(indexgroup))


def pattern_of(spec: Spec) -> re.Pattern[str]:
    return _sre.compile(*spec)


class CompiledPatterns:
    """A rule library's compiled patterns by (source, flags), and its joined regex, read from the cache
    file named by `key` (bytes that decide the library) when it has them; `save` writes what was
    compiled afresh."""

    def __init__(self, key: bytes, directory: Path | None = None):
        material = [sys.version.encode(), str(_sre.MAGIC).encode(), key]
        material += [path.read_bytes() for path in _BUILDERS]
        digest = hashlib.sha256(b"\0".join(hashlib.sha256(part).digest() for part in material)).hexdigest()
        directory = directory or cache_dir()
        self.path = directory / f"rules-{digest[:32]}.bin" if directory else None
        self._specs: dict[object, Spec] = _read(self.path) if self.path else {}
        self._changed = False

    def compile(self, source: str, flags: int) -> re.Pattern[str]:
        """re.compile(source, flags), the same pattern (tests/test_rules.py compares them)."""
        return self._pattern((source, flags), lambda: spec_of(sre_parser.parse(source, flags), source, flags))

    def joined(
        self, patterns: list[re.Pattern[str]], build_tree: Callable[[], sre_parser.SubPattern]
    ) -> re.Pattern[str]:
        """The compiled regex that joins `patterns` (tasks/rules/join.py); `build_tree` gives its parse tree
        when it is not in the cache."""
        name = ("joined", tuple((pattern.pattern, pattern.flags) for pattern in patterns))
        return self._pattern(name, lambda: spec_of(build_tree(), None, 0))

    def _pattern(self, name: object, build: Callable[[], Spec]) -> re.Pattern[str]:
        spec = self._specs.get(name)
        if spec is not None:
            try:
                return pattern_of(spec)
            except (RuntimeError, TypeError, ValueError, OverflowError):
                pass  # code the engine rejects: compile it again
        spec = build()
        self._specs[name] = spec
        self._changed = True
        return pattern_of(spec)

    def save(self) -> None:
        if not self._changed or self.path is None:
            return
        payload = marshal.dumps(self._specs)
        if write_atomically(self.path, lambda file: file.write(hashlib.sha256(payload).digest() + payload)):
            self._changed = False
            # Files of other rule libraries (other packs, earlier versions of the code) are left for other
            # configurations, the most recently written of them; older ones go, so that the folder does not
            # grow with every change. A process that finds its file gone compiles and writes it again.
            keep_newest(self.path.parent, "rules-*.bin", KEEP_FILES)


KEEP_FILES = 8


def _read(path: Path) -> dict[object, Spec]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    checksum, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != checksum:
        return {}
    try:
        specs = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    return specs if isinstance(specs, dict) else {}
