"""The daily flow: one partition (one logical date) from raw files to Parquet datasets.

It follows the data flow of DESIGN.md, in chunks of files so that memory stays bounded however large the
day (tasks/partition.py):

  plan:   read every chunk; where the articles begin and end (split), which lines are learned boilerplate
  clean:  split, clean and fingerprint each chunk; its records wait in the staging folder
  dedup:  exact and near duplicates over the fingerprints of the whole day and the history index
  finish: per chunk, language, segmentation, line accounting and its part of every dataset
  commit: duplicates, quarantine and the state indexes, then one atomic commit of the partition

Each task is a thin wrapper over plain functions in tasks/; the chunk work runs on every core (or a Dask
cluster). Language identification runs after dedup, on unique articles only: it is the slowest step and
a duplicate's language is its survivor's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from flows import ordering
from flows.locks import partition_lock
from flows.manifest import write_manifest
from flows.report import RunReport, code_version, partition_manifest, write_run_row
from tasks.accounting import AccountingReport
from tasks.boilerplate_learned import INDEX_DATASET, load_index_history
from tasks.config import Settings, load_config
from tasks.dedup import HISTORY_DATASET, DedupResult, find_duplicates, later_dates_with_copies, load_history
from tasks.fingerprint import Fingerprinted, fingerprint
from tasks.ingest import find_input
from tasks.learned_rows import RowFile, learn_from_row_files
from tasks.parallel import map_chunk_list, start_workers_early, worker_pool
from tasks.partition import (
    CHUNK_DATASETS,
    Chunk,
    ChunkCleaned,
    ChunkFinished,
    ChunkOutline,
    CleanJob,
    FinishJob,
    clean_chunk,
    entry_names,
    finish_chunk,
    make_chunks,
    outline_chunk,
    outline_line_numbers,
    recount_line_rows,
)
from tasks.records import DuplicateRecord, QuarantineRecord
from tasks.schemas import DATASETS
from tasks.repeated_blocks import ArticleSpans, BlockOutlines, plan_article_spans
from tasks.tables import records_table
from tasks.timing import StageTimer, release_freed_memory
from tasks.write import StagedFacts, commit_staged, recover_commits, staged_partition, write_part

# Results stay in memory between tasks of one flow run: caching them would hash every input.
stage = task(cache_policy=NONE, persist_result=False)
SPILL_FOLDER = "_chunks"  # inside the staging folder: chunks' records between the steps


@dataclass
class Plan:
    chunks: list[Chunk]
    spans: ArticleSpans  # where the articles of the files the repeated-block cut cuts begin and end
    learned: frozenset[int]  # line keys of learned boilerplate
    staged_indexes: list[str]  # state datasets the plan wrote into staging, committed with the datasets
    staged: StagedFacts  # of their part files (write_part)
    worker_seconds: Counter[str]  # seconds the workers spent reading and outlining, by step


def _seconds(chunks: list) -> Counter[str]:
    """Worker seconds by step, summed over chunks (ChunkOutline, ChunkCleaned, ChunkFinished)."""
    total: Counter[str] = Counter()
    for chunk in chunks:
        total.update(chunk.seconds)
    return total


@stage(name="plan")
def plan_task(
    input_path: Path,
    date: dt.date,
    state_dir: Path,
    settings: Settings,
    staging: Path,
    date_order: ordering.DateOrder | None,
) -> Plan:
    """Chunks of the input; where their articles begin and end; which lines are learned boilerplate.
    The chunks' documents and learned-line rows wait in the staging folder, and so does this batch's line
    index (written as counted: on a large day it is tens of MB the flow need not hold until the commit)."""
    spill_dir = staging / SPILL_FOLDER
    outcomes = find_input(input_path, settings.input.extensions)
    parallel = settings.parallel
    chunks = make_chunks(outcomes, parallel.chunk_megabytes * 1_000_000, parallel.chunk_max_articles)
    del outcomes  # the chunks hold them packed: ~150 bytes a file as InputFiles, ~31 packed
    release_freed_memory()  # their holes, before the workers' outlines come back
    outline = partial(outline_chunk, date=date, settings=settings, spill_dir=str(spill_dir))
    outlined = map_chunk_list(outline, [[chunk] for chunk in chunks], settings.parallel, _costs(chunks))
    worker_seconds = _seconds(outlined)
    row_files = [chunk.line_rows for chunk in outlined]
    line_no = outline_line_numbers(outlined, str(spill_dir))
    outlines = BlockOutlines.concatenate(_taken_outlines(outlined))
    del outlined
    release_freed_memory()  # before the cut's arrays
    min_lines = settings.split.repeated_block_min_lines
    spans = plan_article_spans(outlines, min_lines, entry_names(chunks), line_no)
    del outlines  # before the learned-line index, the plan's other large step
    release_freed_memory()
    if date_order is not None:
        # Learned boilerplate (below) and dedup read the state earlier dates of a backfill leave behind.
        date_order.wait_for_earlier(date)
    learned_settings = settings.clean.learned
    if not learned_settings.enabled:
        return Plan(chunks, spans, frozenset(), [], {}, worker_seconds)
    row_files = _recount_cut_files(row_files, chunks, spans, date, settings, spill_dir)
    index_key = f"state/{INDEX_DATASET}"
    output = settings.output
    history = partial(load_index_history, state_dir, date, learned_settings)

    staged: StagedFacts = {}

    def stage_part(part: int, table) -> None:
        staged.update(write_part(staging, index_key, table, part, output.compression, output.compression_level))

    learned = learn_from_row_files(row_files, history, learned_settings, stage_part)
    return Plan(chunks, spans, learned, [index_key], staged, worker_seconds)


def _taken_outlines(outlined: list[ChunkOutline]) -> Iterator[BlockOutlines]:
    """Each chunk's outlines, let go of once given: the day's concatenation is all the cut needs. The
    chunks' small arrays free holes in the heap that the day's large ones (mapped apart) cannot use, so
    they are handed back to the system as the concatenation goes: on the 1 GB bench day the day's
    outlines and every chunk's took ~40 MB more at once."""
    for position, chunk in enumerate(outlined):
        outlines, chunk.outlines = chunk.outlines, None
        yield outlines
        if position % 64 == 63:
            release_freed_memory()


