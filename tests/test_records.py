"""Records as they wait on disk between the chunk steps (tasks/partition.py): a pickled record reads back
equal to the one written."""

import pickle

from tasks.config import Settings
from tasks.ingest import ingest
from tasks.records import ArticleMetadata, RawDocument, RawLine, RawRecord, RemovedLine

from tests.conftest import SEEDS
from tests.helpers import document

SETTINGS = Settings()


def round_trip(value):
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def test_a_plain_text_document_reads_back_equal_line_for_line():
    # Numbers with gaps (quarantined lines are not in `lines`), blanks, white space kept at the edges.
    lines = (RawLine(1, "Headline"), RawLine(2, ""), RawLine(3, "  indented "), RawLine(5, "\t"), RawLine(9, "last"))
    separator = RemovedLine("a.txt", 4, "-----", "split.separator", None)
    raw = RawDocument("news/a.txt", "cp1252", lines, n_raw_lines=9, removed=(separator,))
    back = round_trip(raw)
    assert back == raw
    assert [(line.line_no, line.text) for line in back.lines] == [(1, "Headline"), (2, ""), (3, "  indented "), (5, "\t"), (9, "last")]
    assert all(type(line) is RawLine for line in back.lines)


def test_a_line_number_stays_with_its_own_text():
    # Would fail if numbers and texts were paired off by one.
    raw = document("one\ntwo\nthree")
    assert {line.line_no: line.text for line in round_trip(raw).lines} == {1: "one", 2: "two", 3: "three"}


def test_an_empty_document_reads_back_empty():
    raw = RawDocument("empty.txt", "utf-8", ())
    assert round_trip(raw) == raw


def test_a_documents_records_keep_sharing_their_lines_with_it():
    line = RawLine(1, "Text of the record")
    record = RawRecord(1, 1, (line,), ArticleMetadata("utf-8", title="T"))
    raw = RawDocument("a.jsonl", "utf-8", (line,), records=(record,))
    back = round_trip(raw)
    assert back == raw
    assert back.lines[0] is back.records[0].lines[0]


def test_the_seed_documents_read_back_equal():
    documents = ingest(SEEDS, SETTINGS.input.extensions, SETTINGS.ingest, SETTINGS.input.fields).documents
    assert documents and all(raw.records is None for raw in documents)  # the seeds are plain text
    assert round_trip(documents) == documents
