"""Ingest of good input: every format, compression and encoding a user brings, and what it becomes."""

import bz2
import datetime as dt
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.config import FieldMapping, IngestSettings, Settings
from tasks.decode import clean_line
from tasks.ingest import ingest, split_lines
from tasks.readers import parse_published
from tasks.records import CleanArticle, Paragraph
from tasks.segment import Segments
from tasks.split import split_documents
from tasks.tables import partition_tables

from tests.helpers import DATE

SETTINGS = IngestSettings()
EXTENSIONS = Settings().input.extensions
UTC = dt.timezone.utc


def write(tmp_path, files: dict[str, bytes]):
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run(tmp_path, files: dict[str, bytes], settings=SETTINGS, fields=None):
    write(tmp_path, files)
    return ingest(tmp_path, EXTENSIONS, settings, fields)


def texts(document):
    return [line.text for line in document.lines]


def zstd(data: bytes) -> bytes:
    return pa.compress(data, codec="zstd", asbytes=True)


def parquet_bytes(table: pa.Table, tmp_path) -> bytes:
    path = tmp_path / "table.tmp"
    pq.write_table(table, path)
    data = path.read_bytes()
    path.unlink()
    return data


def test_split_lines_counts_like_an_editor():
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert split_lines("a\fb\u2028c") == ["a\fb\u2028c"]
    assert split_lines("a\n\nb") == ["a", "", "b"]


def test_files_are_found_in_nested_folders_in_a_stable_order(tmp_path):
    result = run(tmp_path, {"b.txt": b"two", "a/z/deep.txt": b"one", "a/y.txt": b"three", ".hidden/x.txt": b"no"})
    assert [d.source_file for d in result.documents] == ["a/y.txt", "a/z/deep.txt", "b.txt"]
    assert result.quarantined == []


def test_crlf_lone_cr_and_lf_all_end_lines_and_line_numbers_follow(tmp_path):
    result = run(tmp_path, {"a.txt": b"one\r\ntwo\rthree\n\nfive"})
    (document,) = result.documents
    assert [(line.line_no, line.text) for line in document.lines] == [(1, "one"), (2, "two"), (3, "three"), (4, ""), (5, "five")]
    assert document.n_raw_lines == 5


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Caf\u00e9 \u2019quoted\u2019".encode("utf-8"), "utf-8"),
        ("\ufeffCaf\u00e9 \u2019quoted\u2019".encode("utf-8"), "utf-8-sig"),
        ("Caf\u00e9 \u2019quoted\u2019".encode("utf-16"), "utf-16"),  # with its BOM
        (b"\xfe\xff" + "Caf\u00e9 \u2019quoted\u2019".encode("utf-16-be"), "utf-16"),  # big-endian BOM
        ("Caf\u00e9 \u2019quoted\u2019".encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its NUL bytes
        ("Caf\u00e9 \u2019quoted\u2019".encode("utf-32"), "utf-32"),
        ("Caf\u00e9 \u2019quoted\u2019".encode("cp1252"), "cp1252"),
    ],
)
def test_each_encoding_is_detected_decoded_and_recorded(tmp_path, data, encoding):
    (document,) = run(tmp_path, {"a.txt": data}).documents
    assert (document.encoding, texts(document)) == (encoding, ["Caf\u00e9 \u2019quoted\u2019"])


def test_latin1_is_the_last_resort_for_bytes_cp1252_does_not_define(tmp_path):
    # 0x81 is undefined in cp1252; latin-1 decodes every byte (0x81 is a C1 control, then dropped).
    (document,) = run(tmp_path, {"a.txt": b"Gr\xfc\xdfe \x81aus K\xf6ln"}).documents
    assert (document.encoding, texts(document)) == ("latin-1", ["Grüße aus Köln"])


def test_utf16_lines_end_at_crlf_like_any_other(tmp_path):
    (document,) = run(tmp_path, {"a.txt": "one\r\ntwo\r\n".encode("utf-16")}).documents
    assert texts(document) == ["one", "two"]