def _recount_cut_files(
    row_files: list[RowFile],
    chunks: list[Chunk],
    spans: ArticleSpans,
    date: dt.date,
    settings: Settings,
    spill_dir: Path,
) -> list[RowFile]:
    """The chunks' learned-line rows, with the files the plan cuts counted again: the outline counted each
    of their blocks as one article, and a block cut into several counts its lines per article."""
    if not spans:  # the usual day: nothing cut, and no chunk's entries to unpack
        return row_files
    recount = set(spans)
    cut_chunks = [chunk for chunk in chunks if recount & _names(chunk)]
    if not cut_chunks:
        return row_files
    jobs = [[(chunk.index, recount & _names(chunk), _spans_of(chunk, spans))] for chunk in cut_chunks]
    recount_chunk = partial(recount_line_rows, date=date, settings=settings, spill_dir=str(spill_dir))
    recounted = map_chunk_list(recount_chunk, jobs, settings.parallel)
    by_chunk = {chunk.index: row_file for chunk, row_file in zip(cut_chunks, recounted)}
    return [by_chunk.get(chunk.index, row_file) for chunk, row_file in zip(chunks, row_files)]


def _costs(chunks: list[Chunk]) -> list[int]:
    return [chunk.n_bytes for chunk in chunks]


def _names(chunk: Chunk) -> set[str]:
    return {file.source_file for file in chunk.to_read}


def _spans_of(chunk: Chunk, spans: ArticleSpans) -> ArticleSpans:
    if not spans:  # the usual day: unpacking every chunk's entries (~5 ms on the 20 MB bench day) for nothing
        return {}
    return {name: spans[name] for name in _names(chunk) if name in spans}


