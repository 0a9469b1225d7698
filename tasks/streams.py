"""Raw files as streams: the format a file's name declares, its bytes decompressed on the fly (.gz, .bz2,
.zst) within ingest.max_file_bytes, and its decoded lines within ingest.max_line_chars.

A large or compressed file is never read whole into memory: a line over the limit is skipped as it
streams by, a file over the limit (after decompression, which stops a decompression bomb) is stopped as
soon as it passes it. A plain file of at most WHOLE_FILE_BYTES is read and decoded in one piece
(lines_of_text): the same lines at a fraction of the cost per line.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import pyarrow as pa

from tasks.config import IngestSettings
from tasks.decode import split_lines

COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}
RECORD_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
TEXT_FORMAT = "text"
WHOLE_FILE_BYTES = 16 * 1024 * 1024


class InputProblem(Exception):
    """The whole file cannot be used; it is quarantined with this reason."""

    def __init__(self, reason: str, detail: str, n_lines: int = 0):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.n_lines = reason, detail, n_lines


@dataclass(frozen=True, slots=True)
class InputFile:
    root: str  # the input folder, the same string object for every file of a run
    source_file: str  # relative to root, '/' separators
    format: str  # text, jsonl, csv or parquet
    compression: str | None  # gzip, bz2, zstd or None

    @property
    def path(self) -> Path:
        return Path(self.root, self.source_file)

    @property
    def location(self) -> str:
        """path as a string: reading a file stats and opens it without building a Path each time."""
        return os.path.join(self.root, self.source_file)


def input_file(root: str, source_file: str, extensions: list[str]) -> InputFile | None:
    """The format of a file from its name ('a.jsonl.gz': JSON lines, gzip), or None if not accepted."""
    suffixes = [suffix.lower() for suffix in PurePosixPath(source_file).suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes = suffixes[:-1]
    extension = suffixes[-1] if suffixes else ""
    if extension not in extensions:
        return None
    return InputFile(root, source_file, RECORD_FORMATS.get(extension, TEXT_FORMAT), compression)


class _LimitedStream(io.RawIOBase):
    """The (decompressed) bytes of a file; stops past `limit` bytes and names archive faults."""

    def __init__(self, file: InputFile, limit: int | None):
        self._file, self._limit, self.bytes_read = file, limit, 0
        self._raw = open(file.location, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._stream = _decompressor(self._raw, file.compression)
        except BaseException:
            self._raw.close()
            raise

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._stream.read(len(buffer))
        except EOFError as error:
            raise InputProblem("truncated_archive", f"{self._file.compression}: {error}") from None
        except (OSError, zlib.error, ValueError) as error:
            if self._file.compression is None:
                raise
            reason = "truncated_archive" if "runcated" in str(error) else "corrupt_archive"
            raise InputProblem(reason, f"{self._file.compression}: {error}") from None
        self.bytes_read += len(data)
        if self._limit is not None and self.bytes_read > self._limit:
            what = "decompressed " if self._file.compression else ""
            raise InputProblem("file_too_large", f"over ingest.max_file_bytes={self._limit} {what}bytes")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                if self._stream is not self._raw:
                    self._stream.close()
            finally:
                self._raw.close()
        super().close()


def _decompressor(raw, compression: str | None):
    if compression is None:
        return raw
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, mode="rb")
    # The standard library of Python 3.11 has no zstd; pyarrow, already a dependency, has.
    return pa.CompressedInputStream(pa.PythonFile(raw, mode="r"), "zstd")


def open_bytes(file: InputFile, settings: IngestSettings) -> io.BufferedReader:
    return io.BufferedReader(_LimitedStream(file, settings.max_file_bytes), buffer_size=1 << 16)


def count_lines(file: InputFile, settings: IngestSettings) -> int:
    """Raw lines of a file (LF count, plus an unterminated last line), for a quarantined file's record."""
    lines, last = 0, b"\n"
    try:
        with open_bytes(file, settings) as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                lines += block.count(b"\n")
                last = block[-1:]
    except (InputProblem, OSError):
        return lines
    return lines + (0 if last == b"\n" else 1)


class PhysicalLine(NamedTuple):  # a NamedTuple: a third of a frozen dataclass's cost to create
    number: int  # 1-based
    text: str  # without its line ending; "" for a line over the limit
    too_long: bool = False
    length: int = 0  # characters of a line over the limit


def physical_lines(stream: io.BufferedReader, encoding: str, max_line_chars: int) -> Iterator[PhysicalLine]:
    """Decoded lines; CRLF, LF and lone CR end a line (universal newlines), nothing else does.

    Raises UnicodeDecodeError when the bytes are not `encoding`; the caller then tries the next one.
    """
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline=None)
    number = 0
    while True:
        line = text.readline(max_line_chars + 1)
        if not line:
            return
        number += 1
        if line.endswith("\n"):
            yield PhysicalLine(number, line[:-1])
        elif len(line) <= max_line_chars:
            yield PhysicalLine(number, line)  # the last line, without a line ending
        else:
            length = len(line)
            while True:  # skip the rest of the line without keeping it
                rest = text.readline(max_line_chars + 1)
                length += len(rest) - rest.endswith("\n")
                if not rest or rest.endswith("\n"):
                    break
            yield PhysicalLine(number, "", too_long=True, length=length)


def lines_of_text(text: str, max_line_chars: int, first_number: int = 1) -> Iterator[PhysicalLine]:
    """The lines physical_lines gives for the bytes that decode to `text`; `first_number`: the number of
    its first line, past 1 for a piece of a file (tasks/pieces.py)."""
    if not text:
        return
    for number, line in enumerate(split_lines(text), first_number):
        if len(line) > max_line_chars:
            yield PhysicalLine(number, "", too_long=True, length=len(line))
        else:
            yield PhysicalLine(number, line)
