"""Ingest: find the raw files, decode them and cut them into numbered lines.

Raw input is only ever read. A file that cannot be used becomes a quarantine record with a reason, and the
run goes on with the others.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tasks.config import IngestSettings
from tasks.records import QuarantineRecord, RawDocument, RawLine

# A NUL byte never occurs in text encoded as UTF-8 or a single-byte code page; it marks a binary file.
_BINARY_SNIFF_BYTES = 8192


@dataclass
class IngestResult:
    documents: list[RawDocument]
    quarantined: list[QuarantineRecord]


def discover_files(input_root: Path) -> list[Path]:
    """Every regular file under input_root, nested folders included, in a stable order.

    Hidden files and folders (a leading dot) are skipped: they are editor and OS litter, not input.
    """
    if input_root.is_file():
        return [input_root]
    if not input_root.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_root}")
    files = []
    for path in input_root.rglob("*"):
        relative_parts = path.relative_to(input_root).parts
        if any(part.startswith(".") for part in relative_parts):
            continue
        if path.is_file():
            files.append(path)
    return sorted(files, key=lambda path: path.relative_to(input_root).as_posix())


def relative_name(path: Path, input_root: Path) -> str:
    if input_root.is_file():
        return path.name
    return path.relative_to(input_root).as_posix()


def decode(data: bytes, fallback_encodings: list[str]) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else with the first fallback that succeeds."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in fallback_encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, len(data), "no configured encoding decodes this file")


def split_lines(text: str) -> list[str]:
    """Lines as a text editor counts them: CRLF, LF and lone CR all end a line.

    str.splitlines() is not used because it also breaks on form feeds, vertical tabs and U+2028, which
    would shift line numbers away from what `wc -l` and editors show.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")


def count_raw_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def read_raw_file(path: Path, source_file: str, settings: IngestSettings) -> RawDocument | QuarantineRecord:
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        return QuarantineRecord(
            source_file, "file_too_large", f"{size} bytes, over ingest.max_file_bytes={settings.max_file_bytes}"
        )
    data = path.read_bytes()
    n_lines = count_raw_lines(data)
    if not data.strip():
        return QuarantineRecord(source_file, "empty_file", f"{size} bytes of no text", n_lines=n_lines)
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return QuarantineRecord(source_file, "binary_file", "NUL bytes found: not a text file", n_lines=n_lines)
    try:
        text, encoding = decode(data, settings.fallback_encodings)
    except UnicodeDecodeError as error:
        return QuarantineRecord(source_file, "undecodable", str(error), n_lines=n_lines)
    lines = tuple(
        RawLine(line_no, unicodedata.normalize("NFC", line)) for line_no, line in enumerate(split_lines(text), start=1)
    )
    return RawDocument(source_file=source_file, encoding=encoding, lines=lines)


def ingest(input_root: Path, extensions: list[str], settings: IngestSettings) -> IngestResult:
    documents: list[RawDocument] = []
    quarantined: list[QuarantineRecord] = []
    for path in discover_files(input_root):
        source_file = relative_name(path, input_root)
        if path.suffix.lower() not in extensions:
            quarantined.append(
                QuarantineRecord(source_file, "unsupported_format", f"'{path.suffix}' is not in input.extensions")
            )
            continue
        result = read_raw_file(path, source_file, settings)
        if isinstance(result, RawDocument):
            documents.append(result)
        else:
            quarantined.append(result)
    return IngestResult(documents, quarantined)