@stage(name="clean")
def clean_task(plan: Plan, date: dt.date, settings: Settings, spill_dir: Path) -> list[ChunkCleaned]:
    """Split, clean and fingerprint every chunk; the chunks' records wait in spill_dir for finish."""
    spill_dir.mkdir(parents=True, exist_ok=True)
    jobs = [[CleanJob(chunk.index, _spans_of(chunk, plan.spans))] for chunk in plan.chunks]
    clean = partial(clean_chunk, date=date, settings=settings, learned=plan.learned, spill_dir=str(spill_dir))
    return map_chunk_list(clean, jobs, settings.parallel, _costs(plan.chunks))


@stage(name="dedup")
def dedup_task(chunks: list[ChunkCleaned], date: dt.date, state_dir: Path, settings: Settings) -> DedupResult:
    history = load_history(state_dir, before=date, settings=settings.dedup)
    refs = [ref for chunk in chunks for ref in chunk.refs]
    fingerprints = (
        Fingerprinted.concatenate([chunk.fingerprints for chunk in chunks])
        if chunks
        else fingerprint([], date, settings.dedup)  # an empty input folder
    )
    for chunk in chunks:
        chunk.fingerprints = None  # concatenated above, and needed nowhere else: not held twice
    release_freed_memory()  # the chunks' fingerprints: before dedup's own arrays
    result = find_duplicates(refs, date, history, settings.dedup, fingerprints, settings.parallel)
    stale = later_dates_with_copies(state_dir, date, result.survivor_prints, settings.dedup)
    if stale:
        # This date ran after later ones (a backfill): they kept copies of articles this date now keeps.
        get_run_logger().warning(
            "dedup: re-run %s to apply the survivor rule: they hold copies of articles first seen on %s",
            ", ".join(day.isoformat() for day in stale),
            date.isoformat(),
        )
    return result


@stage(name="finish")
def finish_task(
    chunks: list[ChunkCleaned], dedup: DedupResult, settings: Settings, staging: Path
) -> list[ChunkFinished]:
    """Language, segmentation, line accounting and the part files of every chunk."""
    # Each duplicate goes to the chunk holding its article: a file read in pieces spans several chunks.
    chunk_of_article = {ref.article_id: position for position, chunk in enumerate(chunks) for ref in chunk.refs}
    duplicates_by_chunk: list[list[DuplicateRecord]] = [[] for _ in chunks]
    for duplicate in dedup.duplicates:
        duplicates_by_chunk[chunk_of_article[duplicate.article_id]].append(duplicate)
    jobs = [[FinishJob(chunk.spill, chunk.index, duplicates)] for chunk, duplicates in zip(chunks, duplicates_by_chunk)]
    finish = partial(finish_chunk, settings=settings, staging=str(staging))
    return map_chunk_list(finish, jobs, settings.parallel, [len(chunk.refs) for chunk in chunks])


@stage(name="commit")
def commit_task(
    data_dir: Path,
    date: dt.date,
    staging: Path,
    settings: Settings,
    dedup: DedupResult,
    quarantined: list[QuarantineRecord],
    plan: Plan,
    finished: list[ChunkFinished],
) -> None:
    """The whole-day datasets and state indexes, then one commit: a crash leaves all of them from one run."""
    output = settings.output
    whole = {
        "curated/duplicates": records_table("duplicates", dedup.duplicates),
        "curated/quarantine": records_table("quarantine", quarantined),
        f"state/{HISTORY_DATASET}": dedup.index_table(settings.dedup),
    }
    for name in CHUNK_DATASETS:
        # A dataset no chunk had rows for still gets its (empty) partition, with its schema.
        if not (staging / "curated" / name).exists():
            whole[f"curated/{name}"] = DATASETS[name].empty_table()
    # The chunks' part files were read back and hashed on the workers that wrote them (write_part).
    staged = {path: facts for chunk in finished for path, facts in chunk.staged.items()} | plan.staged
    for key, table in whole.items():
        staged |= write_part(staging, key, table, 0, output.compression, output.compression_level)
    keys = dict.fromkeys([*(f"curated/{name}" for name in CHUNK_DATASETS), *whole, *plan.staged_indexes])
    commit_staged(data_dir, date, staging, list(keys), staged)


