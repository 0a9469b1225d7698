"""Fault injection: every kind of bad input, each with the quarantine reason it must get.

Each case writes bad input (next to good input where the file is partly usable), runs the stages as the
flow does (ingest, split, clean, dedup, line accounting) and checks: the run does not crash, exactly the
expected quarantine records come out (file, reason, lines), the good parts of a file are still read, and
line accounting holds, counting every raw line of the input.
"""

from __future__ import annotations

import builtins
import bz2
import datetime as dt
import gzip
import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.accounting import AccountingReport, check_line_accounting
from tasks.clean import clean_articles
from tasks.config import ConfigError, Settings, parse_config
from tasks.dedup import deduplicate, load_history
from tasks.ingest import IngestResult, ingest
from tasks.rules import load_rules
from tasks.safe_regex import RegexTimeoutError, SafePattern, compile_rule_pattern
from tasks.split import split_documents
from tasks.tables import partition_tables

DATE = dt.date(2025, 3, 4)

STORY = (
    "The council voted on Monday to expand the tram network across the city, with building work starting "
    "next spring and the first new line opening within three years."
)
ARTICLE = "\n".join(
    [
        STORY,
        "Councillors said the decision followed two years of consultation with residents, businesses and "
        "transport groups, and that the cost would be shared with the national government.",
        "Opponents argued that the money would be better spent on buses, which they said served more of the "
        "people who rely on public transport every day.",
    ]
)
BUS_ARTICLE = "\n".join(
    [
        "Bus fares in the region will be frozen for another year, the transport authority announced on Tuesday, "
        "after a campaign by passengers and local newspapers to expand the bus network.",
        "The authority said the freeze would cost about four million pounds, to be met from reserves, and that "
        "three rural routes cut last winter would return in March.",
        "Operators welcomed the money but warned that a shortage of drivers, not funding, was now the main "
        "reason services ran late or not at all.",
    ]
)


@dataclass
class Outcome:
    ingested: IngestResult
    accounting: AccountingReport
    kept_text: str

    def quarantine(self) -> list[tuple[str, str, int | None, int | None]]:
        return sorted(
            (q.source_file, q.reason, q.line_start, q.line_end) for q in self.ingested.quarantined
        )

    def record_starts(self, source_file: str) -> list[int]:
        (document,) = [d for d in self.ingested.documents if d.source_file == source_file]
        return [record.line_start for record in document.records]


_RULES = {}


def rules_for(settings: Settings):
    """The rule set, loaded once per configuration (loading the packs takes a quarter of a second)."""
    key = settings.fingerprint()
    if key not in _RULES:
        _RULES[key] = load_rules(settings.clean)
    return _RULES[key]


def run_stages(input_root: Path, settings: Settings) -> Outcome:
    """The flow's stages without Prefect, as flows/daily.py wires them (no history)."""
    ingested = ingest(input_root, settings.input.extensions, settings.ingest, settings.input.fields)
    split = split_documents(ingested.documents, DATE, settings.split)
    cleaned = clean_articles(split.articles, rules_for(settings), settings.clean)
    non_empty = [article for article in cleaned if article.paragraphs]
    history = load_history(input_root.parent / "no-state", before=DATE, settings=settings.dedup)
    survivors, duplicates = deduplicate(non_empty, DATE, history, settings.dedup)
    duplicate_ids = {duplicate.article_id for duplicate in duplicates}
    removed = split.removed + [
        line for article in cleaned if article.article_id not in duplicate_ids for line in article.removed
    ]
    accounting = check_line_accounting(ingested.documents, ingested.quarantined, survivors, removed, duplicates)
    # The quarantine rows must fit the dataset's schema too.
    partition_tables(survivors, [], removed, duplicates, ingested.quarantined)
    kept_text = "\n".join(article.text for article in survivors)
    return Outcome(ingested, accounting, kept_text)


def jsonl(*records) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode("utf-8")


def zstd(data: bytes) -> bytes:
    return pa.compress(data, codec="zstd", asbytes=True)


def parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


GOOD_JSONL = jsonl({"text": ARTICLE, "title": "Trams"}, {"text": BUS_ARTICLE})
GOOD_PARQUET = parquet(pa.table({"text": [STORY, STORY.replace("tram", "bus")] * 50}))


