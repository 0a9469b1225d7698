"""Ingest: find the raw files and read each into a RawDocument (tasks/readers.py does the reading).

Raw input is only ever read. A file that cannot be used becomes a quarantine record with a reason, and the
run goes on with the others; so does a bad line or record inside a file that is otherwise read. Nothing
found under the input folder is left out silently: a file of an unaccepted format, a broken link, a
named pipe or a linked folder (not followed) is quarantined too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tasks.config import FieldMapping, IngestSettings
from tasks.decode import split_lines  # noqa: F401  (re-exported: ingest's line rule, tested with it)
from tasks.readers import read_file
from tasks.records import QuarantineRecord, RawDocument
from tasks.streams import input_file


@dataclass
class IngestResult:
    documents: list[RawDocument]
    quarantined: list[QuarantineRecord]  # whole files (line_start None) and lines or records of files

    @property
    def n_files(self) -> int:
        """Files found: the ones read (some with quarantined lines) and the ones quarantined whole."""
        return len(self.documents) + sum(record.line_start is None for record in self.quarantined)


def _is_hidden(path: Path, input_root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(input_root).parts)


def discover_files(input_root: Path) -> list[Path]:
    """Every regular file under input_root, nested folders included, in a stable order.

    Hidden files and folders (a leading dot) are skipped: they are editor and OS litter, not input.
    """
    return _walk(input_root)[0]


def discover_irregular(input_root: Path) -> list[tuple[Path, str]]:
    """Entries under input_root that are neither regular files nor folders walked into, with what they are."""
    return _walk(input_root)[1]


def _walk(input_root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    if input_root.is_file():
        return [input_root], []
    if not input_root.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_root}")
    files, irregular = [], []
    for path in input_root.rglob("*"):
        if path.name.startswith(".") or _is_hidden(path, input_root):
            continue
        if path.is_file():
            files.append(path)
        elif path.is_symlink():
            if path.is_dir():
                irregular.append((path, "a symbolic link to a folder, not followed"))
            elif not path.exists():
                irregular.append((path, "a broken symbolic link"))
            else:
                irregular.append((path, "a symbolic link to something that is not a file"))
        elif not path.is_dir():
            irregular.append((path, _kind_of(path)))

    def order(path: Path) -> str:
        return path.relative_to(input_root).as_posix()

    return sorted(files, key=order), sorted(irregular, key=lambda item: order(item[0]))


def _kind_of(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        return f"unreadable ({error.strerror})"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def relative_name(path: Path, input_root: Path) -> str:
    if input_root.is_file():
        return path.name
    return path.relative_to(input_root).as_posix()


def ingest(
    input_root: Path, extensions: list[str], settings: IngestSettings, fields: FieldMapping | None = None
) -> IngestResult:
    fields = fields or FieldMapping()
    documents: list[RawDocument] = []
    quarantined: list[QuarantineRecord] = []
    files, irregular = _walk(input_root)
    entries: list[tuple[Path, str | None]] = [(path, None) for path in files] + irregular
    entries.sort(key=lambda entry: relative_name(entry[0], input_root))
    for path, irregular in entries:
        source_file = relative_name(path, input_root)
        if irregular is not None:
            quarantined.append(QuarantineRecord(source_file, "not_a_regular_file", irregular))
            continue
        accepted = input_file(path, source_file, extensions)
        if accepted is None:
            detail = f"{path.name!r}: its extension is not in input.extensions"
            quarantined.append(QuarantineRecord(source_file, "unsupported_format", detail))
            continue
        result = read_file(accepted, settings, fields)
        if result.document is not None:
            documents.append(result.document)
        quarantined.extend(result.quarantined)
    return IngestResult(documents, quarantined)