@flow(name="newsetl-daily", log_prints=True)
def daily_flow(
    input_path: Path, date: dt.date, data_dir: Path, config_path: Path, ordering_key: str | None = None
) -> RunReport:
    """Process one partition. `ordering_key` is set by a backfill to order dedup across its dates."""
    date_order = ordering.lookup(ordering_key)
    try:
        settings = load_config(config_path)
        recover_commits(data_dir)  # finish any commit a killed run left half-done, before reading state
        with partition_lock(data_dir, date):
            report = process_partition(input_path, date, data_dir, settings, date_order)
    finally:
        if date_order is not None:
            date_order.finished(date)
    create_markdown_artifact(
        key=f"newsetl-run-{date.isoformat()}", markdown=report.markdown(), description=report.summary().splitlines()[0]
    )
    return report


def process_partition(
    input_path: Path, date: dt.date, data_dir: Path, settings: Settings, date_order: ordering.DateOrder | None
) -> RunReport:
    report = RunReport.start(run_id=uuid.uuid4().hex, date=date, input_path=input_path, settings=settings)
    timer = StageTimer()
    start_workers_early(settings.parallel, settings.clean)
    state_dir = data_dir / "state"
    try:
        with worker_pool(settings.parallel), staged_partition(data_dir, date) as staging:
            spill_dir = staging / SPILL_FOLDER
            with timer("plan"):
                plan = plan_task(input_path, date, state_dir, settings, staging, quote(date_order))
            with timer("clean"):
                cleaned = clean_task(quote(plan), date, settings, spill_dir)
            with timer("dedup"):
                deduplicated = dedup_task(quote(cleaned), date, state_dir, settings)
            with timer("finish"):
                finished = finish_task(quote(cleaned), quote(deduplicated), settings, staging)
            quarantined = sorted(
                (record for chunk in cleaned for record in chunk.quarantined), key=lambda record: record.source_file
            )
            with timer("commit"):
                commit_task(
                    data_dir, date, staging, settings, quote(deduplicated), quote(quarantined), quote(plan), quote(finished)
                )
    except BaseException as error:
        report.finish(
            "failed", timer.seconds_by_stage, f"{type(error).__name__}: {error}", timer.peak_rss_mb_by_stage
        )
        write_run_row(data_dir, report, settings)
        write_manifest(data_dir, partition_manifest(report, input_path, code_version()))
        raise

    accounting = AccountingReport.total([chunk.accounting for chunk in finished])
    report.n_files = sum(chunk.n_files for chunk in cleaned)
    report.n_raw_lines = accounting.raw_lines
    report.n_blank_lines = accounting.blank_lines
    report.n_articles = sum(chunk.n_articles for chunk in finished)
    report.n_empty_articles = sum(chunk.n_empty_articles for chunk in cleaned)
    report.n_duplicates = len(deduplicated.duplicates)
    report.n_removed_lines = accounting.removed_lines
    report.n_quarantined = len(quarantined)
    report.n_paragraphs = sum(chunk.n_paragraphs for chunk in finished)
    report.n_sentences = sum(chunk.n_sentences for chunk in finished)
    report.removed_by_rule = dict(sorted(sum((chunk.removed_by_rule for chunk in finished), Counter()).items()))
    report.languages = dict(sorted(sum((chunk.languages for chunk in finished), Counter()).items()))
    # Seconds the workers spent in each step, summed over chunks (on all cores together).
    worker_seconds = plan.worker_seconds + _seconds(cleaned) + _seconds(finished)
    worker_steps = {f"workers.{step}": round(value, 3) for step, value in worker_seconds.items()}
    seconds = {**timer.seconds_by_stage, **worker_steps}
    report.finish("completed", seconds, peak_rss_mb_by_stage=timer.peak_rss_mb_by_stage)
    write_run_row(data_dir, report, settings)
    # Written last: a manifest saying "completed" means every dataset of the partition was written.
    write_manifest(data_dir, partition_manifest(report, input_path, code_version()))
    return report
