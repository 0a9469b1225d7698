"""A day's input in chunks (tasks/partition.py): the whole-day steps see the whole day from compact
outlines, rows and fingerprints, so chunked work gives what the whole batch at once gives."""

import datetime as dt
import gc
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from tasks import minhash
from tasks.boilerplate_learned import batch_line_index, line_index_table
from tasks.config import Settings
from tasks.dedup import find_duplicates, load_history
from tasks.fingerprint import Fingerprinted, fingerprint
from tasks.ingest import find_input, ingest
from tasks.partition import (
    CleanJob,
    PackedEntries,
    _cyclic_gc_paused,
    clean_chunk,
    entry_names,
    make_chunks,
    outline_chunk,
    outline_line_numbers,
    recount_line_rows,
)
from tasks.per_article import clean_chunk as clean_drafts
from tasks.pieces import FilePiece
from tasks.records import ArticleRef, QuarantineRecord
from tasks.repeated_blocks import BlockOutlines, plan_article_spans
from tasks.split import split_documents
from tasks.streams import InputFile

from tests.conftest import REPO, SEEDS
from tests.helpers import DATE

SETTINGS = Settings()
EVERY_FILE_ALONE = 1e-9  # bytes per chunk: every file is a chunk of its own


def seed_chunks():
    outcomes = find_input(SEEDS, SETTINGS.input.extensions)
    chunks = make_chunks(outcomes, EVERY_FILE_ALONE)
    assert [[f.source_file for f in chunk.files] for chunk in chunks] == [[p.name] for p in sorted(SEEDS.iterdir())]
    return chunks


def whole_batch_split():
    ingested = ingest(SEEDS, SETTINGS.input.extensions, SETTINGS.ingest, SETTINGS.input.fields)
    return split_documents(ingested.documents, DATE, SETTINGS.split)


def test_chunks_hold_consecutive_files_of_about_the_chunk_size(tmp_path):
    for name, size in (("a.txt", 3), ("b.txt", 3), ("c.txt", 10), ("d.txt", 1)):
        (tmp_path / name).write_bytes(b"x" * size)
    (tmp_path / "e.bin").write_bytes(b"x")  # quarantined, not read: travels with its neighbours
    outcomes = find_input(tmp_path, SETTINGS.input.extensions)
    chunks = make_chunks(outcomes, chunk_bytes=6)
    names = [[getattr(entry, "source_file") for entry in chunk.files] for chunk in chunks]
    assert names == [["a.txt", "b.txt"], ["c.txt"], ["d.txt", "e.bin"]]
    assert [chunk.index for chunk in chunks] == [0, 1, 2]
    # The day's entries are numbered in order across the chunks; outlines name their files so.
    name = entry_names(chunks)
    assert [name(number) for number in range(5)] == ["a.txt", "b.txt", "c.txt", "d.txt", "e.bin"]
    assert [chunk.entry_numbers() for chunk in chunks] == [{"a.txt": 0, "b.txt": 1}, {"c.txt": 2}, {"d.txt": 3, "e.bin": 4}]
    assert make_chunks([], chunk_bytes=6) == []


