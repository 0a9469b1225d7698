"""Ingest: find the raw files and read each into a RawDocument (tasks/readers.py does the reading).

Raw input is only ever read. A file that cannot be used becomes a quarantine record with a reason, and the
run goes on with the others; so does a bad line or record inside a file that is otherwise read. Nothing
found under the input folder is left out silently: a file of an unaccepted format, a broken link, a
named pipe or a linked folder (not followed) is quarantined too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tasks.config import FieldMapping, IngestSettings, ParallelSettings
from tasks.decode import split_lines  # noqa: F401  (re-exported: ingest's line rule, tested with it)
from tasks.parallel import map_chunk_list
from tasks.readers import FileResult, read_file
from tasks.records import QuarantineRecord, RawDocument
from tasks.streams import InputFile, input_file


@dataclass
class IngestResult:
    documents: list[RawDocument]
    quarantined: list[QuarantineRecord]  # whole files (line_start None) and lines or records of files

    @property
    def n_files(self) -> int:
        """Files found: the ones read (some with quarantined lines) and the ones quarantined whole. A file
        read in pieces (tasks/pieces.py) counts once, with its first piece."""
        files_read = sum(document.first_line_no == 1 for document in self.documents)
        return files_read + sum(record.line_start is None for record in self.quarantined)


def discover_files(input_root: Path) -> list[Path]:
    """Every regular file under input_root, nested folders included, in a stable order.

    Hidden files and folders (a leading dot) are skipped: they are editor and OS litter, not input.
    """
    return [walk_root(input_root) / name for name in input_names(input_root)]


def input_names(input_root: Path) -> list[str]:
    """discover_files as names relative to walk_root(input_root)."""
    return _walk(input_root)[0]


def discover_irregular(input_root: Path) -> list[tuple[Path, str]]:
    """Entries under input_root that are neither regular files nor folders walked into, with what they are."""
    return [(walk_root(input_root) / name, what) for name, what in _walk(input_root)[1]]


def walk_root(input_root: Path) -> Path:
    """The folder the input's names are relative to: input_root itself, or its folder if it is a file."""
    return input_root.parent if input_root.is_file() else input_root


def _walk(input_root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The names ('/' separators, relative to walk_root) of the regular files, and of the other entries
    with what they are; each sorted.

    Names from os.scandir, not Paths from Path.rglob: rglob keeps a set of every Path it has yielded
    until it ends, and a day of 150,000 files held as Paths took ~100 MB of the flow process."""
    if input_root.is_file():
        return [input_root.name], []
    if not input_root.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_root}")
    files, irregular = [], []
    folders = [""]  # names of the folders still to list; "" is input_root
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(input_root / folder) as listing:
                entries = list(listing)
        except OSError as error:
            irregular.append((folder, f"a folder that cannot be listed ({error.strerror})"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_file():  # follows a link to a file: that file is read
                files.append(name)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(name)
            elif entry.is_symlink():
                irregular.append((name, _kind_of_link(entry.path)))
            else:
                irregular.append((name, _kind_of(entry.path)))
    return sorted(files), sorted(irregular)


def _kind_of_link(path: str) -> str:
    if os.path.isdir(path):
        return "a symbolic link to a folder, not followed"
    if not os.path.exists(path):
        return "a broken symbolic link"
    return "a symbolic link to something that is not a file"


def _kind_of(path: str) -> str:
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


def find_input(input_root: Path, extensions: list[str]) -> list[InputFile | QuarantineRecord]:
    """Every entry under input_root in the order of their relative names, each an accepted file to read or
    a quarantine record (not a regular file, an unsupported format)."""
    root = str(walk_root(input_root))  # one string shared by every InputFile
    files, irregular = _walk(input_root)
    entries: list[tuple[str, str | None]] = [(name, None) for name in files] + irregular
    entries.sort(key=lambda entry: entry[0])
    outcomes: list[QuarantineRecord | InputFile] = []
    for source_file, irregular_kind in entries:
        if irregular_kind is not None:
            outcomes.append(QuarantineRecord(source_file, "not_a_regular_file", irregular_kind))
            continue
        accepted = input_file(root, source_file, extensions)
        if accepted is None:
            detail = f"{source_file.rsplit('/', 1)[-1]!r}: its extension is not in input.extensions"
            outcomes.append(QuarantineRecord(source_file, "unsupported_format", detail))
            continue
        outcomes.append(accepted)
    return outcomes


def ingest(
    input_root: Path,
    extensions: list[str],
    settings: IngestSettings,
    fields: FieldMapping | None = None,
    parallel: ParallelSettings | None = None,
) -> IngestResult:
    """Read every file under input_root, in the order of their relative names. With `parallel`, files are
    read on the worker processes in chunks of about parallel.chunk_megabytes; the result is the same."""
    fields = fields or FieldMapping()
    outcomes = find_input(input_root, extensions)
    to_read = [outcome for outcome in outcomes if isinstance(outcome, InputFile)]
    read = partial(read_files, settings=settings, fields=fields)
    if parallel is None:
        results = iter(read(to_read))
    else:
        results = iter(map_chunk_list(read, chunks_by_size(to_read, parallel.chunk_megabytes * 1_000_000), parallel))
    return collect_results(outcomes, results)


def collect_results(outcomes: list[InputFile | QuarantineRecord], results) -> IngestResult:
    """Documents and quarantine records in file order, from find_input's outcomes and the read results of
    its accepted files (in the same order)."""
    results = iter(results)
    documents: list[RawDocument] = []
    quarantined: list[QuarantineRecord] = []
    for outcome in outcomes:
        if isinstance(outcome, QuarantineRecord):
            quarantined.append(outcome)
            continue
        result = next(results)
        if result.document is not None:
            documents.append(result.document)
        quarantined.extend(result.quarantined)
    return IngestResult(documents, quarantined)


def read_files(files: Sequence[InputFile], settings: IngestSettings, fields: FieldMapping) -> list[FileResult]:
    return [read_file(file, settings, fields) for file in files]


def chunks_by_size(files: list[InputFile], chunk_bytes: int) -> list[list[InputFile]]:
    """Consecutive files of about chunk_bytes together (a larger file alone)."""
    chunks: list[list[InputFile]] = []
    size = chunk_bytes
    for file in files:
        try:
            file_bytes = file.path.stat().st_size
        except OSError:  # gone or unreadable: read_file quarantines it with the reason
            file_bytes = 0
        if size + file_bytes > chunk_bytes and (not chunks or chunks[-1]):
            chunks.append([])
            size = 0
        chunks[-1].append(file)
        size += file_bytes
    return chunks
