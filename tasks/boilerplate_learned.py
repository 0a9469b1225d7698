"""Learned boilerplate: lines that recur across many different stories are page furniture.

A site's footer, newsletter prompt or "Most read" heading is on every page it serves; a sentence of a story
is not. A line (normalised: case folded, numbers made 0, punctuation dropped) is learned as boilerplate when
it occurs in at least `min_stories` different stories from at least `min_files` different files, counting
this batch and the last `history_partitions` earlier partitions.

"Different stories" matters: the same article saved twice, or again the next day, is not evidence (dedup
deals with it). A story is known by its three longest lines, which chrome rarely is, so copies of one
article count once however often they recur. Only lines of at most `max_chars` characters are counted:
boilerplate is short, and the index stays small.

The index of earlier partitions lives under <data_dir>/state/boilerplate_index/date=YYYY-MM-DD/ as Parquet
holding only 64-bit hashes (line, story, file), never text. A partition only reads earlier dates, so a
re-run sees the same history as the first run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from tasks.character_map import CharacterMap
from tasks.config import LEARNED_HISTORY_CAP, LearnedSettings
from tasks.records import ArticleDraft
from tasks.sorted_arrays import is_in_sorted

RULE = "learned.recurring_line"
INDEX_DATASET = "boilerplate_index"
STORY_KEY_LINES = 3

INDEX_SCHEMA = pa.schema(
    [
        pa.field("line_key", pa.int64(), nullable=False),
        pa.field("story_key", pa.int64(), nullable=False),
        pa.field("file_key", pa.int64(), nullable=False),
    ]
)

_DIGITS = re.compile(r"\d+")
_WORD_RUN = re.compile(r"[^\W_]+")  # letters and digits; "_" counts as punctuation
_SPACE_RUN = re.compile("  +")
_ZERO_RUN = re.compile("00+")


def _zero_word_or_space(character: str) -> str:
    r"""What normalise_line makes of a character of case-folded text: a decimal digit of any script
    ("3", "٣": what \d matches) "0", any other letter or digit ([^\W_]) itself, anything else a space."""
    if character.isdecimal():
        return "0"
    return character if character.isalnum() else " "


_ZERO_WORD_OR_SPACE = CharacterMap(_zero_word_or_space)


# Cached: clean normalises each line for the learned keys and again to find lines repeated in an article.
@lru_cache(maxsize=16384)
def normalise_line(text: str) -> str:
    """Case folded, every number made 0, punctuation dropped: "Updated 12:45, 3 May 2024" and "Updated
    09:10, 14 May 2024" normalise alike.

    The keys of these strings are stored in the state's index and compared across days, so every way of
    computing them must give the same string for every text (tests/test_boilerplate_learned.py)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return _normalise_nfkc_stable(text)
    return _normalise_by_regex(text)


def _normalise_by_regex(text: str) -> str:
    """The definition."""
    text = _DIGITS.sub("0", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_WORD_RUN.findall(text))


def _normalise_nfkc_stable(text: str) -> str:
    """_normalise_by_regex of a text that NFKC leaves as it is (nearly every line; all ASCII text),
    without a regex that tests a Unicode category at every character (2.5 times as fast on lines of
    news with a few curly quotes or a pound sign). Case folding maps each character on its own, with no
    context, so after it each character is made "0", itself or a space on its own (a CharacterMap): a
    run of 0s is then a number (no other character becomes 0) and a run of spaces the punctuation
    between two words."""
    spaced = _SPACE_RUN.sub(" ", _ZERO_WORD_OR_SPACE.apply(text.casefold())).strip()
    return _ZERO_RUN.sub("0", spaced) if "00" in spaced else spaced


def _has_letters(normalised: str) -> bool:
    return any(char.isalpha() for char in normalised)


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


# Cached: clean asks for the key of every line a rule did not remove, and lines recur (the same furniture
# on every page of an outlet).
@lru_cache(maxsize=16384)
def line_key(text: str) -> int:
    return _key(normalise_line(text))


def story_key(normalised_lines: list[str]) -> int:
    longest = sorted(set(normalised_lines), key=lambda line: (-len(line), line))[:STORY_KEY_LINES]
    return _key("\n".join(sorted(longest)))


def file_key(date: dt.date, source_file: str) -> int:
    return _key(f"{date.isoformat()}|{source_file}")


def batch_line_rows(drafts: Sequence[ArticleDraft], date: dt.date, settings: LearnedSettings) -> list[tuple[int, int, int]]:
    """(line, story, file) keys of the drafts' lines short enough to count, each once."""
    rows: set[tuple[int, int, int]] = set()
    for draft in drafts:
        texts = [line.text.strip() for line in draft.lines if not line.is_blank]
        normalised = [normalise_line(text) for text in texts]
        story = story_key(normalised)
        file = file_key(date, draft.source_file)
        for text, norm in zip(texts, normalised):
            # A line of numbers alone ("78,000") has no words to recur: all such lines normalise alike.
            if _has_letters(norm) and len(text) <= settings.max_chars:
                rows.add((_key(norm), story, file))
    return list(rows)


