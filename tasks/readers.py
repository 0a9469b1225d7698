"""Readers: one per input format, from a raw file to the lines and records of a RawDocument.

Formats, by extension: plain text (any extension in input.extensions not listed below), JSON lines
(.jsonl, .ndjson), CSV (.csv, with a header row) and Parquet (.parquet); each also gzip-, bzip2- or
zstd-compressed (.gz, .bz2, .zst). A JSON line, CSV row or Parquet row is one article: input.fields says
which key or column holds its text and its metadata. Files are read as streams (tasks/streams.py).

What cannot be used becomes a quarantine record and the rest of the file is still read: a bad JSON line,
a CSV row with the wrong number of fields, a record without text, an over-long line. A fault of the whole
file (binary, empty, corrupt archive, no text column) quarantines the file.

Line numbers: a text, JSON lines or CSV file's lines are its physical lines (CRLF, LF or CR end a line);
a Parquet file's "line" n is its row n (1-based). Every line of a record's text carries the number of
the record's first line.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.config import FieldMapping, IngestSettings
from tasks.decode import (
    SNIFF_BYTES,
    binary_reason,
    candidate_encodings,
    clean_line,
    clean_text_lines,
    encoding_from_bom,
    split_lines,
    utf16_without_bom,
)
from tasks.records import ArticleMetadata, QuarantineRecord, RawDocument, RawLine, RawRecord, RemovedLine
from tasks.streams import (
    TEXT_FORMAT,
    WHOLE_FILE_BYTES,
    InputFile,
    InputProblem,
    PhysicalLine,
    count_lines,
    lines_of_text,
    open_bytes,
    physical_lines,
)

log = logging.getLogger(__name__)

CSV_HEADER_RULE = "ingest.csv_header"
_CSV_FIELD_LIMIT = 2**31 - 1  # a field may span many lines; the line and file limits bound its size


@dataclass
class FileResult:
    document: RawDocument | None  # None when the whole file is quarantined
    quarantined: list[QuarantineRecord]


# --- records -----------------------------------------------------------------------------------------


def parse_published(value: object) -> dt.datetime | None:
    """A publication time in UTC from an ISO 8601 date or date-time, an RFC 2822 date (RSS), Unix epoch
    seconds (milliseconds when larger than 10^11) or a Parquet date/timestamp. A time without offset is
    taken as UTC. None when absent or not a date."""
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, dt.datetime):
            return _utc(value)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
        if isinstance(value, (int, float)):
            return _from_epoch(value)
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text.lstrip("-").replace(".", "", 1).isdigit():
                return _from_epoch(float(text))
            try:
                return _utc(dt.datetime.fromisoformat(text))
            except ValueError:
                pass
            try:
                return _utc(email.utils.parsedate_to_datetime(text))
            except (TypeError, ValueError, IndexError):
                return None
    except (OverflowError, OSError, ValueError):
        return None
    return None


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _from_epoch(seconds: float) -> dt.datetime:
    if abs(seconds) > 1e11:
        seconds /= 1000
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)


def metadata_text(value: object, repair_mojibake: bool) -> str | None:
    """A metadata value as one clean line of text; numbers as written, lists and objects as JSON."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    elif not isinstance(value, str):
        value = str(value)
    text = " ".join(line.strip() for line in clean_text_lines(value, repair_mojibake)).strip()
    return text or None