def test_mojibake_is_repaired_and_control_characters_dropped(tmp_path):
    lines = [
        "The Mona Lisa doesnâ€™t have eyebrows.",  # UTF-8 read as cp1252
        "CafÃ© crÃ¨me",
        "bell\x07 escape\x1b[31mred\x1b[0m del\x7f zero\ufeffwidth",  # (a NUL would make it binary)
        "tab\tand form feed\f stay",
    ]
    (document,) = run(tmp_path, {"a.txt": "\n".join(lines).encode("utf-8")}).documents
    assert texts(document) == [
        "The Mona Lisa doesn’t have eyebrows.",
        "Café crème",
        "bell escapered del zerowidth",
        "tab\tand form feed\f stay",
    ]


def test_mixed_file_mostly_utf8_with_one_cp1252_byte_is_repaired(tmp_path):
    data = "Caf\u00e9 \u2018quoted\u2019\n".encode("utf-8") + b"price \x80 5\n"
    (document,) = run(tmp_path, {"a.txt": data}).documents
    # The stray byte makes the whole file cp1252; ftfy then repairs the UTF-8 sequences line by line.
    assert (document.encoding, texts(document)) == ("cp1252", ["Caf\u00e9 \u2018quoted\u2019", "price € 5"])


def test_repair_can_be_switched_off():
    assert clean_line("doesnâ€™t", repair_mojibake=False) == "doesnâ€™t"
    assert clean_line("doesnâ€™t") == "doesn’t"
    assert clean_line("Cafe\u0301 \ud800") == "Caf\u00e9 \ufffd"  # NFC; a lone surrogate becomes U+FFFD


JSONL = "\n".join(
    [
        json.dumps({"id": 7, "title": "Floods", "url": "https://x.test/1", "published": "2025-03-04T10:00:00+01:00",
                    "source": "Wire", "text": "Floods closed the road.\n\nRepairs take a week."}),
        "",
        json.dumps({"text": ["First paragraph.", "Second paragraph."], "published": 1741082400}),
    ]
).encode("utf-8")


def test_jsonl_records_are_articles_with_their_metadata_and_line_numbers(tmp_path):
    result = run(tmp_path, {"a.jsonl": JSONL})
    (document,) = result.documents
    assert result.quarantined == []
    first, second = document.records
    assert (first.line_start, first.line_end, [line.text for line in first.lines]) == (
        1, 1, ["Floods closed the road.", "", "Repairs take a week."]
    )
    assert {line.line_no for line in first.lines} == {1}
    assert first.metadata.title == "Floods" and first.metadata.url == "https://x.test/1" and first.metadata.source == "Wire"
    assert first.metadata.record_id == "7"
    assert first.metadata.published == dt.datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    assert (second.line_start, [line.text for line in second.lines]) == (3, ["First paragraph.", "Second paragraph."])
    assert second.metadata.published == dt.datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert document.n_raw_lines == 3


CSV = (
    'id,title,text,url\r\n'
    '1,Floods,"Floods closed the road.\r\nRepairs take a week.",https://x.test/1\r\n'
    '2,"Trams, again",The council voted.,https://x.test/2\r\n'
).encode("utf-8")


def test_csv_rows_span_their_lines_and_the_header_is_a_removed_line(tmp_path):
    (document,) = run(tmp_path, {"a.csv": CSV}).documents
    first, second = document.records
    assert (first.line_start, first.line_end, [line.text for line in first.lines]) == (
        2, 3, ["Floods closed the road.", "Repairs take a week."]
    )
    assert (second.line_start, second.line_end, second.metadata.title) == (4, 4, "Trams, again")
    assert [(line.line_no, line.rule) for line in document.removed] == [(1, "ingest.csv_header")]
    assert document.n_raw_lines == 4


def test_parquet_rows_are_articles_numbered_by_row(tmp_path):
    table = pa.table(
        {
            "body": ["First story.\nSecond line.", "Second story."],
            "headline": ["One", None],
            "when": pa.array([dt.datetime(2025, 3, 4, 12), None], pa.timestamp("us")),
            "unused": [1, 2],
        }
    )
    fields = FieldMapping(text="body", title="headline", published="when")
    (document,) = run(tmp_path, {"a.parquet": parquet_bytes(table, tmp_path)}, fields=fields).documents
    first, second = document.records
    assert (first.line_start, [line.text for line in first.lines], first.metadata.title) == (1, ["First story.", "Second line."], "One")
    assert first.metadata.published == dt.datetime(2025, 3, 4, 12, tzinfo=UTC)
    assert (second.line_start, second.metadata.title, second.metadata.published) == (2, None, None)
    assert document.encoding == "utf-8" and document.n_raw_lines == 2


