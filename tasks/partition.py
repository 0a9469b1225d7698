"""A day's input in chunks of files, so that memory does not grow with the size of the day.

Only three steps need the whole batch, and each can work from something small:
- split's repeated-block cut needs every block's lines: outlines hold an 8-byte hash per line, no text;
- learned boilerplate needs every line's (line, story, file) hashes: they wait on disk, and are counted
  a range of line keys at a time (tasks/learned_rows.py);
- dedup needs every article's fingerprints: signatures and hashes in memory, shingle sets on disk.
Everything else happens one chunk of files (about parallel.chunk_megabytes, and at most
parallel.chunk_max_articles articles where a file's count is known before reading it) at a time, on the
workers. A large JSON lines file is cut into pieces of about that size at line boundaries
(tasks/pieces.py), each a chunk of its own, so that one large file keeps every core busy:

1. `outline_chunk`: read the files, cut them at delimiters; the blocks' outlines; the learned-line rows
   (to disk).
2. `clean_chunk`: split the chunk at the planned spans, clean and fingerprint; only fingerprints come back.
3. `finish_chunk`: after dedup, drop the chunk's duplicates; language, segmentation, line accounting and
   the chunk's part file of each dataset (part-0000N.parquet for chunk N, whatever worker ran it).

Between the steps a chunk's records wait in the staging folder (pickled: a chunk's text takes ~15 times
its size as Python objects, and unpickling costs a tenth of reading and decoding the files again). The
rows of every dataset are the same for any chunk size and any number of workers.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import gc
import itertools
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from tasks.accounting import AccountingReport, ReadLines, check_line_accounting
from tasks.boilerplate_learned import batch_line_rows, file_key
from tasks.config import Settings
from tasks.fingerprint import Fingerprinted, fingerprint
from tasks.ingest import IngestResult, collect_results
from tasks.learned_rows import RowFile, save_rows
from tasks.pieces import FilePiece, count_line_feeds, cut_into_pieces, read_piece
from tasks.per_article import clean_chunk as clean_drafts
from tasks.per_article import identify_chunk, segment_chunk
from tasks.readers import FileResult, read_file
from tasks.records import (
    ArticleDraft,
    ArticleMetadata,
    ArticleRef,
    CleanArticle,
    DuplicateRecord,
    QuarantineRecord,
    RemovedLine,
)
from tasks.repeated_blocks import KEY_BYTES, ArticleSpans, BlockOutlines, outline_blocks
from tasks.split import split_documents
from tasks.streams import InputFile
from tasks.tables import partition_tables
from tasks.timing import StageTimer
from tasks.write import StagedFacts, write_part

# The datasets each chunk writes a part of; duplicates, quarantine and the state indexes are written whole.
CHUNK_DATASETS = ("articles", "articles_other_languages", "paragraphs", "sentences", "removed_lines")


Entry = InputFile | FilePiece | QuarantineRecord  # a QuarantineRecord is a file not to read


@dataclass(frozen=True)
class Chunk:
    index: int  # names its part files (write.part_file_name) and spills
    packed: PackedEntries  # its entries in file order
    n_bytes: int = 0  # of its files on disk: what its work costs, roughly
    first_entry: int = 0  # the day's number of its first entry: the day's entries are numbered in order

    def entry_numbers(self) -> dict[str, int]:
        """The day's number of each of its entries, by source_file (a chunk holds a file once)."""
        return {entry.source_file: self.first_entry + position for position, entry in enumerate(self.files)}

    @property
    def files(self) -> list[Entry]:
        return self.packed.unpacked()

    @property
    def to_read(self) -> list[InputFile | FilePiece]:
        return [entry for entry in self.files if not isinstance(entry, QuarantineRecord)]


_NOT_PACKED = 255  # the code of an entry kept as it is


