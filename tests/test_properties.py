"""Property tests (hypothesis): arbitrary bytes and arbitrary Unicode through ingest and clean.

Whatever the input, no exception escapes, nothing is quarantined as an unexpected "read_error", every
raw line is accounted for (the check raises otherwise), the lines handed on are clean, and a document
counts exactly the raw lines its decoded text has.
"""

import csv
import gzip
import io
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import ftfy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tasks.config import Settings
from tasks.decode import (
    _FTFY_CONFIG,
    SNIFF_BYTES,
    binary_reason,
    clean_line,
    fix_mojibake,
    is_ascii_with_pound_mojibake,
    split_lines,
    utf16_without_bom,
)
from tasks.ingest import ingest

from tests.test_faults import run_stages

SETTINGS = Settings()
# NEWSETL_PROPERTY_EXPLORE=1 NEWSETL_PROPERTY_EXAMPLES=5000 for a deeper, new search than the suite's few
# seconds (tests/conftest.py: by default every run draws the same examples).
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("NEWSETL_PROPERTY_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FORBIDDEN = {chr(c) for c in [*range(0, 9), *range(10, 12), *range(13, 32), *range(127, 160)]} | {"\ufeff"}

# Bytes that look like text often enough to reach the decoders and parsers, not only the binary check.
text_like_bytes = st.one_of(
    st.binary(max_size=600),
    st.lists(
        st.sampled_from([b"a", b"Z", b" ", b"\n", b"\r", b"\r\n", b"\t", b"\f", b'"', b",", b"{", b"}", b":",
                         b'"text"', b"\xc3\xa9", b"\xe2\x80\x99", b"\xe9", b"\x80", b"\x9d", b"\xef\xbb\xbf",
                         b"\xff\xfe", b"\x00", b"\x1b", b"\\u0000", b"\\ud800", b"[", b"]", b"0"]),
        max_size=200,
    ).map(b"".join),
)


def run_on(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "input"
        root.mkdir()
        for name, data in files.items():
            (root / name).write_bytes(data)
        return run_stages(root, SETTINGS)


def assert_clean(text: str) -> None:
    assert not FORBIDDEN & set(text)
    assert unicodedata.is_normalized("NFC", text)
    text.encode("utf-8")  # no lone surrogates


def expected_raw_lines(data: bytes, encoding: str) -> int:
    text = data.decode(encoding)
    return len(split_lines(text)) if text else 0


@PROPERTY_SETTINGS
@given(data=text_like_bytes, extension=st.sampled_from([".txt", ".jsonl", ".csv", ".txt.gz"]))
def test_arbitrary_bytes_never_crash_and_every_line_is_accounted_for(data, extension):
    raw = gzip.compress(data, mtime=0) if extension.endswith(".gz") else data
    outcome = run_on({f"a{extension}": raw})
    assert all(record.reason != "read_error" for record in outcome.ingested.quarantined)
    for document in outcome.ingested.documents:
        assert document.raw_line_count == expected_raw_lines(data, document.encoding)
        for line in document.lines:
            assert_clean(line.text)


@PROPERTY_SETTINGS
@given(text=st.text(max_size=400))
@example(text="0\x000\x80")  # found by CI: valid UTF-8, but its NULs make it look like (truncated) UTF-16
def test_arbitrary_unicode_text_files_are_read_line_for_line(text):
    outcome = run_on({"a.txt": text.encode("utf-8")})
    (quarantined,) = outcome.ingested.quarantined or [None]
    if quarantined is not None:
        # Only a file of many control characters (binary), of no visible text (empty), or one whose NULs make it
        # look like UTF-16 that then fails to decode as such (e.g. '0\x000\x80') is quarantined.
        head = text.encode("utf-8")[:SNIFF_BYTES]
        if utf16_without_bom(head):
            assert quarantined.reason == "undecodable"
            assert quarantined.detail.startswith("not utf-16")
        elif binary_reason(head):
            assert quarantined.reason == "binary_file"
        else:
            assert quarantined.reason == "empty_file"
            assert not "".join(clean_line(line) for line in split_lines(text)).strip()
        return
    (document,) = outcome.ingested.documents
    assert document.raw_line_count == len(split_lines(text))
    assert [line.line_no for line in document.lines] == list(range(1, document.raw_line_count + 1))
    for line in document.lines:
        assert_clean(line.text)


# Any code point, lone surrogates included: JSON can carry them as \\ud800 escapes.
any_character = st.characters(blacklist_categories=())


@PROPERTY_SETTINGS
@given(texts=st.lists(st.one_of(st.text(any_character, max_size=80), st.none(), st.integers()), min_size=1, max_size=6))
def test_arbitrary_json_records_are_articles_or_quarantined_each_on_its_line(texts):
    data = "".join(json.dumps({"text": text, "title": text}) + "\n" for text in texts).encode("ascii")
    outcome = run_on({"a.jsonl": data})
    quarantined_lines = {record.line_start for record in outcome.ingested.quarantined if record.line_start}
    documents = outcome.ingested.documents
    read_lines = {record.line_start for document in documents for record in document.records}
    assert read_lines.isdisjoint(quarantined_lines)
    if documents:
        assert read_lines | quarantined_lines == set(range(1, len(texts) + 1))
        for document in documents:
            for record in document.records:
                assert_clean(record.metadata.title or "")
                for line in record.lines:
                    assert_clean(line.text)
    else:
        assert [r.reason for r in outcome.ingested.quarantined] == ["empty_file"] or quarantined_lines


@PROPERTY_SETTINGS
@given(rows=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=120)), min_size=1, max_size=8))
def test_csv_written_by_the_csv_module_reads_back_row_for_row(rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["title", "text"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    outcome = run_on({"a.csv": data})
    if binary_reason(data[:SNIFF_BYTES]):  # many control characters
        assert [record.reason for record in outcome.ingested.quarantined] == ["binary_file"]
        return
    records = [record for document in outcome.ingested.documents for record in document.records]
    kept = iter(records)
    for _title, text in rows:
        lines = [clean_line(part) for part in split_lines(text)]
        if not any(line.strip() for line in lines):
            continue  # quarantined as empty_text (or, with an empty title too, read as a blank line)
        record = next(kept)
        assert [line.text for line in record.lines] == _trim(lines)
    assert next(kept, None) is None


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


@PROPERTY_SETTINGS
@given(text=st.text(any_character, max_size=200))
def test_clean_line_output_is_always_clean(text):
    for line in split_lines(text):
        assert_clean(clean_line(line))
        assert "\n" not in clean_line(line) and "\r" not in clean_line(line)


def test_ingest_of_an_empty_folder_is_empty(tmp_path):
    result = ingest(tmp_path, SETTINGS.input.extensions, SETTINGS.ingest)
    assert (result.documents, result.quarantined) == ([], [])


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from([*(chr(c) for c in range(0x20, 0x7F)), "\u00c2\u00a3", " \u00c2\u00a3", "\u00c2\u00a35"]), min_size=1).map("".join))
@example("\u00c2\u00a3")
@example("Costs rose to \u00c2\u00a31.2bn, up from \u00c2\u00a3900m.")
def test_pound_sign_shortcut_gives_ftfys_answer(text):
    assert fix_mojibake(text) == ftfy.fix_text(text, _FTFY_CONFIG)


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(["\u00c2", "\u00a3", "\u00c2\u00a3", "a", " ", "~", "\x7f", "\x1f", "\t", "\x80", "\u00e9", "\u2019"])).map("".join))
def test_pound_sign_shortcut_takes_exactly_printable_ascii_and_pound_mojibake(text):
    assert is_ascii_with_pound_mojibake(text) == bool(re.fullmatch("(?:[\x20-\x7e]|\u00c2\u00a3)*", text))
