"""The daily flow: one partition (one logical date) from raw files to Parquet datasets.

It reads like the data flow of DESIGN.md:
ingest -> split -> clean -> dedup -> langid -> segment -> account -> write.
Each task is a thin wrapper over a plain stage function in tasks/; this module only wires them, times them
and writes the run report. Language identification runs after dedup, on unique articles only: it is the
slowest stage and a duplicate's language is its survivor's.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from flows import ordering
from flows.locks import partition_lock
from flows.manifest import write_manifest
from flows.report import RunReport, code_version, partition_manifest, write_run_row
from tasks.accounting import AccountingReport, check_line_accounting
from tasks.boilerplate_learned import (
    INDEX_DATASET,
    batch_line_rows,
    learned_line_keys,
    line_index_table,
    load_index_history,
)
from tasks.config import Settings, load_config
from tasks.dedup import HISTORY_DATASET, DedupResult, find_duplicates, later_dates_with_copies, load_history
from tasks.fingerprint import Fingerprinted
from tasks.ingest import IngestResult, ingest
from tasks.parallel import map_chunks, start_workers_early
from tasks.per_article import clean_and_fingerprint_chunk, identify_chunk, segment_chunk
from tasks.records import ArticleMetadata, CleanArticle, DuplicateRecord, QuarantineRecord, RawDocument, RemovedLine
from tasks.segment import Segments
from tasks.split import SplitResult, split_documents
from tasks.tables import partition_tables
from tasks.write import commit_partition, recover_commits

# Results stay in memory between tasks of one flow run: caching them would hash every input.
stage = task(cache_policy=NONE, persist_result=False)


@stage(name="ingest")
def ingest_task(input_root: Path, settings: Settings) -> IngestResult:
    return ingest(input_root, settings.input.extensions, settings.ingest, settings.input.fields, settings.parallel)


@stage(name="split")
def split_task(documents: list[RawDocument], date: dt.date, settings: Settings) -> SplitResult:
    return split_documents(documents, date, settings.split)


@dataclass
class Cleaned:
    articles: list[CleanArticle]  # in source order, emptied ones included
    fingerprints: Fingerprinted  # dedup's fingerprints of the articles left with text, in the same order
    boilerplate_index: pa.Table | None  # this batch's line index for learned boilerplate

    @property
    def with_text(self) -> list[CleanArticle]:
        return [article for article in self.articles if article.paragraphs]


@stage(name="clean")
def clean_task(split: SplitResult, date: dt.date, state_dir: Path, settings: Settings) -> Cleaned:
    """Clean articles, and this batch's line index for learned boilerplate (committed with the datasets).

    The workers also compute dedup's fingerprints while they hold the clean text (counted in this stage).
    """
    learned_settings = settings.clean.learned
    learned: frozenset[int] = frozenset()
    batch = None
    if learned_settings.enabled:
        # Lines recurring across this batch and earlier partitions.
        rows = map_chunks(partial(batch_line_rows, date=date, settings=learned_settings), split.articles, settings.parallel)
        batch = line_index_table(rows)
        learned = learned_line_keys(batch, load_index_history(state_dir, date, learned_settings), learned_settings)
    clean = partial(clean_and_fingerprint_chunk, settings=settings, learned=learned, date=date)
    chunks = map_chunks(clean, split.articles, settings.parallel)
    if not chunks:
        chunks = clean([])
    articles = [article for chunk_articles, _ in chunks for article in chunk_articles]
    return Cleaned(articles, Fingerprinted.concatenate([prints for _, prints in chunks]), batch)


@stage(name="dedup")
def dedup_task(
    articles: list[CleanArticle], fingerprints: Fingerprinted, date: dt.date, state_dir: Path, settings: Settings
) -> DedupResult:
    history = load_history(state_dir, before=date, settings=settings.dedup)
    result = find_duplicates(articles, date, history, settings.dedup, fingerprints)
    stale = later_dates_with_copies(state_dir, date, result.survivors, settings.dedup)
    if stale:
        # This date ran after later ones (a backfill): they kept copies of articles this date now keeps.
        get_run_logger().warning(
            "dedup: re-run %s to apply the survivor rule: they hold copies of articles first seen on %s",
            ", ".join(day.isoformat() for day in stale),
            date.isoformat(),
        )
    return result


@stage(name="langid")
def langid_task(articles: list[CleanArticle], settings: Settings) -> list[CleanArticle]:
    return map_chunks(partial(identify_chunk, settings=settings.langid), articles, settings.parallel)


@stage(name="segment")
def segment_task(articles: list[CleanArticle]) -> list[Segments]:
    # Cheap (the splitter runs at ~20 MB/s): on workers, sending the rows back costs more than it saves
    # (20 MB, 2 workers: 1.1 s in process, 1.9 s on workers).
    return segment_chunk(articles)


@stage(name="account")
def account_task(
    documents: list[RawDocument],
    quarantined: list[QuarantineRecord],
    articles: list[CleanArticle],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
) -> AccountingReport:
    return check_line_accounting(documents, quarantined, articles, removed, duplicates)


@stage(name="write")
def write_task(
    data_dir: Path,
    date: dt.date,
    articles: list[CleanArticle],
    segments: list[Segments],
    removed: list[RemovedLine],
    duplicates: list[DuplicateRecord],
    quarantined: list[QuarantineRecord],
    settings: Settings,
    dedup_index: pa.Table,
    metadata: dict[str, ArticleMetadata] | None = None,
    boilerplate_index: pa.Table | None = None,
) -> None:
    output = settings.output
    route = settings.langid.other_languages == "route"
    tables = partition_tables(articles, segments, removed, duplicates, quarantined, metadata, route)
    # One commit for the datasets and the state indexes: a crash leaves all of them from one run.
    datasets = {f"curated/{name}": table for name, table in tables.items()}
    datasets[f"state/{HISTORY_DATASET}"] = dedup_index
    if boilerplate_index is not None:
        datasets[f"state/{INDEX_DATASET}"] = boilerplate_index
    commit_partition(data_dir, date, datasets, output.compression, output.compression_level)


@dataclass
class StageTimer:
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage_name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds_by_stage[stage_name] = round(time.perf_counter() - started, 3)


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
    start_workers_early(settings.parallel)
    try:
        with timer("ingest"):
            ingested = ingest_task(input_path, settings)
        with timer("split"):
            split = split_task(quote(ingested.documents), date, settings)
        if date_order is not None:
            # Clean (learned boilerplate) and dedup both read the state earlier dates leave behind.
            date_order.wait_for_earlier(date)
        with timer("clean"):
            cleaned = clean_task(quote(split), date, data_dir / "state", settings)
        non_empty = cleaned.with_text
        with timer("dedup"):
            deduplicated = dedup_task(quote(non_empty), quote(cleaned.fingerprints), date, data_dir / "state", settings)
        survivors, duplicates = deduplicated.survivors, deduplicated.duplicates
        with timer("langid"):
            survivors = langid_task(quote(survivors), settings)
        with timer("segment"):
            segments = segment_task(quote(survivors))

        # A duplicate's whole span is accounted for by its duplicates row, so only the lines removed
        # from surviving (or emptied) articles are listed, plus the separators between articles.
        duplicate_ids = {duplicate.article_id for duplicate in duplicates}
        removed = split.removed + [
            line for article in cleaned.articles if article.article_id not in duplicate_ids for line in article.removed
        ]
        with timer("account"):
            accounting = account_task(
                quote(ingested.documents), quote(ingested.quarantined), quote(survivors), quote(removed), quote(duplicates)
            )
        with timer("write"):
            outputs = [quote(survivors), quote(segments), quote(removed), quote(duplicates), quote(ingested.quarantined)]
            dedup_index = deduplicated.index_table(settings.dedup)
            write_task(
                data_dir, date, *outputs, settings, dedup_index, quote(split.metadata), quote(cleaned.boilerplate_index)
            )
    except BaseException as error:
        report.finish("failed", timer.seconds_by_stage, error=f"{type(error).__name__}: {error}")
        write_run_row(data_dir, report, settings)
        write_manifest(data_dir, partition_manifest(report, input_path, code_version()))
        raise

    report.n_files = ingested.n_files
    report.n_raw_lines = accounting.raw_lines
    report.n_blank_lines = accounting.blank_lines
    report.n_articles = len(survivors)
    report.n_empty_articles = len(cleaned.articles) - len(non_empty)
    report.n_duplicates = len(duplicates)
    report.n_removed_lines = len(removed)
    report.n_quarantined = len(ingested.quarantined)
    report.n_paragraphs = sum(len(segment.paragraphs) for segment in segments)
    report.n_sentences = sum(len(segment.sentences) for segment in segments)
    report.removed_by_rule = dict(sorted(Counter(line.rule for line in removed).items()))
    report.languages = dict(sorted(Counter(article.language for article in survivors).items()))
    report.finish("completed", timer.seconds_by_stage)
    write_run_row(data_dir, report, settings)
    # Written last: a manifest saying "completed" means every dataset of the partition was written.
    write_manifest(data_dir, partition_manifest(report, input_path, code_version()))
    return report
