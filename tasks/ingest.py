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


def find_input(input_root: Path, extensions: list[str]) -> tuple[list[InputFile | QuarantineRecord], list[InputFile]]:
    """Every entry under input_root in the order of their relative names, each an accepted file to read or
    a quarantine record (not a regular file, an unsupported format); and the accepted files alone."""
    files, irregular = _walk(input_root)
    entries: list[tuple[Path, str | None]] = [(path, None) for path in files] + irregular
    entries.sort(key=lambda entry: relative_name(entry[0], input_root))
    outcomes: list[QuarantineRecord | InputFile] = []
    for path, irregular in entries:
        source_file = relative_name(path, input_root)
        if irregular is not None:
            outcomes.append(QuarantineRecord(source_file, "not_a_regular_file", irregular))
            continue
        accepted = input_file(path, source_file, extensions)
        if accepted is None:
            detail = f"{path.name!r}: its extension is not in input.extensions"
            outcomes.append(QuarantineRecord(source_file, "unsupported_format", detail))
            continue
        outcomes.append(accepted)
    return outcomes, [outcome for outcome in outcomes if isinstance(outcome, InputFile)]


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
    outcomes, to_read = find_input(input_root, extensions)
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