def test_a_repeated_block_is_cut_when_the_article_it_repeats_is_in_another_chunk(tmp_path):
    chunks = seed_chunks()
    outlined = [result for chunk in chunks for result in outline_chunk([chunk], DATE, SETTINGS, str(tmp_path))]
    outlines = BlockOutlines.concatenate([result.outlines for result in outlined])
    line_no = outline_line_numbers(outlined, str(tmp_path))
    spans = plan_article_spans(outlines, SETTINGS.split.repeated_block_min_lines, entry_names(chunks), line_no)
    # The outlines' raw line numbers wait on disk, a file a chunk, and are read back as the whole batch's.
    blocks = split_documents(ingest(SEEDS, SETTINGS.input.extensions, SETTINGS.ingest).documents, DATE, SETTINGS.split, cut_repeated=False)
    expected_line_nos = [line.line_no for block in blocks.articles for line in block.lines if not line.is_blank]
    assert outlines.line_nos is None
    assert [line_no(line) for line in range(len(expected_line_nos))] == expected_line_nos
    # The second seed file repeats the first seed's article, then adds its own: cut in two. Only the
    # files the plan cuts are listed: the first file's one block stays one article.
    assert spans == {"001_e16248f705b44a0d.txt": [(1, 26), (27, 45)]}

    # Each chunk split with the plan gives the articles of the whole batch split at once.
    per_chunk = []
    for chunk in chunks:
        ingested = ingest(SEEDS / chunk.files[0].source_file, SETTINGS.input.extensions, SETTINGS.ingest)
        per_chunk += split_documents(ingested.documents, DATE, SETTINGS.split, spans).articles
    assert per_chunk == whole_batch_split().articles

    # Outline rows count each block as one article; the cut file is counted again per cut article.
    row_files = [result.line_rows for result in outlined]
    assert [Path(row_file.path).name for row_file in row_files] == ["lines-0.npy", "lines-1.npy"]
    uncut = np.load(row_files[1].path)
    (recounted,) = recount_line_rows([(1, set(spans), spans)], DATE, SETTINGS, str(tmp_path))
    assert recounted.path == row_files[1].path and not np.array_equal(np.load(recounted.path), uncut)
    rows = np.concatenate([np.load(row_files[0].path), np.load(recounted.path)])
    expected = batch_line_index(whole_batch_split().articles, DATE, SETTINGS.clean.learned)
    assert line_index_table(rows).equals(expected) and expected.num_rows > 0


def test_cleaned_chunks_spill_their_records_and_shingles_and_dedup_finds_the_same_duplicates(tmp_path):
    chunks = seed_chunks()
    whole = whole_batch_split()
    outlined = [result for chunk in chunks for result in outline_chunk([chunk], DATE, SETTINGS, str(tmp_path))]
    outlines = BlockOutlines.concatenate([result.outlines for result in outlined])
    line_no = outline_line_numbers(outlined, str(tmp_path))
    spans = plan_article_spans(outlines, SETTINGS.split.repeated_block_min_lines, entry_names(chunks), line_no)
    jobs = [CleanJob(chunk.index, spans) for chunk in chunks]
    cleaned = clean_chunk(jobs, DATE, SETTINGS, frozenset(), str(tmp_path))
    assert [chunk.n_articles for chunk in cleaned] == [1, 2]
    assert all((tmp_path / f"chunk-{chunk.index}.pickle").exists() for chunk in cleaned)
    assert not list(tmp_path.glob("raw-*.pickle"))  # read by clean, then deleted

    in_memory = [a for a in clean_drafts(whole.articles, SETTINGS, frozenset()) if a.paragraphs]
    expected = find_duplicates(in_memory, DATE, load_history(tmp_path, DATE, SETTINGS.dedup), SETTINGS.dedup)
    refs = [ref for chunk in cleaned for ref in chunk.refs]
    assert refs == [ArticleRef.of(article) for article in in_memory]
    spilled = Fingerprinted.concatenate([chunk.fingerprints for chunk in cleaned])
    assert isinstance(spilled.shingles, minhash.SpilledShingleSets)
    found = find_duplicates(refs, DATE, load_history(tmp_path, DATE, SETTINGS.dedup), SETTINGS.dedup, spilled)
    assert found.duplicates == expected.duplicates and len(found.duplicates) == 1
    assert found.index_table(SETTINGS.dedup).equals(expected.index_table(SETTINGS.dedup))


def test_spilled_shingle_sets_read_back_each_articles_set(tmp_path):
    texts = ["the cat sat on the mat the cat sat", "", "one", "a b c d e f g"]
    in_memory = minhash.shingle_sets(texts, 2)
    halves = [
        minhash.shingle_sets(texts[:2], 2).spill(tmp_path / "a.u64"),
        minhash.shingle_sets(texts[2:], 2).spill(tmp_path / "b.u64"),
    ]
    spilled = minhash.SpilledShingleSets.concatenate(halves)
    assert len(spilled) == len(in_memory) == 4
    assert np.array_equal(spilled.sizes(), in_memory.sizes())
    for index in range(4):
        assert np.array_equal(spilled.of(index), in_memory.of(index))
    assert len(spilled.of(0)) == 6  # 8 shingles, "the cat" and "cat sat" twice: a set, not a list