@dataclass
class Fault:
    name: str
    files: dict[str, bytes] | Callable[[Path], None]
    expected: list[tuple[str, str, int | None, int | None]]
    settings: dict = field(default_factory=dict)
    raw_lines: int | None = None  # every raw line of the input, as the accounting counts it
    records: dict[str, list[int]] = field(default_factory=dict)  # the good records still read, by file
    kept: list[str] = field(default_factory=list)  # text that must reach the articles


def broken_link(root: Path) -> None:
    (root / "gone.txt").symlink_to(root / "never-there.txt")


def named_pipe(root: Path) -> None:
    os.mkfifo(root / "pipe.txt")  # reading it would block forever


def linked_folder(root: Path) -> None:
    (root / "elsewhere").mkdir()
    (root.parent / "outside").mkdir(exist_ok=True)
    (root / "elsewhere" / "linked").symlink_to(root.parent / "outside", target_is_directory=True)


def whole(name: str, reason: str) -> tuple[str, str, None, None]:
    return (name, reason, None, None)


FAULTS = [
    Fault("zero_bytes", {"a.txt": b""}, [whole("a.txt", "empty_file")], raw_lines=0),
    Fault("white_space_only", {"a.txt": b" \r\n\t\r\n\n"}, [whole("a.txt", "empty_file")], raw_lines=3),
    Fault("jsonl_of_blank_lines", {"a.jsonl": b"\n \n\n"}, [whole("a.jsonl", "empty_file")], raw_lines=3),
    Fault("csv_header_and_no_rows", {"a.csv": b"id,text\n"}, [whole("a.csv", "empty_file")], raw_lines=1),
    Fault("nul_bytes", {"a.txt": b"abc\x00\x01def\nmore\n"}, [whole("a.txt", "binary_file")], raw_lines=2),
    Fault("pdf_named_txt", {"a.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"}, [whole("a.txt", "binary_file")]),
    Fault("control_bytes_without_nul", {"a.txt": bytes(range(1, 32)) * 40}, [whole("a.txt", "binary_file")]),
    Fault("gzip_named_txt", {"a.txt": gzip.compress(STORY.encode())}, [whole("a.txt", "binary_file")]),
    Fault(
        "unsupported_extensions",
        {"report.pdf": b"%PDF-1.7", "notes.docx": b"PK\x03\x04", "data.json.gz": gzip.compress(b"{}")},
        [whole("data.json.gz", "unsupported_format"), whole("notes.docx", "unsupported_format"), whole("report.pdf", "unsupported_format")],
    ),
    Fault("broken_symlink", broken_link, [whole("gone.txt", "not_a_regular_file")]),
    Fault("named_pipe", named_pipe, [whole("pipe.txt", "not_a_regular_file")]),
    Fault("linked_folder_not_followed", linked_folder, [whole("elsewhere/linked", "not_a_regular_file")]),
    Fault("file_over_size_limit", {"a.txt": STORY.encode() * 20}, [whole("a.txt", "file_too_large")], {"ingest": {"max_file_bytes": 1000}}),
    Fault(
        "decompression_bomb",  # 10 KB on disk, 20 MB decompressed
        {"a.txt.gz": gzip.compress(b"a" * 20_000_000)},
        [whole("a.txt.gz", "file_too_large")],
        {"ingest": {"max_file_bytes": 1_000_000}},
    ),
    Fault("truncated_gzip", {"a.jsonl.gz": gzip.compress(GOOD_JSONL * 20)[:300]}, [whole("a.jsonl.gz", "truncated_archive")]),
    Fault("not_gzip_at_all", {"a.txt.gz": b"this was never gzip-compressed\n"}, [whole("a.txt.gz", "corrupt_archive")]),
    Fault("truncated_bzip2", {"a.csv.bz2": bz2.compress(b"id,text\n" + b"1,hello\n" * 500)[:-20]}, [whole("a.csv.bz2", "truncated_archive")]),
    Fault("truncated_zstd", {"a.jsonl.zst": zstd(GOOD_JSONL * 50)[:-30]}, [whole("a.jsonl.zst", "truncated_archive")]),
    Fault(
        "invalid_utf8_and_no_fallbacks",
        {"a.txt": b"caf\xe9 au lait\n"},
        [whole("a.txt", "undecodable")],
        {"ingest": {"fallback_encodings": []}},
        raw_lines=1,
    ),
    Fault("utf16_cut_mid_character", {"a.txt": "hello world".encode("utf-16")[:-1]}, [whole("a.txt", "undecodable")]),
    Fault("parquet_that_is_not", {"a.parquet": b"PAR1 but nothing else of a parquet file"}, [whole("a.parquet", "corrupt_parquet")]),
    Fault("truncated_parquet", {"a.parquet": GOOD_PARQUET[: len(GOOD_PARQUET) // 2]}, [whole("a.parquet", "corrupt_parquet")]),
    Fault("csv_without_text_column", {"a.csv": b"id,body\n1,hello\n"}, [whole("a.csv", "missing_text_column")]),
    Fault("parquet_without_text_column", {"a.parquet": parquet(pa.table({"body": [STORY]}))}, [whole("a.parquet", "missing_text_column")]),
    Fault("parquet_text_column_of_numbers", {"a.parquet": parquet(pa.table({"text": [1, 2]}))}, [whole("a.parquet", "bad_text_column")]),
    Fault("csv_header_over_two_lines", {"a.csv": b'"id\nnumber",text\n1,hello\n'}, [whole("a.csv", "malformed_csv")]),
    Fault(
        "malformed_json_lines",  # good lines around bad ones, and a last line cut short
        {"a.jsonl": GOOD_JSONL[:-1] + b"\n{'single': 'quotes'}\n" + jsonl({"text": ARTICLE}) + b'{"text": "cut sho'},
        [("a.jsonl", "malformed_json", 3, 3), ("a.jsonl", "malformed_json", 5, 5)],
        raw_lines=5,
        records={"a.jsonl": [1, 2, 4]},
        kept=["expand the bus network"],
    ),
    Fault(
        "json_values_that_are_not_objects",
        {"a.jsonl": jsonl("[1, 2]", '"a string"', "5", "null", {"text": STORY})},
        [("a.jsonl", "not_an_object", n, n) for n in (1, 2, 3, 4)],
        raw_lines=5,
        records={"a.jsonl": [5]},
    ),
    Fault("json_nested_too_deeply", {"a.jsonl": b"[" * 100_000 + b"\n"}, [("a.jsonl", "malformed_json", 1, 1)], raw_lines=1),
    Fault(
        "records_without_text",
        {"a.jsonl": jsonl({"title": "no text"}, {"text": None}, {"text": STORY})},
        [("a.jsonl", "missing_text", 1, 1), ("a.jsonl", "missing_text", 2, 2)],
        records={"a.jsonl": [3]},
    ),
    Fault(
        "text_that_is_not_a_string",
        {"a.jsonl": jsonl({"text": 5}, {"text": {"body": STORY}}, {"text": [STORY, 7]})},
        [("a.jsonl", "bad_text_type", n, n) for n in (1, 2, 3)],
    ),
    Fault("empty_text", {"a.jsonl": jsonl({"text": " \n\t "}, {"text": STORY})}, [("a.jsonl", "empty_text", 1, 1)], records={"a.jsonl": [2]}),
    Fault(
        "jsonl_line_over_limit",
        {"a.jsonl": jsonl({"text": ARTICLE}, {"text": "x" * 5000}, {"text": BUS_ARTICLE})},
        [("a.jsonl", "line_too_long", 2, 2)],
        {"ingest": {"max_line_chars": 1000}},
        raw_lines=3,
        records={"a.jsonl": [1, 3]},
    ),
    Fault(
        "text_line_over_limit",  # the rest of the file is still read
        {"a.txt": f"Trams\n\n{ARTICLE}\n{'y' * 5000}\n{BUS_ARTICLE}\n".encode()},
        [("a.txt", "line_too_long", 6, 6)],
        {"ingest": {"max_line_chars": 1000}},
        raw_lines=9,
        kept=["expand the bus network"],
    ),
    Fault(
        "csv_rows_with_wrong_field_counts",
        {"a.csv": f'id,title,text\n1,A,"{STORY}"\n2,B\n3,C,"{STORY}",extra\n'.encode()},
        [("a.csv", "malformed_csv_row", 3, 3), ("a.csv", "malformed_csv_row", 4, 4)],
        raw_lines=4,
        records={"a.csv": [2]},
    ),
    Fault(
        "csv_quoted_row_with_an_overlong_line",
        {"a.csv": f'id,text\n1,"{STORY}\n{"z" * 5000}\nend"\n2,"{STORY}"\n'.encode()},
        [("a.csv", "line_too_long", 2, 4)],
        {"ingest": {"max_line_chars": 1000}},
        raw_lines=5,
        records={"a.csv": [5]},
    ),
    Fault(
        "parquet_rows_without_text",
        {"a.parquet": parquet(pa.table({"text": [STORY, None, "  ", STORY.replace("tram", "bus")]}))},
        [("a.parquet", "missing_text", 2, 2), ("a.parquet", "empty_text", 3, 3)],
        raw_lines=4,
        records={"a.parquet": [1, 4]},
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_bad_input_is_quarantined_with_its_reason_and_every_line_is_accounted_for(tmp_path, fault):
    root = tmp_path / "input"
    root.mkdir()
    if callable(fault.files):
        fault.files(root)
    else:
        for name, data in fault.files.items():
            (root / name).write_bytes(data)
    # A good file next to the bad one: a fault never stops the rest of the run.
    (root / "zz_good.txt").write_text(f"Good news\n\n{ARTICLE}\n", encoding="utf-8")
    settings = parse_config(fault.settings)

    started = time.perf_counter()
    outcome = run_stages(root, settings)  # line accounting is checked inside: it raises if a line is lost
    assert time.perf_counter() - started < 30

    assert outcome.quarantine() == sorted(fault.expected)
    assert "zz_good.txt" in {document.source_file for document in outcome.ingested.documents}
    assert "expand the tram network" in outcome.kept_text
    if fault.raw_lines is not None:
        assert outcome.accounting.raw_lines == fault.raw_lines + 5  # + zz_good.txt
    for source_file, starts in fault.records.items():
        assert outcome.record_starts(source_file) == starts
    for text in fault.kept:
        assert text in outcome.kept_text
    for name, data in (fault.files.items() if isinstance(fault.files, dict) else []):
        assert (root / name).read_bytes() == data  # raw input is never modified


def test_there_are_at_least_twenty_kinds_of_fault_and_every_reason_is_exercised():
    reasons = {reason for fault in FAULTS for _, reason, _, _ in fault.expected}
    assert len(FAULTS) >= 20
    assert reasons >= {
        "empty_file", "binary_file", "unsupported_format", "not_a_regular_file", "file_too_large",
        "truncated_archive", "corrupt_archive", "undecodable", "corrupt_parquet", "missing_text_column",
        "bad_text_column", "malformed_csv", "malformed_json", "not_an_object", "missing_text", "bad_text_type",
        "empty_text", "line_too_long", "malformed_csv_row",
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_quarantined(tmp_path):
    (tmp_path / "secret.txt").write_text(STORY)
    (tmp_path / "secret.txt").chmod(0)
    outcome = run_stages(tmp_path, Settings())
    assert outcome.quarantine() == [whole("secret.txt", "unreadable_file")]


def test_a_folder_that_cannot_be_listed_is_quarantined_and_the_rest_is_read(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "story.txt").write_text(STORY)
    (tmp_path / "open.txt").write_text(STORY)
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":  # as root, permissions cannot make a folder unlistable
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr("tasks.ingest.os.scandir", scandir)
    outcome = run_stages(tmp_path, Settings())
    assert outcome.quarantine() == [whole("locked", "not_a_regular_file")]
    assert [document.source_file for document in outcome.ingested.documents] == ["open.txt"]


def test_quarantined_lines_of_a_duplicate_span_are_not_claimed_twice(tmp_path):
    # The same story twice, the second copy with an over-long line inside: the copy becomes a duplicate
    # whose span holds the quarantined line, which the quarantine record alone accounts for.
    story = f"Trams\n\n{ARTICLE}\n"
    (tmp_path / "a.txt").write_text(story)
    (tmp_path / "b.txt").write_text(story.replace("\nCouncillors", "\n" + "x" * 2000 + "\nCouncillors"))
    outcome = run_stages(tmp_path, parse_config({"ingest": {"max_line_chars": 1000}}))
    assert outcome.quarantine() == [("b.txt", "line_too_long", 4, 4)]
    assert outcome.accounting.duplicate_lines == 5  # lines 1-3 and 5-6 of b.txt: not the quarantined one
    assert outcome.accounting.raw_lines == 5 + 6


# --- user regular expressions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_section", "message"),
    [
        ({"clean": {"rules": [{"name": "x", "pattern": "(a|aa)+$"}]}}, "clean.rules.0.pattern: the regular expression backtracks catastrophically"),
        ({"clean": {"rules": [{"name": "x", "pattern": "(\\d|\\d\\d)+$"}]}}, "clean.rules.0.pattern: the regular expression backtracks catastrophically"),
        ({"clean": {"rules": [{"name": "x", "pattern": "(unclosed"}]}}, "clean.rules.0.pattern: not a valid regular expression"),
        ({"split": {"separator_pattern": "^(-|--)+$"}}, "split.separator_pattern: the regular expression backtracks catastrophically"),
    ],
)
def test_a_bad_user_pattern_is_a_clear_error_at_start_up(yaml_section, message):
    started = time.perf_counter()
    with pytest.raises(ConfigError) as error:
        parse_config(yaml_section, Path("config.yaml"))
    assert str(error.value).startswith(f"config.yaml: {message}")
    assert time.perf_counter() - started < 5


def test_a_pattern_that_explodes_only_on_long_lines_stops_within_its_time_limit():
    # Fine on the short start-up probes, polynomial on a long line: the time limit stops it.
    pattern = compile_rule_pattern(r"(x+x+)+y")
    slow = SafePattern(pattern._compiled, timeout=0.2)
    started = time.perf_counter()
    with pytest.raises(RegexTimeoutError, match=r"ran over 0.2 s on a 40000-character line"):
        slow.match("x" * 40_000)
    assert time.perf_counter() - started < 20  # the limit is checked now and then, not every step


def test_user_patterns_keep_re_semantics():
    pattern = compile_rule_pattern(r"(?i)^subscribe\s+to\s\w+", case_sensitive=True)
    assert pattern.match("Subscribe to Nachrichtenübersicht")
    assert pattern.match("SUBSCRIBE\u00a0to news")  # \s matches a no-break space, as in re
    assert not pattern.match("Please subscribe to news")


def test_user_rules_run_under_the_time_limit_inside_the_rule_set():
    settings = parse_config(
        {"clean": {"rules": [{"name": "slow", "pattern": "(z+z+)+y"}, {"name": "zebra", "pattern": "zebra crossing notice"}]}}
    )
    rules = load_rules(settings.clean)
    user_rules = [rule for rule in rules if rule.name.startswith("user.")]
    assert [type(rule.pattern) for rule in user_rules] == [SafePattern, SafePattern]
    assert rules.first_match("Zebra crossing notice: the road is closed").name == "user.zebra"
    user_rules[0].pattern._timeout = 0.2
    started = time.perf_counter()
    with pytest.raises(RegexTimeoutError):
        rules.first_match("z" * 40_000)
    assert time.perf_counter() - started < 20


def test_a_read_error_quarantines_the_file_and_the_run_goes_on(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(BUS_ARTICLE)
    real_open = io.open

    def failing_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.basename(file) == "a.txt":
            raise OSError(5, "Input/output error")
        return real_open(file, *args, **kwargs)

    # However the reader opens a.txt (open, io.open, Path.open), it fails.
    monkeypatch.setattr(builtins, "open", failing_open)
    monkeypatch.setattr(io, "open", failing_open)
    outcome = run_stages(tmp_path, Settings())
    assert outcome.quarantine() == [whole("a.txt", "unreadable_file")]
    assert outcome.ingested.quarantined[0].detail == "OSError: Input/output error"
    assert "expand the bus network" in outcome.kept_text


def test_the_title_of_an_article_emptied_by_clean_is_accounted_for(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"!0\n\n!")  # found by test_properties.py: a title, then nothing kept
    outcome = run_stages(tmp_path, Settings())
    assert outcome.accounting.raw_lines == 3