@dataclass
class DocumentBuilder:
    """Collects one file's lines, records and line-level quarantine records while it is read."""

    file: InputFile
    encoding: str
    settings: IngestSettings
    fields: FieldMapping
    lines: list[RawLine] = field(default_factory=list)
    records: list[RawRecord] | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    quarantined: list[QuarantineRecord] = field(default_factory=list)
    n_raw_lines: int = 0  # the number of the last raw line read
    unreadable_dates: int = 0
    first_line_no: int = 1  # of the first raw line it reads: past 1 for a piece of a file (tasks/pieces.py)

    def quarantine(self, reason: str, detail: str, line_start: int, line_end: int | None = None) -> None:
        line_end = line_start if line_end is None else line_end
        self.quarantined.append(
            QuarantineRecord(self.file.source_file, reason, detail, line_start, line_end, n_lines=line_end - line_start + 1)
        )

    def quarantine_too_long(self, line: PhysicalLine) -> None:
        limit = self.settings.max_line_chars
        self.quarantine("line_too_long", f"{line.length} characters, over ingest.max_line_chars={limit}", line.number)

    def add_line(self, number: int, text: str) -> None:
        self.lines.append(RawLine(number, clean_line(text, self.settings.repair_mojibake)))

    def add_record(self, line_start: int, line_end: int, values: Mapping[str, object]) -> None:
        """A record (JSON object, CSV row, Parquet row) becomes an article, or a quarantine record."""
        if self.records is None:
            self.records = []
        key = self.fields.text
        text = values.get(key)
        if isinstance(text, list) and all(isinstance(item, str) for item in text):
            text = "\n".join(text)  # a list of paragraphs
        if text is None:
            self.quarantine("missing_text", f"no value for the text field {key!r}", line_start, line_end)
            return
        if not isinstance(text, str):
            kind = type(text).__name__
            self.quarantine("bad_text_type", f"the text field {key!r} holds a {kind}, not a string", line_start, line_end)
            return
        text_lines = _trim_blank_edges(clean_text_lines(text, self.settings.repair_mojibake))
        if not text_lines:
            self.quarantine("empty_text", f"the text field {key!r} holds no text", line_start, line_end)
            return
        metadata = self.metadata(values)
        record = RawRecord(line_start, line_end, tuple(RawLine(line_start, line) for line in text_lines), metadata)
        self.records.append(record)
        self.lines.extend(record.lines)

    def metadata(self, values: Mapping[str, object]) -> ArticleMetadata:
        repair = self.settings.repair_mojibake

        def text_of(key: str | None) -> str | None:
            return metadata_text(values.get(key), repair) if key else None

        published_value = values.get(self.fields.published) if self.fields.published else None
        published = parse_published(published_value)
        if published is None and published_value not in (None, ""):
            self.unreadable_dates += 1
        return ArticleMetadata(
            encoding=self.encoding,
            title=text_of(self.fields.title),
            url=text_of(self.fields.url),
            published=published,
            source=text_of(self.fields.source),
            record_id=text_of(self.fields.id),
        )

    def result(self) -> FileResult:
        """The document, or the whole file quarantined as empty when it held nothing at all."""
        if self.records is not None:
            has_content = bool(self.records)  # a CSV header alone is not content
        else:
            has_content = any(not line.is_blank for line in self.lines)
        if not has_content and not self.quarantined:
            what = "no records" if self.records is not None else "only white space"
            raise InputProblem("empty_file", f"{self.n_raw_lines} lines, {what}", self.n_raw_lines)
        return FileResult(self.document(), self.quarantined)

    def document(self) -> RawDocument:
        if self.unreadable_dates:
            log.warning(
                "%s: %d %r values are not dates; published left empty",
                self.file.source_file,
                self.unreadable_dates,
                self.fields.published,
            )
        return RawDocument(
            source_file=self.file.source_file,
            encoding=self.encoding,
            lines=tuple(self.lines),
            n_raw_lines=self.n_raw_lines - self.first_line_no + 1,
            records=tuple(self.records) if self.records is not None else None,
            removed=tuple(self.removed),
            first_line_no=self.first_line_no,
        )


