"""Learned-line rows counted from the chunks' files a bucket of line keys at a time (tasks/learned_rows.py)
give what counting the whole batch at once gives."""

import numpy as np
import pyarrow as pa
import pytest

from tasks.boilerplate_learned import INDEX_SCHEMA, learned_line_keys, line_index_table, rows_to_keep
from tasks.config import LearnedSettings
from tasks.learned_rows import _bucket_bounds, learn_from_row_files, save_rows
from tasks.sorted_arrays import is_in_sorted

SETTINGS = LearnedSettings(min_stories=3, min_files=2)
INT64 = np.iinfo(np.int64)


def random_rows(rng: np.random.Generator, n: int, n_lines: int) -> np.ndarray:
    """Rows on line keys spread over the int64 range; a tenth of the lines carry half the rows."""
    line_keys = rng.integers(INT64.min, INT64.max, n_lines, dtype=np.int64, endpoint=True)
    common = rng.random(n) < 0.5
    picks = np.where(common, rng.integers(0, n_lines // 10, n), rng.integers(0, n_lines, n))
    return np.stack([line_keys[picks], rng.integers(0, 40, n), rng.integers(0, 12, n)], axis=1)


def in_buckets(row_files, history: pa.Table, rows_per_bucket: int):
    staged: dict[int, pa.Table] = {}
    seen_lines = []

    def load_history(lines):
        seen_lines.append(lines)
        return history.filter(pa.array(is_in_sorted(history["line_key"].to_numpy(), lines)))

    learned = learn_from_row_files(row_files, load_history, SETTINGS, staged.__setitem__, rows_per_bucket)
    return learned, staged, seen_lines[0]


@pytest.mark.parametrize("rows_per_bucket", [7, 100, 10_000])
def test_counting_by_buckets_learns_and_keeps_what_the_whole_batch_gives(tmp_path, rows_per_bucket):
    rng = np.random.default_rng(11)
    chunks = [random_rows(rng, 600, 200) for _ in range(4)]
    chunks[1] = np.concatenate([chunks[1], chunks[0][:50]])  # rows two chunks both have count once
    row_files = [save_rows(tmp_path / f"lines-{index}.npy", rows) for index, rows in enumerate(chunks)]
    history = line_index_table(random_rows(rng, 800, 200))
    whole = line_index_table(np.concatenate(chunks))

    learned, staged, batch_lines = in_buckets(row_files, history, rows_per_bucket)

    assert learned == learned_line_keys(whole, history, SETTINGS) and len(learned) > 5
    assert batch_lines.tolist() == np.unique(whole["line_key"].to_numpy()).tolist()
    parts = [staged[part] for part in sorted(staged)]
    assert pa.concat_tables(parts).equals(rows_to_keep(whole))
    # A part per bucket with rows: the smaller the buckets, the more parts.
    assert (len(parts) == 1) == (rows_per_bucket == 10_000)


def test_a_chunk_file_holds_its_rows_sorted_and_each_once(tmp_path):
    rows = np.array([[5, 1, 1], [2, 9, 9], [5, 1, 1], [INT64.min, 0, 0]], dtype=np.int64)
    row_file = save_rows(tmp_path / "lines-0.npy", rows)
    assert row_file.n_rows == 3
    assert np.load(row_file.path).tolist() == [[INT64.min, 0, 0], [2, 9, 9], [5, 1, 1]]


def test_buckets_cover_every_line_key_once():
    bounds = _bucket_bounds(1_000, 300)
    assert len(bounds) == 4 and bounds[0][0] == INT64.min and bounds[-1][1] == INT64.max
    assert all(high + 1 == next_low for (_, high), (next_low, _) in zip(bounds, bounds[1:]))


def test_an_empty_batch_stages_one_empty_part(tmp_path):
    row_files = [save_rows(tmp_path / "lines-0.npy", np.zeros((0, 3), dtype=np.int64))]
    learned, staged, _ = in_buckets(row_files, INDEX_SCHEMA.empty_table(), 10)
    assert learned == frozenset()
    assert list(staged) == [0] and staged[0].num_rows == 0 and staged[0].schema.equals(INDEX_SCHEMA)