def line_index_table(rows: list[tuple[int, int, int]] | np.ndarray) -> pa.Table:
    """The batch's index: rows from any number of batch_line_rows calls (tuples, or an int64 array of
    shape (n, 3)), each once, sorted."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    # Column by column (a large day has millions of rows): sorted copies of the three columns, each
    # contiguous so that Arrow takes it without another copy.
    order = np.lexsort(rows.T[::-1])
    columns = [rows[order, column] for column in range(3)]
    del order
    repeated = np.zeros(len(rows), dtype=bool)  # equal to the row before in every column
    repeated[1:] = True
    for column in columns:
        repeated[1:] &= column[1:] == column[:-1]
    if repeated.any():
        columns = [column[~repeated] for column in columns]
    return pa.table(dict(zip(INDEX_SCHEMA.names, columns)), schema=INDEX_SCHEMA)


def batch_line_index(drafts: Sequence[ArticleDraft], date: dt.date, settings: LearnedSettings) -> pa.Table:
    """One row per (line, story, file) of this batch, for the lines short enough to count."""
    return line_index_table(batch_line_rows(drafts, date, settings))


def index_dir(state_dir: Path) -> Path:
    return state_dir / INDEX_DATASET


def load_index_history(
    state_dir: Path, before: dt.date, settings: LearnedSettings, lines: np.ndarray | None = None
) -> pa.Table:
    """The index rows of the last `history_partitions` partitions dated before `before`; with `lines`
    (sorted distinct line keys), only the rows of those lines.

    Read a record batch at a time and filtered as it comes: thirty days of a large day's index are
    tens of millions of rows, of which only the lines of this batch count."""
    root = index_dir(state_dir)
    if settings.history_partitions == 0 or not root.exists():
        return INDEX_SCHEMA.empty_table()
    dates = sorted(
        dt.date.fromisoformat(path.name.removeprefix("date="))
        for path in root.glob("date=*")
        if path.is_dir() and dt.date.fromisoformat(path.name.removeprefix("date=")) < before
    )[-settings.history_partitions :]
    if not dates:
        return INDEX_SCHEMA.empty_table()
    paths = [str(path) for date in dates for path in sorted((root / f"date={date.isoformat()}").glob("*.parquet"))]
    dataset = ds.dataset(paths, format="parquet", schema=INDEX_SCHEMA)
    if lines is None:
        return dataset.to_table()
    kept = [
        batch.filter(pa.array(is_in_sorted(batch.column("line_key").to_numpy(), lines)))
        for batch in dataset.to_batches()
    ]
    return pa.Table.from_batches(kept, schema=INDEX_SCHEMA)


def rows_to_keep(batch: pa.Table, cap: int = LEARNED_HISTORY_CAP) -> pa.Table:
    """The rows of a batch's index kept as history: for each line, the rows of its first `cap` distinct
    stories and of its first `cap` distinct files.

    A line on every page of a large day (a footer) has a row per article; kept whole for 30 partitions,
    those rows were most of the history. Capped, a union of partitions still has at least min(true
    count, cap) distinct stories (and files) of a line, so `count >= min_stories` comes out the same
    for any threshold up to cap (LearnedSettings enforces that)."""
    lines, stories, files = (batch[name].to_numpy() for name in INDEX_SCHEMA.names)
    keep = _first_distinct_per_line(lines, stories, cap) | _first_distinct_per_line(lines, files, cap)
    return batch if keep.all() else batch.filter(pa.array(keep))


def _first_distinct_per_line(lines: np.ndarray, values: np.ndarray, cap: int) -> np.ndarray:
    """A bool per row: it is the first row of one of the `cap` smallest distinct values of its line."""
    order, _, new_line, new_pair = _sorted_by_line_and_value(lines, values)
    distinct_so_far = np.cumsum(new_pair)
    line_start = np.maximum.accumulate(np.where(new_line, np.arange(len(order)), 0))
    rank = distinct_so_far - distinct_so_far[line_start]  # 0 for the line's first value
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = new_pair & (rank < cap)
    return keep


def _sorted_by_line_and_value(
    lines: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows sorted by (line, value): the order, the sorted lines, and a bool per sorted row for where
    a line starts and where a (line, value) pair starts."""
    order = np.lexsort((values, lines))
    lines, values = lines[order], values[order]
    new_line = np.ones(len(lines), dtype=bool)
    new_line[1:] = lines[1:] != lines[:-1]
    new_pair = new_line.copy()
    new_pair[1:] |= values[1:] != values[:-1]
    return order, lines, new_line, new_pair


def batch_line_keys(batch: pa.Table) -> np.ndarray:
    """The distinct line keys of a batch's index (line_index_table: sorted by line_key)."""
    lines = batch["line_key"].to_numpy()
    return lines[np.concatenate(([True], lines[1:] != lines[:-1]))] if len(lines) else lines


def learned_line_keys(batch: pa.Table, history: pa.Table, settings: LearnedSettings) -> frozenset[int]:
    """Keys of the lines seen in enough different stories from enough different files."""
    if not settings.enabled or batch.num_rows == 0:
        return frozenset()
    # Only lines of this batch can be removed here, so history counts only for those.
    in_batch = is_in_sorted(history["line_key"].to_numpy(), batch_line_keys(batch))
    columns = {name: batch[name].to_numpy() for name in ("line_key", "story_key", "file_key")}
    if in_batch.any():  # (else the batch's own columns, not a copy: tens of MB on a large day)
        columns = {name: np.concatenate([column, history[name].to_numpy()[in_batch]]) for name, column in columns.items()}
    lines, stories = _distinct_per_line(columns["line_key"], columns["story_key"])
    _, files = _distinct_per_line(columns["line_key"], columns["file_key"])
    enough = (stories >= settings.min_stories) & (files >= settings.min_files)
    return frozenset(lines[enough].tolist())


def _distinct_per_line(lines: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each line key once (sorted), with the number of distinct values it comes with. By sorting: Arrow's
    hash group-by with count_distinct took ~200 bytes per row of a large day."""
    _, lines, new_line, new_pair = _sorted_by_line_and_value(lines, values)
    starts = np.nonzero(new_line)[0]
    if not len(starts):
        return lines, starts
    return lines[starts], np.add.reduceat(new_pair.astype(np.int64), starts)