@dataclass(frozen=True)
class PackedEntries:
    """A chunk's entries, its input files as their names in one string: the flow holds every chunk for the
    whole run, and an InputFile with its name took ~130 bytes (22 MB for the 1 GB bench day's 158,425
    files), its name alone ~15. Pieces, quarantine records and files of another root are kept as they are."""

    root: str | None  # of the packed files
    names: str  # their source_file names, NUL-separated (no file name holds NUL)
    codes: bytes  # an entry's code: its (format, compression) in `kinds`, or _NOT_PACKED
    kinds: tuple[tuple[str, str | None], ...]  # a few: four formats, four compressions
    others: tuple[Entry, ...]  # the entries kept as they are, in order

    @classmethod
    def of(cls, entries: list[Entry]) -> PackedEntries:
        root = next((entry.root for entry in entries if isinstance(entry, InputFile)), None)
        kinds: list[tuple[str, str | None]] = []
        names, codes, others = [], bytearray(), []
        for entry in entries:
            kind = (entry.format, entry.compression) if isinstance(entry, InputFile) else None
            if kind is None or entry.root != root or "\0" in entry.source_file:
                codes.append(_NOT_PACKED)
                others.append(entry)
                continue
            if kind not in kinds:
                kinds.append(kind)
            codes.append(kinds.index(kind))
            names.append(entry.source_file)
        return cls(root, "\0".join(names), bytes(codes), tuple(kinds), tuple(others))

    def unpacked(self) -> list[Entry]:
        names = iter(self.names.split("\0"))
        others = iter(self.others)
        return [
            next(others) if code == _NOT_PACKED else InputFile(self.root, next(names), *self.kinds[code])
            for code in self.codes
        ]


def make_chunks(
    outcomes: list[InputFile | QuarantineRecord], chunk_bytes: float, max_articles: int | None = None
) -> list[Chunk]:
    """Consecutive entries of about chunk_bytes of files each, and of at most max_articles articles where
    the count is known before reading (JSON lines: a record a line; Parquet: its rows), in file order. A
    JSON lines file larger than that is cut into pieces of about chunk_bytes and at most max_articles
    lines, each a chunk of its own; any other larger file is a chunk alone (a Parquet file is not cut: a
    corrupt page quarantines the whole file, as a whole read does, and row groups are often a million rows).

    A piece shares its chunk with nothing: line accounting checks a chunk's documents by file name, so two
    pieces of one file must not meet in a chunk."""
    groups: list[list[Entry]] = [[]]
    sizes = [0]
    articles = 0  # known to be at most this many in the last group
    for entry, entry_articles in _with_large_files_cut(outcomes, chunk_bytes, max_articles):
        entry_bytes = _size(entry)
        after_piece = bool(groups[-1]) and isinstance(groups[-1][-1], FilePiece)
        too_many = max_articles is not None and articles + entry_articles > max_articles
        if groups[-1] and (
            isinstance(entry, FilePiece) or after_piece or sizes[-1] + entry_bytes > chunk_bytes or too_many
        ):
            groups.append([])
            sizes.append(0)
            articles = 0
        groups[-1].append(entry)
        sizes[-1] += entry_bytes
        articles += entry_articles
    if not groups[-1]:  # no entries at all (a group is only started for an entry)
        return []
    first_entries = itertools.accumulate((len(files) for files in groups[:-1]), initial=0)
    return [
        Chunk(index, PackedEntries.of(files), size, first)
        for index, (files, size, first) in enumerate(zip(groups, sizes, first_entries))
    ]


def entry_names(chunks: list[Chunk]) -> Callable[[int], str]:
    """The source_file of the day's entry number n (make_chunks numbers them in order, chunk after chunk).
    Asked only for the few files the repeated-block cut cuts: each unpacks its chunk's entries."""
    first_entries = [chunk.first_entry for chunk in chunks]

    def name(number: int) -> str:
        chunk = chunks[bisect.bisect_right(first_entries, number) - 1]
        return chunk.files[number - chunk.first_entry].source_file

    return name


def _with_large_files_cut(
    outcomes: list[InputFile | QuarantineRecord], chunk_bytes: float, max_articles: int | None
) -> Iterator[tuple[Entry, int]]:
    """The outcomes in order, each JSON lines file that can be cut and is larger than a chunk (in bytes or
    records) replaced by its pieces; each with the most articles it can hold where that is known before
    reading it (_records_at_most; 0 when max_articles is None)."""
    for entry in outcomes:
        if not isinstance(entry, InputFile):
            yield entry, 0
            continue
        records = _records_at_most(entry) if max_articles is not None else 0
        too_many = max_articles is not None and records > max_articles
        pieces = cut_into_pieces(entry, chunk_bytes, max_articles) if too_many or _size(entry) > chunk_bytes else None
        if pieces:
            yield from ((piece, piece.n_lines) for piece in pieces)
        else:
            yield entry, records


