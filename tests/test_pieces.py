"""A large JSON lines file cut into pieces at line boundaries (tasks/pieces.py) gives exactly what the
whole file gives: the same records, line numbers, quarantine records, accounting and datasets."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml

from tasks.config import Settings
from tasks.ingest import find_input, ingest
from tasks.partition import make_chunks, read_chunk
from tasks.pieces import FilePiece, cut_into_pieces
from tasks.streams import InputFile

from tests.conftest import REPO, SEEDS

SETTINGS = Settings()
SEED_LINES = [
    line
    for path in sorted(SEEDS.iterdir())
    for line in path.read_text(encoding="utf-8").splitlines()
    if len(line.split()) > 12
]


def story(number: int) -> str:
    """Four long seed lines, a different four for each number."""
    return "\n".join(SEED_LINES[(4 * number + k) % len(SEED_LINES)] for k in range(4))


def record(number: int, **extra) -> str:
    return json.dumps({"id": f"r{number}", "title": f"Story {number}", "text": story(number), **extra}, ensure_ascii=False)


def tricky_jsonl(newline: str = "\n") -> bytes:
    """Records with a blank line, a malformed line, a record without text and a copy of an earlier
    story in the middle, and a last line without a line ending."""
    lines = [record(0), record(1), "", record(2), '{"id": "broken", "text": "no closing', record(3)]
    lines += [json.dumps({"id": "empty", "text": "   "}), record(4), record(1).replace('"r1"', '"copy"'), "[1, 2]"]
    lines += [record(5), record(6)]
    return (newline.join(lines)).encode("utf-8")


def input_file(tmp_path, name: str, data: bytes) -> InputFile:
    (tmp_path / name).write_bytes(data)
    outcomes = find_input(tmp_path / name, SETTINGS.input.extensions)
    return outcomes[0]


def test_pieces_cover_the_file_at_line_boundaries_with_continuous_line_numbers(tmp_path):
    data = tricky_jsonl()
    pieces = cut_into_pieces(input_file(tmp_path, "a.jsonl", data), 1000)
    assert len(pieces) > 3
    assert pieces[0].byte_start == 0 and pieces[-1].byte_end == len(data)
    for before, after in zip(pieces, pieces[1:]):
        assert before.byte_end == after.byte_start and data[before.byte_end - 1 : before.byte_end] == b"\n"
        assert after.first_line == before.last_line + 1
        assert before.n_bytes >= 1000
    assert pieces[0].first_line == 1 and pieces[-1].last_line == data.count(b"\n") + 1  # the last line has no LF
    # The malformed line (5) and the record without text (7) fall in middle pieces.
    middle = pieces[1:-1]
    assert all(any(piece.first_line <= line <= piece.last_line for piece in middle) for line in (5, 7))


def test_a_cut_that_falls_exactly_on_a_line_boundary_ends_the_piece_there(tmp_path):
    data = b"".join(b'{"text": "line %03d"}\n' % n for n in range(10))  # 21 bytes a line
    pieces = cut_into_pieces(input_file(tmp_path, "a.jsonl", data), 42)
    assert [(piece.first_line, piece.n_lines, piece.n_bytes) for piece in pieces] == [
        (1, 2, 42), (3, 2, 42), (5, 2, 42), (7, 2, 42), (9, 2, 42)
    ]


@pytest.mark.parametrize(
    "name, data, why",
    [
        ("small.jsonl", b'{"text": "a"}\n', "no larger than a piece"),
        ("a.csv", b"text\n" + b"a,\n" * 100, "CSV: a quoted field may hold line breaks"),
        ("a.jsonl.gz", b"\x1f\x8b" + b"x" * 300, "compressed"),
        ("a.jsonl", b'{"text": "caf\xe9"}\n' * 30, "not UTF-8 (read whole as cp1252)"),
        ("a.jsonl", "\n".join(['{"text": "a"}'] * 30).encode("utf-16"), "UTF-16"),
        ("a.jsonl", b" \n\n  \n" * 100, "only white space: quarantined whole as empty"),
        ("a.jsonl", b'{"text": "a"}\r' * 30, "lone CR line endings: no LF to cut after"),
    ],
)
def test_files_that_a_piece_could_not_read_like_the_whole_are_not_cut(tmp_path, name, data, why):
    assert cut_into_pieces(input_file(tmp_path, name, data), 50) is None, why


def test_pieces_hold_at_most_the_given_number_of_lines_even_in_a_file_smaller_than_a_piece(tmp_path):
    data = tricky_jsonl()
    pieces = cut_into_pieces(input_file(tmp_path, "a.jsonl", data), 1e9, piece_lines=3)
    assert [(piece.first_line, piece.n_lines) for piece in pieces] == [(1, 3), (4, 3), (7, 3), (10, 3)]
    assert pieces[-1].byte_end == len(data)
    # Bytes and lines together: whichever bound a piece reaches first ends it.
    by_both = cut_into_pieces(input_file(tmp_path, "b.jsonl", data), 1000, piece_lines=3)
    assert all(piece.n_lines <= 3 for piece in by_both) and len(by_both) > len(pieces)
    assert [piece.n_lines for piece in by_both] != [piece.n_lines for piece in pieces]
    assert cut_into_pieces(input_file(tmp_path, "c.jsonl", data), 1e9, piece_lines=20) is None  # 12 lines


def test_a_bound_on_lines_counts_line_feeds_across_scan_blocks(tmp_path, monkeypatch):
    import tasks.pieces

    monkeypatch.setattr(tasks.pieces, "SCAN_BLOCK_BYTES", 7)  # every line spans blocks
    data = b"".join(b'{"text": "line %03d"}\n' % n for n in range(10))  # 21 bytes a line
    pieces = cut_into_pieces(input_file(tmp_path, "a.jsonl", data), 1e9, piece_lines=4)
    assert [(piece.first_line, piece.n_lines, piece.n_bytes) for piece in pieces] == [(1, 4, 84), (5, 4, 84), (9, 2, 42)]


def test_small_json_lines_files_share_a_chunk_up_to_the_article_bound(tmp_path):
    for name, n_records in (("a.jsonl", 2), ("b.jsonl", 2), ("c.txt", 0), ("d.jsonl", 1), ("e.jsonl", 7)):
        lines = [record(n) for n in range(n_records)] if n_records else [story(1)]
        (tmp_path / name).write_text("\n".join(lines), encoding="utf-8")  # no LF after the last record
    for name, n_rows in (("f.parquet", 3), ("g.parquet", 2)):  # Parquet: its footer says its rows
        pq.write_table(pa.table({"text": [story(n) for n in range(n_rows)]}), tmp_path / name)
    outcomes = find_input(tmp_path, SETTINGS.input.extensions)
    chunks = make_chunks(outcomes, 1e9, max_articles=4)
    names = [[(entry.source_file, getattr(entry, "first_line", None)) for entry in chunk.files] for chunk in chunks]
    # A text file's articles are not known before it is read: it joins by its bytes alone.
    assert names[:2] == [[("a.jsonl", None), ("b.jsonl", None), ("c.txt", None)], [("d.jsonl", None)]]
    assert names[2:4] == [[("e.jsonl", 1)], [("e.jsonl", 5)]]  # 7 records: cut into pieces of at most 4
    assert names[4:] == [[("f.parquet", None)], [("g.parquet", None)]]
    assert [[entry.source_file for entry in chunk.files] for chunk in make_chunks(outcomes, 1e9)] == [
        ["a.jsonl", "b.jsonl", "c.txt", "d.jsonl", "e.jsonl", "f.parquet", "g.parquet"]
    ]


def read_in_pieces(tmp_path, data: bytes, piece_bytes: float, settings=SETTINGS, max_articles: int | None = None):
    name = "a.jsonl"
    input_file(tmp_path, name, data)
    outcomes = find_input(tmp_path / name, settings.input.extensions)
    chunks = make_chunks(outcomes, piece_bytes, max_articles)
    return chunks, [read_chunk(chunk, settings) for chunk in chunks]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("piece_bytes, max_articles", [(1e-9, None), (700, None), (2500, None), (1e9, 1), (1e9, 3), (2500, 2)])
def test_pieces_give_the_records_and_quarantine_records_of_the_whole_file(tmp_path, newline, piece_bytes, max_articles):
    settings = Settings.model_validate({"ingest": {"max_line_chars": 3000}})  # one record's line is too long
    data = b"\xef\xbb\xbf" + tricky_jsonl(newline).replace(b"Story 4", b"Story 4 " + b"x" * 3000)
    data = data.replace(2 * newline.encode(), b"\r\r\n", 1)  # a lone CR ends line 2, CRLF the blank line 3
    chunks, parts = read_in_pieces(tmp_path, data, piece_bytes, settings, max_articles)
    if max_articles is not None:
        assert all(len(document.records) <= max_articles for part in parts for document in part.documents)
    whole = ingest(tmp_path / "a.jsonl", SETTINGS.input.extensions, settings.ingest, settings.input.fields)
    assert len(chunks) > 1 and all(isinstance(entry, FilePiece) for chunk in chunks for entry in chunk.files)
    [document] = whole.documents
    assert document.encoding == "utf-8-sig"
    assert [r for part in parts for d in part.documents for r in d.records] == list(document.records)
    assert [line for part in parts for d in part.documents for line in d.lines] == list(document.lines)
    assert [q for part in parts for q in part.quarantined] == whole.quarantined
    reasons = {q.reason for q in whole.quarantined}
    assert reasons == {"malformed_json", "empty_text", "not_an_object", "line_too_long"}
    assert sum(part.n_files for part in parts) == 1
    assert sum(d.raw_line_count for part in parts for d in part.documents) == document.raw_line_count == 12


def test_a_large_file_is_cut_into_chunks_of_about_the_chunk_size_and_the_costliest_start_first(tmp_path):
    lines = [record(n % 7) for n in range(60)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "big.csv").write_text("text\n" + "\n".join(f'"{story(n)}"' for n in range(45)) + "\n", encoding="utf-8")
    (tmp_path / "small.txt").write_text(story(1), encoding="utf-8")
    outcomes = find_input(tmp_path, SETTINGS.input.extensions)
    chunk_bytes = 10_000
    chunks = make_chunks(outcomes, chunk_bytes)
    names = [[entry.source_file for entry in chunk.files] for chunk in chunks]
    n_pieces = sum(name == ["big.jsonl"] for name in names)
    assert names == [["big.csv"]] + [["big.jsonl"]] * n_pieces + [["small.txt"]] and n_pieces > 3
    pieces = [chunk for chunk in chunks if chunk.files[0].source_file == "big.jsonl"]
    assert all(chunk_bytes <= chunk.n_bytes < chunk_bytes + 2000 for chunk in pieces[:-1])
    # The CSV file, read whole, is now the costliest chunk: the pool (map_chunk_list) starts it first,
    # then the pieces, the small file last.
    costs = [chunk.n_bytes for chunk in chunks]
    start_order = sorted(range(len(chunks)), key=lambda i: -costs[i])
    assert start_order[0] == 0 and start_order[-1] == len(chunks) - 1 and costs[0] > 2 * chunk_bytes


SEVEN_DATASETS = (
    "articles", "articles_other_languages", "paragraphs", "sentences", "removed_lines", "duplicates", "quarantine"
)


@pytest.mark.e2e
def test_the_daily_flow_gives_the_same_datasets_for_a_file_read_in_pieces_as_read_whole(tmp_path):
    from flows.daily import daily_flow

    date = dt.date(2025, 3, 4)
    input_dir = tmp_path / "input"
    input_dir.mkdir()
    (input_dir / "a.jsonl").write_bytes(tricky_jsonl())
    (input_dir / "b.ndjson").write_bytes(tricky_jsonl("\r\n").replace(b'"r', b'"b'))  # copies of a.jsonl's stories
    (input_dir / "c.txt").write_text(
        "Council approves new cycle lanes\n\nThe city council voted on Tuesday to build twelve kilometres of new"
        " cycle lanes across the centre, after a year of consultation with residents and shop owners.\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["langid"]["other_languages"] = "route"
    tables, reports = {}, {}
    runs = (
        ("whole", {"workers": 1, "chunk_max_articles": None}),
        ("pieces", {"workers": 2, "chunk_megabytes": 0.001}),
        ("pieces_of_two_records", {"workers": 2, "chunk_max_articles": 2}),  # small files, too many records
    )
    for name, parallel in runs:
        config["parallel"] = parallel
        config_path = tmp_path / f"{name}.yaml"
        config_path.write_text(yaml.safe_dump(config))
        data_dir = tmp_path / name
        reports[name] = daily_flow(input_path=input_dir, date=date, data_dir=data_dir, config_path=config_path)
        tables[name] = {
            dataset: ds.dataset(data_dir / "curated" / dataset, format="parquet").to_table() for dataset in SEVEN_DATASETS
        }
        parts = list((data_dir / "curated" / "articles" / f"date={date}").iterdir())
        assert (len(parts) > 1) == (name != "whole")  # a part file per chunk with articles
    whole = reports["whole"]
    for name in ("pieces", "pieces_of_two_records"):
        for dataset, table in tables["whole"].items():
            assert tables[name][dataset].equals(table), (name, dataset)
        pieces = reports[name]
        assert (pieces.n_files, pieces.n_raw_lines, pieces.n_articles, pieces.n_duplicates, pieces.n_quarantined) == (
            whole.n_files, whole.n_raw_lines, whole.n_articles, whole.n_duplicates, whole.n_quarantined
        )
    assert whole.n_files == 3 and whole.n_duplicates >= 8
    quarantine = tables["whole"]["quarantine"].to_pylist()
    assert {(row["source_file"], row["reason"], row["line_start"]) for row in quarantine} >= {
        ("a.jsonl", "malformed_json", 5), ("a.jsonl", "empty_text", 7), ("b.ndjson", "malformed_json", 5)
    }