@pytest.mark.e2e
def test_the_daily_flow_gives_the_same_rows_in_chunks_on_two_workers_as_in_one_chunk(tmp_path):
    import pyarrow.dataset as ds

    from flows.daily import daily_flow

    date = dt.date(2025, 3, 4)
    input_dir = tmp_path / "input"
    shutil.copytree(SEEDS, input_dir)
    # A third file that repeats the second seed's new story: a duplicate across chunks.
    second = sorted(SEEDS.iterdir())[1].read_text(encoding="utf-8").splitlines()
    (input_dir / "002_copy.txt").write_text("\n".join(second[26:]) + "\n", encoding="utf-8")
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    tables = {}
    runs = (("one_chunk", {"workers": 1}), ("chunks", {"workers": 2, "chunk_megabytes": EVERY_FILE_ALONE}))
    for name, parallel in runs:
        config["parallel"] = parallel
        config_path = tmp_path / f"{name}.yaml"
        config_path.write_text(yaml.safe_dump(config))
        data_dir = tmp_path / name
        report = daily_flow(input_path=input_dir, date=date, data_dir=data_dir, config_path=config_path)
        assert report.status == "completed" and report.n_files == 3
        tables[name] = {
            dataset: ds.dataset(data_dir / "curated" / dataset, format="parquet").to_table()
            for dataset in ("articles", "paragraphs", "sentences", "removed_lines", "duplicates", "quarantine")
        }
        parts = sorted(p.name for p in (data_dir / "curated" / "articles" / f"date={date}").iterdir())
        expected = ["part-00000.parquet"] if name == "one_chunk" else ["part-00000.parquet", "part-00001.parquet"]
        assert parts == expected
    for dataset, table in tables["one_chunk"].items():
        assert tables["chunks"][dataset].equals(table), dataset
    duplicates = tables["chunks"]["duplicates"].to_pylist()
    assert sorted((row["source_file"], row["method"]) for row in duplicates) == [
        ("001_e16248f705b44a0d.txt", "exact"), ("002_copy.txt", "exact")
    ]


@pytest.mark.e2e
def test_an_empty_input_folder_gives_empty_partitions(tmp_path):
    from flows.daily import daily_flow

    (tmp_path / "input").mkdir()
    report = daily_flow(
        input_path=tmp_path / "input", date=DATE, data_dir=tmp_path / "data", config_path=REPO / "config.yaml"
    )
    assert report.status == "completed" and (report.n_files, report.n_articles, report.n_raw_lines) == (0, 0, 0)
    for dataset in ("articles", "paragraphs", "sentences", "removed_lines", "duplicates", "quarantine"):
        folder = tmp_path / "data" / "curated" / dataset / f"date={DATE}"
        assert [path.name for path in folder.iterdir()] == ["part-00000.parquet"], dataset


def test_the_cycle_collector_is_paused_for_a_chunks_work_and_back_on_after(tmp_path):
    assert gc.isenabled()
    with _cyclic_gc_paused():
        assert not gc.isenabled()
        with _cyclic_gc_paused():  # _load inside a chunk's work: still off after it
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    chunks = seed_chunks()[:1]
    outline_chunk(chunks, DATE, SETTINGS, str(tmp_path))
    assert gc.isenabled()
    gc.disable()  # a caller that keeps it off (a benchmark) finds it off again
    try:
        outline_chunk(chunks, DATE, SETTINGS, str(tmp_path))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_chunk_holds_its_entries_packed_and_gives_them_back_as_they_were():
    big = InputFile("/in", "big.jsonl", "jsonl", None)
    entries = [
        InputFile("/in", "a/1.txt", "text", None),
        QuarantineRecord("a/link", "not_a_regular_file", "symlink"),
        InputFile("/in", "a/2.csv.gz", "csv", "gzip"),
        FilePiece(big, "utf-8", 0, 10, 1, 2),
        InputFile("/elsewhere", "3.txt", "text", None),  # another root: kept as it is
        InputFile("/in", "b/ünïcode name.txt", "text", None),
    ]
    packed = PackedEntries.of(entries)
    assert packed.unpacked() == entries
    assert len(packed.others) == 3 and packed.names.count("\0") == 2
    assert PackedEntries.of([]).unpacked() == []