def _records_at_most(file: InputFile) -> int:
    """The most articles an uncompressed file can hold, where that is known without reading its text: a
    JSON lines file has a record a line, a Parquet file says its number of rows in its footer. 0 for the
    others: a text file's articles are found by reading and splitting it, a CSV row may span lines, and a
    compressed file would have to be decompressed."""
    if file.compression is not None:
        return 0
    try:
        if file.format == "jsonl":
            return count_line_feeds(file) + 1
        if file.format == "parquet":
            return pq.ParquetFile(file.location).metadata.num_rows
    except Exception:  # unreadable or not Parquet: reading it names the problem in its quarantine record
        return 0
    return 0


def _size(entry: InputFile | FilePiece | QuarantineRecord) -> int:
    if isinstance(entry, QuarantineRecord):
        return 0
    if isinstance(entry, FilePiece):
        return entry.n_bytes
    try:
        return os.stat(entry.location).st_size
    except OSError:  # gone or unreadable: reading quarantines it with the reason
        return 0


def read_chunk(chunk: Chunk, settings: Settings) -> IngestResult:
    return collect_results(chunk.files, [_read_entry(entry, settings) for entry in chunk.to_read])


def _read_entry(entry: InputFile | FilePiece, settings: Settings) -> FileResult:
    if isinstance(entry, FilePiece):
        return read_piece(entry, settings.ingest, settings.input.fields)
    return read_file(entry, settings.ingest, settings.input.fields)


# --- 1. outline --------------------------------------------------------------------------------------


@dataclass
class ChunkOutline:
    index: int
    outlines: BlockOutlines | None  # of every plain-text block between delimiters; None once the plan has them
    line_rows: RowFile  # the learned-boilerplate (line, story, file) rows, each block uncut, on disk
    seconds: dict[str, float] = field(default_factory=dict)  # worker seconds by step


def outline_chunk(chunks: Sequence[Chunk], date: dt.date, settings: Settings, spill_dir: str) -> list[ChunkOutline]:
    """Read each chunk, keep what the read gave in spill_dir for clean_chunk, and outline its blocks."""
    results = []
    for chunk in chunks:
        with _cyclic_gc_paused():
            results.append(_outline_one(chunk, date, settings, spill_dir))
    return results


def _outline_one(chunk: Chunk, date: dt.date, settings: Settings, spill_dir: str) -> ChunkOutline:
    timer = StageTimer()
    with timer("ingest"):
        ingested = read_chunk(chunk, settings)
    with timer("spill"):
        _dump(ingested, raw_spill(spill_dir, chunk.index))
    with timer("outline"):
        # Each block between delimiters as one article: the repeated-block cut needs the whole day.
        articles = split_documents(ingested.documents, date, settings.split, cut_repeated=False).articles
        text_files = {document.source_file for document in ingested.documents if document.records is None}
        numbers = chunk.entry_numbers()  # a block names its file by the day's number of it: 4 bytes
        outlines = outline_blocks((numbers[a.source_file], a.lines) for a in articles if a.source_file in text_files)
        # The raw line numbers wait on disk: the plan needs those of the few files the cut cuts.
        np.save(outline_line_nos_spill(spill_dir, chunk.index), np.frombuffer(outlines.line_nos, dtype=np.int32))
        outlines = dataclasses.replace(outlines, line_nos=None)
        rows = save_rows(line_rows_spill(spill_dir, chunk.index), _line_rows(articles, date, settings))
    return ChunkOutline(chunk.index, outlines, rows, timer.seconds_by_stage)