def _trim_blank_edges(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# --- formats -----------------------------------------------------------------------------------------


def read_text(lines: Iterator[PhysicalLine], builder: DocumentBuilder) -> None:
    for line in lines:
        builder.n_raw_lines = line.number
        if line.too_long:
            builder.quarantine_too_long(line)
        else:
            builder.add_line(line.number, line.text)


def read_whole_text(text: str, builder: DocumentBuilder) -> None:
    """read_text of lines_of_text(text): a plain-text file decoded whole, without a PhysicalLine, a
    generator step and a method call per line (most of reading a text file, once decoded)."""
    lines = split_lines(text) if text else []
    limit = builder.settings.max_line_chars
    if max(map(len, lines), default=0) > limit:
        read_text(lines_of_text(text, limit), builder)  # rare: quarantine records among the lines
        return
    repair = builder.settings.repair_mojibake
    cleaned = [clean_line(line, repair) for line in lines]
    builder.lines.extend(map(RawLine._make, zip(range(1, len(lines) + 1), cleaned)))  # see RawLine
    builder.n_raw_lines = len(lines)


def read_jsonl(lines: Iterator[PhysicalLine], builder: DocumentBuilder) -> None:
    builder.records = []
    for line in lines:
        builder.n_raw_lines = line.number
        if line.too_long:
            builder.quarantine_too_long(line)
            continue
        if not line.text.strip():
            builder.add_line(line.number, "")  # a blank line between records
            continue
        try:
            # strict=False lets raw tabs and other control characters stand inside strings.
            value = json.loads(line.text, strict=False)
        except json.JSONDecodeError as error:
            builder.quarantine("malformed_json", f"{error.msg} at column {error.colno}", line.number)
            continue
        except RecursionError:
            builder.quarantine("malformed_json", "nested too deeply", line.number)
            continue
        if not isinstance(value, dict):
            builder.quarantine("not_an_object", f"a JSON {type(value).__name__}, not an object", line.number)
            continue
        builder.add_record(line.number, line.number, value)


def read_csv(lines: Iterator[PhysicalLine], builder: DocumentBuilder) -> None:
    """CSV with a header row; a quoted field may span lines, so a row spans lines [start, end]."""
    builder.records = []
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    fed: list[PhysicalLine] = []  # the lines the csv reader has taken for the row it is reading

    def feed() -> Iterator[str]:
        for line in lines:
            builder.n_raw_lines = line.number
            fed.append(line)
            # NUL stops the csv module ("line contains NUL"); it is dropped like every control character.
            yield line.text.replace("\x00", "") + "\n"

    reader = csv.reader(feed(), strict=False)
    header: list[str] | None = None
    while True:
        fed.clear()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if header is None:
                raise InputProblem("malformed_csv", f"the header row: {error}", builder.n_raw_lines) from None
            builder.quarantine("malformed_csv_row", str(error), fed[0].number, fed[-1].number)
            continue
        start, end = fed[0].number, fed[-1].number
        too_long = next((line for line in fed if line.too_long), None)
        if too_long is not None:
            if header is None:
                raise InputProblem("line_too_long", "the header row is over ingest.max_line_chars", builder.n_raw_lines)
            builder.quarantine(
                "line_too_long",
                f"line {too_long.number} has {too_long.length} characters, over ingest.max_line_chars={builder.settings.max_line_chars}",
                start,
                end,
            )
            continue
        if start == end and len(row) <= 1 and not "".join(row).strip():
            builder.add_line(start, "")  # a blank line
            continue
        if header is None:
            header = _csv_header(row, fed[0], end, builder)
            continue
        if len(row) != len(header):
            builder.quarantine("malformed_csv_row", f"{len(row)} fields, the header has {len(header)}", start, end)
            continue
        builder.add_record(start, end, dict(zip(header, row, strict=True)))


def _csv_header(row: list[str], line: PhysicalLine, end: int, builder: DocumentBuilder) -> list[str]:
    header = [name.strip() for name in row]
    start = line.number
    if start != end:
        raise InputProblem("malformed_csv", f"the header row spans lines {start}-{end}", builder.n_raw_lines)
    if builder.fields.text not in header:
        raise InputProblem(
            "missing_text_column", f"no column {builder.fields.text!r} (input.fields.text) in the header", builder.n_raw_lines
        )
    builder.add_line(start, line.text)
    header_line = builder.lines[-1]
    builder.removed.append(
        RemovedLine(builder.file.source_file, start, header_line.text.strip(), CSV_HEADER_RULE, None)
    )
    return header


_STREAM_READERS = {TEXT_FORMAT: read_text, "jsonl": read_jsonl, "csv": read_csv}


def read_parquet(file: InputFile, settings: IngestSettings, fields: FieldMapping) -> FileResult:
    """Parquet: row n is "line" n. Only the mapped columns are read, a row group at a time."""
    if file.compression:
        with open_bytes(file, settings) as stream:
            source = pa.BufferReader(stream.read())
    else:
        source = str(file.path)
    try:
        parquet = pq.ParquetFile(source)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError and others for a bad file
        raise InputProblem("corrupt_parquet", str(error)) from None
    n_rows = parquet.metadata.num_rows
    schema = parquet.schema_arrow
    if fields.text not in schema.names:
        raise InputProblem("missing_text_column", f"no column {fields.text!r} (input.fields.text)", n_rows)
    text_type = schema.field(fields.text).type
    if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or _is_list_of_strings(text_type)):
        raise InputProblem("bad_text_column", f"column {fields.text!r} is {text_type}, not text", n_rows)
    wanted = [fields.text, fields.title, fields.url, fields.published, fields.source, fields.id]
    columns = list(dict.fromkeys(name for name in wanted if name and name in schema.names))
    builder = DocumentBuilder(file, "utf-8", settings, fields, records=[])
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=1024, columns=columns):
            for values in batch.to_pylist():
                row += 1
                builder.n_raw_lines = row
                builder.add_record(row, row, values)
    except Exception as error:  # a corrupt page or column chunk
        raise InputProblem("corrupt_parquet", f"row {row + 1}: {error}", n_rows) from None
    return builder.result()


