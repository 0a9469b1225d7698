"""Dedup: drop exact copies, within the batch and against every earlier partition.

Survivor rule (deterministic): the copy from the earliest partition date survives; within one date, the
copy from the first source file (by path), then the first line, survives. A partition only ever looks at
history entries of *earlier* dates, so re-running a date never makes its articles duplicates of
themselves and gives the same answer as its first run. A date processed after later dates (a backfill)
keeps its copy; a later date's copy becomes a duplicate of it when that later date is re-run.

The history index lives under <data_dir>/state/dedup_index/date=YYYY-MM-DD/ as Parquet holding only
hashes, ids and dates, never text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from tasks.config import DedupSettings
from tasks.records import CleanArticle, DuplicateRecord

_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")

HISTORY_SCHEMA = pa.schema(
    [
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
    ]
)


def normalise_for_hash(text: str) -> str:
    """Text as compared for exact duplicates: Unicode compatibility form, case-folded, without
    punctuation or symbols, with white space collapsed. Curly vs straight quotes, a changed line break
    or a trailing full stop do not make a different article."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NOT_WORD_OR_SPACE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()[:32]


HISTORY_DATASET = "dedup_index"


def history_dir(state_dir: Path) -> Path:
    return state_dir / HISTORY_DATASET


def load_history(state_dir: Path, before: dt.date) -> dict[str, tuple[str, dt.date]]:
    """content_hash -> (article_id, date) of the earliest kept article, over partitions before `before`."""
    root = history_dir(state_dir)
    if not root.exists():
        return {}
    partitioning = ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")
    dataset = ds.dataset(root, format="parquet", partitioning=partitioning)
    table = dataset.to_table(filter=ds.field("date") < pa.scalar(before, pa.date32()))
    history: dict[str, tuple[str, dt.date]] = {}
    rows = sorted(
        zip(table["date"].to_pylist(), table["content_hash"].to_pylist(), table["article_id"].to_pylist())
    )
    for date, hash_, article_id in rows:
        history.setdefault(hash_, (article_id, date))
    return history


def history_table(articles: list[CleanArticle]) -> pa.Table:
    return pa.table(
        {
            "content_hash": [article.content_hash for article in articles],
            "article_id": [article.article_id for article in articles],
        },
        schema=HISTORY_SCHEMA,
    )


def deduplicate(
    articles: list[CleanArticle],
    date: dt.date,
    history: dict[str, tuple[str, dt.date]],
    settings: DedupSettings,
) -> tuple[list[CleanArticle], list[DuplicateRecord]]:
    """Split articles into survivors (in source order) and duplicate records; sets each content_hash."""
    survivors: list[CleanArticle] = []
    duplicates: list[DuplicateRecord] = []
    seen = dict(history)
    for article in sorted(articles, key=lambda article: (article.source_file, article.line_start)):
        article.content_hash = content_hash(article.text)
        original = seen.get(article.content_hash) if settings.exact else None
        if original is None:
            seen[article.content_hash] = (article.article_id, date)
            survivors.append(article)
            continue
        duplicate_of, duplicate_of_date = original
        duplicates.append(
            DuplicateRecord(
                article_id=article.article_id,
                source_file=article.source_file,
                line_start=article.line_start,
                line_end=article.line_end,
                duplicate_of=duplicate_of,
                duplicate_of_date=duplicate_of_date,
                method="exact",
                similarity=1.0,
            )
        )
    return survivors, duplicates