def outline_line_numbers(outlined: Sequence[ChunkOutline], spill_dir: str) -> Callable[[int], int]:
    """The raw line number of line n of the chunks' outlines concatenated in order (as plan_article_spans
    asks for it), read from the file its chunk's wait in. Call it before the outlines are taken."""
    firsts = list(itertools.accumulate((len(chunk.outlines.keys) // KEY_BYTES for chunk in outlined), initial=0))
    indexes = [chunk.index for chunk in outlined]

    def line_no(line: int) -> int:
        position = bisect.bisect_right(firsts, line) - 1  # the last chunk starting at or before it: not empty
        line_nos = np.load(outline_line_nos_spill(spill_dir, indexes[position]), mmap_mode="r")
        return int(line_nos[line - firsts[position]])

    return line_no


def raw_spill(spill_dir: str, index: int) -> Path:
    """Where a chunk's read documents wait between outline and clean: unpickling them costs a tenth of
    reading and decoding the files again."""
    return Path(spill_dir) / f"raw-{index}.pickle"


def outline_line_nos_spill(spill_dir: str, index: int) -> Path:
    """Where the raw line numbers of a chunk's outlines wait for the plan: 4 bytes a line (12 MB on the 1 GB
    bench day) that the plan would hold for the few files the repeated-block cut cuts."""
    return Path(spill_dir) / f"outline-lines-{index}.npy"


def line_rows_spill(spill_dir: str, index: int) -> Path:
    """Where a chunk's learned-line rows wait for the plan to count them (tasks/learned_rows.py)."""
    return Path(spill_dir) / f"lines-{index}.npy"


def _dump(value, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file, _cyclic_gc_paused():
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path, delete: bool = False):
    with path.open("rb") as file, _cyclic_gc_paused():
        value = pickle.load(file)
    if delete:
        path.unlink()
    return value


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The cycle collector off while a chunk is worked on: reading, unpickling, cleaning and segmenting a
    chunk make hundreds of thousands of objects, and every 700 of them set the collector off, walking
    the young objects and now and then every object of the worker (the language model, the rule
    library): ~5% of a worker's time, and half of the spill step's. The chunk steps make next to no
    cyclic garbage (15 objects over the 20 MB bench corpus); what they make is collected once the
    collector is back on, after the chunk, so it can hold no more than one chunk's worth."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_rows(drafts: list[ArticleDraft], date: dt.date, settings: Settings) -> np.ndarray:
    if not settings.clean.learned.enabled:
        return np.zeros((0, 3), dtype=np.int64)
    rows = batch_line_rows(drafts, date, settings.clean.learned)
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def recount_line_rows(
    jobs: Sequence[tuple[int, set[str], ArticleSpans]], date: dt.date, settings: Settings, spill_dir: str
) -> list[RowFile]:
    """The learned-line rows of chunk `index`, with its files that the plan cuts (`files`) counted again
    over the cut articles (rare), saved in place of the outline's."""
    results = []
    for index, files, spans in jobs:
        ingested: IngestResult = _load(raw_spill(spill_dir, index))
        documents = [document for document in ingested.documents if document.source_file in files]
        recounted = _line_rows(split_documents(documents, date, settings.split, spans).articles, date, settings)
        path = line_rows_spill(spill_dir, index)
        rows = np.load(path, allow_pickle=False)
        stale = np.isin(rows[:, 2], np.array([file_key(date, name) for name in sorted(files)], dtype=np.int64))
        results.append(save_rows(path, np.concatenate([rows[~stale], recounted])))
    return results


# --- 2. clean ----------------------------------------------------------------------------------------


@dataclass
class ChunkCleaned:
    index: int
    spill: str  # the chunk's records, for finish_chunk
    refs: list[ArticleRef]  # the articles left with text, in source order
    fingerprints: Fingerprinted | None  # of those articles, shingle sets on disk; None once dedup took them
    quarantined: list[QuarantineRecord]
    n_files: int
    n_articles: int  # all articles split from the chunk, emptied ones included
    n_empty_articles: int
    seconds: dict[str, float] = field(default_factory=dict)  # worker seconds by step


@dataclass
class CleanedRecords:
    """What finish_chunk needs of a cleaned chunk; it waits on disk while dedup runs."""

    read_lines: ReadLines  # the chunk's documents without their text, for line accounting
    quarantined: list[QuarantineRecord]
    separators: list[RemovedLine]  # lines split removed between articles
    metadata: dict[str, ArticleMetadata]
    cleaned: list[CleanArticle]  # every article of the chunk, emptied ones included


@dataclass(frozen=True)
class CleanJob:
    index: int  # of the chunk, whose documents outline_chunk spilled
    spans: ArticleSpans  # of the chunk's files that the repeated-block cut cuts (others: blocks as they are)


def clean_chunk(
    jobs: Sequence[CleanJob], date: dt.date, settings: Settings, learned: frozenset[int], spill_dir: str
) -> list[ChunkCleaned]:
    results = []
    for job in jobs:
        with _cyclic_gc_paused():
            results.append(_clean_one(job, date, settings, learned, spill_dir))
    return results


def _clean_one(
    job: CleanJob, date: dt.date, settings: Settings, learned: frozenset[int], spill_dir: str
) -> ChunkCleaned:
    timer = StageTimer()
    with timer("spill"):
        ingested: IngestResult = _load(raw_spill(spill_dir, job.index), delete=True)
    with timer("split"):
        split = split_documents(ingested.documents, date, settings.split, job.spans)
    with timer("clean"):
        cleaned = clean_drafts(split.articles, settings, learned)
        with_text = [article for article in cleaned if article.paragraphs]
        # The chunk's article bound holds here even for files whose articles could not be counted before
        # reading (text, CSV, compressed): the signatures' arrays take ~14 KB an article at once.
        prints = fingerprint(with_text, date, settings.dedup, settings.parallel.chunk_max_articles)
    with timer("spill"):
        folder = Path(spill_dir)
        prints = prints.spill(folder / f"shingles-{job.index}.u64")
        spill = folder / f"chunk-{job.index}.pickle"
        read_lines = ReadLines.of(ingested.documents)
        records = CleanedRecords(read_lines, ingested.quarantined, split.removed, split.metadata, cleaned)
        _dump(records, spill)
    return ChunkCleaned(
        index=job.index,
        spill=str(spill),
        refs=[ArticleRef.of(article) for article in with_text],
        fingerprints=prints,
        quarantined=ingested.quarantined,
        n_files=ingested.n_files,
        n_articles=len(cleaned),
        n_empty_articles=len(cleaned) - len(with_text),
        seconds=timer.seconds_by_stage,
    )


# --- 3. finish ---------------------------------------------------------------------------------------


@dataclass
class ChunkFinished:
    index: int
    accounting: AccountingReport
    n_articles: int
    n_paragraphs: int
    n_sentences: int
    removed_by_rule: Counter
    languages: Counter
    staged: StagedFacts = field(default_factory=dict)  # of its part files, for the commit record
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FinishJob:
    spill: str
    index: int
    duplicates: list[DuplicateRecord]  # the chunk's articles that dedup dropped


def finish_chunk(jobs: Sequence[FinishJob], settings: Settings, staging: str) -> list[ChunkFinished]:
    results = []
    for job in jobs:
        with _cyclic_gc_paused():
            results.append(_finish_one(job, settings, staging))
    return results


def _finish_one(job: FinishJob, settings: Settings, staging: str) -> ChunkFinished:
    timer = StageTimer()
    with timer("spill"):
        records: CleanedRecords = _load(Path(job.spill), delete=True)
    dropped = {duplicate.article_id for duplicate in job.duplicates}
    survivors = [a for a in records.cleaned if a.paragraphs and a.article_id not in dropped]
    with timer("langid"):
        survivors = identify_chunk(survivors, settings.langid)
    with timer("segment"):
        segments = segment_chunk(survivors)
    # A duplicate's whole span is accounted for by its duplicates row, so only the lines removed from
    # surviving (or emptied) articles are listed, plus the separators between articles.
    removed = records.separators + [
        line for article in records.cleaned if article.article_id not in dropped for line in article.removed
    ]
    with timer("account"):
        accounting = check_line_accounting(records.read_lines, records.quarantined, survivors, removed, job.duplicates)
    with timer("write"):
        route = settings.langid.other_languages == "route"
        tables = partition_tables(survivors, segments, removed, [], [], records.metadata, route)
        staged: StagedFacts = {}
        for name in CHUNK_DATASETS:
            if tables[name].num_rows:
                output = settings.output
                key, level = f"curated/{name}", output.compression_level
                staged |= write_part(Path(staging), key, tables[name], job.index, output.compression, level)
    return ChunkFinished(
        index=job.index,
        accounting=accounting,
        n_articles=len(survivors),
        n_paragraphs=sum(len(segment.paragraphs) for segment in segments),
        n_sentences=sum(len(segment.sentences) for segment in segments),
        removed_by_rule=Counter(line.rule for line in removed),
        languages=Counter(article.language for article in survivors),
        staged=staged,
        seconds=timer.seconds_by_stage,
    )