def _is_list_of_strings(type_: pa.DataType) -> bool:
    return (pa.types.is_list(type_) or pa.types.is_large_list(type_)) and pa.types.is_string(type_.value_type)


# --- one file ----------------------------------------------------------------------------------------


def read_file(file: InputFile, settings: IngestSettings, fields: FieldMapping) -> FileResult:
    """Read one accepted file; never raises for bad input: the file or its bad lines go to quarantine."""
    try:
        return _read(file, settings, fields)
    except InputProblem as problem:
        return _whole_file(file, problem.reason, problem.detail, problem.n_lines)
    except OSError as error:
        return _whole_file(file, "unreadable_file", f"{type(error).__name__}: {error.strerror or error}")
    except Exception as error:  # a bug, not bad input: quarantined so the run goes on, and logged loudly
        log.exception("%s: unexpected error while reading", file.source_file)
        return _whole_file(file, "read_error", f"{type(error).__name__}: {error}")


def _decode_whole(data: bytes, encodings: list[str]) -> tuple[str, str] | None:
    """(encoding, text) for the first of `encodings` that decodes all of data, as a line-by-line read picks."""
    for encoding in encodings:
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _whole_file(file: InputFile, reason: str, detail: str, n_lines: int = 0) -> FileResult:
    return FileResult(None, [QuarantineRecord(file.source_file, reason, detail, n_lines=n_lines)])


def _read(file: InputFile, settings: IngestSettings, fields: FieldMapping) -> FileResult:
    size = os.stat(file.location).st_size
    if settings.max_file_bytes is not None and size > settings.max_file_bytes:
        raise InputProblem("file_too_large", f"{size} bytes, over ingest.max_file_bytes={settings.max_file_bytes}")
    if file.format == "parquet":
        return read_parquet(file, settings, fields)
    stream = open_bytes(file, settings)
    try:
        head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # the first block, still to be read
        if not head:
            raise InputProblem("empty_file", "0 bytes")
        if not encoding_from_bom(head) and not utf16_without_bom(head):
            reason = binary_reason(head)
            if reason:
                raise InputProblem("binary_file", reason, count_lines(file, settings))
        encodings = candidate_encodings(head, settings.fallback_encodings)
        if file.compression is None and size <= WHOLE_FILE_BYTES:
            decoded = _decode_whole(stream.read(), encodings)
            if decoded is not None:
                encoding, text = decoded
                builder = DocumentBuilder(file, encoding, settings, fields)
                if file.format == TEXT_FORMAT:
                    read_whole_text(text, builder)
                else:
                    _STREAM_READERS[file.format](lines_of_text(text, settings.max_line_chars), builder)
                return builder.result()
            # No encoding fits: reading line by line names the line where each one fails.
            stream.close()
            stream = open_bytes(file, settings)
        errors = []
        for attempt, encoding in enumerate(encodings):
            if attempt:  # the previous encoding failed part-way: start again from the first byte
                stream.close()
                stream = open_bytes(file, settings)
            builder = DocumentBuilder(file, encoding, settings, fields)
            try:
                _STREAM_READERS[file.format](physical_lines(stream, encoding, settings.max_line_chars), builder)
            except UnicodeDecodeError as error:
                errors.append(f"not {encoding} ({error.reason} on line {builder.n_raw_lines + 1})")
                continue
            return builder.result()
    finally:
        stream.close()
    raise InputProblem("undecodable", "; ".join(errors), count_lines(file, settings))