@pytest.mark.parametrize(("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".zst", zstd)])
def test_compressed_files_read_like_the_plain_ones(tmp_path, suffix, compress):
    plain = run(tmp_path / "plain", {"a.jsonl": JSONL, "b.csv": CSV, "c.txt": b"Title\n\nBody.\n"})
    packed = run(tmp_path / "packed", {f"a.jsonl{suffix}": compress(JSONL), f"b.csv{suffix}": compress(CSV), f"c.txt{suffix}": compress(b"Title\n\nBody.\n")})
    assert packed.quarantined == []
    for p, q in zip(plain.documents, packed.documents, strict=True):
        assert (q.lines, q.records, q.n_raw_lines) == (p.lines, p.records, p.n_raw_lines)
        assert q.source_file == p.source_file + suffix


def test_metadata_flows_into_the_articles_dataset(tmp_path):
    result = run(tmp_path, {"a.jsonl": JSONL, "b.txt": "Caf\u00e9".encode("cp1252")})
    split = split_documents(result.documents, DATE, Settings().split)
    cleaned = [
        CleanArticle(d.article_id, d.source_file, d.line_start, d.line_end, None, None,
                     [Paragraph(line.line_no, "body", line.text) for line in d.lines if not line.is_blank], [])
        for d in split.articles
    ]
    tables = partition_tables(cleaned, [Segments([], [])] * len(cleaned), [], [], [], split.metadata)
    rows = tables["articles"].to_pylist()
    assert [(r["source_file"], r["line_start"], r["record_id"], r["title"], r["url"], r["source"], r["encoding"]) for r in rows] == [
        ("a.jsonl", 1, "7", "Floods", "https://x.test/1", "Wire", "utf-8"),
        ("a.jsonl", 3, None, None, None, None, "utf-8"),
        ("b.txt", 1, None, None, None, None, "cp1252"),
    ]
    assert rows[0]["published"] == dt.datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-04", dt.datetime(2025, 3, 4, tzinfo=UTC)),
        ("2025-03-04T10:00:00Z", dt.datetime(2025, 3, 4, 10, tzinfo=UTC)),
        ("2025-03-04 10:00:00", dt.datetime(2025, 3, 4, 10, tzinfo=UTC)),
        ("2025-03-04T10:00:00-05:00", dt.datetime(2025, 3, 4, 15, tzinfo=UTC)),
        ("Tue, 04 Mar 2025 10:00:00 GMT", dt.datetime(2025, 3, 4, 10, tzinfo=UTC)),
        (1741082400, dt.datetime(2025, 3, 4, 10, tzinfo=UTC)),
        ("1741082400000", dt.datetime(2025, 3, 4, 10, tzinfo=UTC)),  # milliseconds
        (dt.date(2025, 3, 4), dt.datetime(2025, 3, 4, tzinfo=UTC)),
        ("last Tuesday", None),
        ("", None),
        (True, None),
        (1e30, None),
    ],
)
def test_published_values(value, expected):
    assert parse_published(value) == expected


def test_raw_input_is_not_modified(tmp_path):
    data = b"Line one\r\nLine two\r\n"
    run(tmp_path, {"a.txt": data})
    assert (tmp_path / "a.txt").read_bytes() == data


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "Title\n\nBody one.\r\nBody two.\rLast line without a break",
        "ascii\twith a tab\x0cform feed\x07bell\n\n",
        "non-ASCII: “quotes”, café, Â£5 mojibake, e\u0301 to compose, \x9d C1\nsecond line\n",
        "long line " * 20 + "\nshort\n" + "x" * 300,
    ],
)
def test_a_text_file_decoded_whole_reads_as_line_by_line(text):
    from tasks.readers import DocumentBuilder, read_text, read_whole_text
    from tasks.streams import InputFile, lines_of_text

    file = InputFile("/nowhere", "a.txt", "text", None)
    settings = IngestSettings(max_line_chars=150)
    whole = DocumentBuilder(file, "utf-8", settings, FieldMapping())
    read_whole_text(text, whole)
    by_line = DocumentBuilder(file, "utf-8", settings, FieldMapping())
    read_text(lines_of_text(text, settings.max_line_chars), by_line)
    assert (whole.lines, whole.quarantined, whole.n_raw_lines) == (by_line.lines, by_line.quarantined, by_line.n_raw_lines)
