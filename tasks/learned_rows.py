"""The batch's learned-line rows on disk, counted one range of line keys at a time.

Each chunk's (line, story, file) rows (boilerplate_learned.batch_line_rows) go to a file in the staging
folder, sorted and each once, instead of back to the flow process: a 1 GB day has ~1.5M rows (37 MB),
and the day's table, its sort and its counts held several times that at once. The flow process then takes
the rows a range of line keys (a bucket) at a time: from each chunk's file the one slice of the range
(the files are sorted), through a memory map; counted with the history rows of the range; and the rows
kept as history staged as one part file per bucket.

A line's rows all fall in one bucket, so the learned keys and the kept rows are the same as counting the
whole batch at once, and the buckets come in line-key order, so their part files, read in order, are the
batch's index sorted as line_index_table sorts it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from tasks.boilerplate_learned import INDEX_SCHEMA, learned_line_keys, line_index_table, rows_to_keep
from tasks.config import LearnedSettings

# About 6 MB of rows a bucket; counting one takes a few times that. A 100 MB day is one bucket.
ROWS_PER_BUCKET = 250_000

_KEY_RANGE = 1 << 64  # line keys are signed 64-bit hashes, spread evenly over the range


@dataclass(frozen=True)
class RowFile:
    """One chunk's rows: int64, shape (n_rows, 3), sorted by (line, story, file), each row once."""

    path: str
    n_rows: int


def save_rows(path: str | Path, rows: np.ndarray) -> RowFile:
    table = line_index_table(rows)
    sorted_rows = np.stack([table[name].to_numpy() for name in INDEX_SCHEMA.names], axis=1)
    np.save(path, sorted_rows, allow_pickle=False)
    return RowFile(str(path), len(sorted_rows))


def learn_from_row_files(
    row_files: Sequence[RowFile],
    load_history: Callable[[np.ndarray], pa.Table],
    settings: LearnedSettings,
    stage_part: Callable[[int, pa.Table], None],
    rows_per_bucket: int = ROWS_PER_BUCKET,
) -> frozenset[int]:
    """The learned line keys of the batch whose rows are in `row_files`; stages the rows kept as history,
    a part a bucket (stage_part(part number, table)), at least one part (empty when there are no rows).

    `load_history(lines)`: the history index rows of the given sorted distinct line keys."""
    files = [row_file for row_file in row_files if row_file.n_rows]
    buckets = _bucket_bounds(sum(row_file.n_rows for row_file in files), rows_per_bucket)
    # History concerns only this batch's lines: their keys first, a bucket at a time (a few MB at 1 GB).
    batch_lines = [np.unique(_rows_between(files, low, high)[:, 0]) for low, high in buckets]
    history = load_history(np.concatenate(batch_lines))
    del batch_lines
    history_lines = history["line_key"].to_numpy()
    learned: set[int] = set()
    staged = 0
    for part, (low, high) in enumerate(buckets):
        batch = line_index_table(_rows_between(files, low, high))
        if batch.num_rows == 0:
            continue
        in_bucket = (history_lines >= low) & (history_lines <= high)
        learned |= learned_line_keys(batch, history.filter(pa.array(in_bucket)), settings)
        stage_part(part, rows_to_keep(batch))
        staged += 1
    if not staged:
        stage_part(0, INDEX_SCHEMA.empty_table())
    return frozenset(learned)


def _bucket_bounds(n_rows: int, rows_per_bucket: int) -> list[tuple[int, int]]:
    """(lowest, highest) line key of each bucket, both included, covering every int64."""
    n_buckets = max(1, math.ceil(n_rows / rows_per_bucket))
    width = _KEY_RANGE // n_buckets
    lows = [-(1 << 63) + bucket * width for bucket in range(n_buckets)]
    highs = [low - 1 for low in lows[1:]] + [(1 << 63) - 1]
    return list(zip(lows, highs))


def _rows_between(files: Sequence[RowFile], low: int, high: int) -> np.ndarray:
    """Every file's rows whose line key is in [low, high], copied out of the memory maps."""
    parts = []
    for row_file in files:
        rows = np.load(row_file.path, mmap_mode="r", allow_pickle=False)
        lines = rows[:, 0]
        start, end = np.searchsorted(lines, low, "left"), np.searchsorted(lines, high, "right")
        if end > start:
            parts.append(np.array(rows[start:end]))
        del rows, lines  # unmapped: only the copies stay
    return np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int64)

