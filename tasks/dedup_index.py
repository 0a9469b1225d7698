"""The dedup history index: what every earlier partition kept, as hashes and signatures, never text.

It lives under <data_dir>/state/dedup_index/date=YYYY-MM-DD/part-00000.parquet. One row per article kept on
that date:

    article_id     the kept article's id
    content_hash   hash of its normalised text (exact copies)
    n_shingles     size of its shingle set (to estimate containment from a Jaccard estimate)
    signature      its MinHash signature, num_perm bytes. LSH band b's key is made of bytes
                   [b*rows, (b+1)*rows): the band keys are the signature read in slices
    anchors        32-bit hashes of its paragraphs of 8 words or more (finds a copy that holds only a
                   part of it, which shares too few shingles for LSH)
    duplicate_of   null

and one row per article dropped on that date, with only article_id and duplicate_of (the article it was
dropped for): `later_dates_with_copies` needs them to tell which later dates point at an article that
a backfill makes a duplicate.

About 60 bytes of ids and hashes, 4 per anchor paragraph and `num_perm` bytes of signature per kept
article. The file's schema metadata records the shingle size, signature length and seed: signatures made
with other values cannot be compared, and loading them is an error rather than a silent miss.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tasks import minhash
from tasks.config import DedupSettings

INDEX_DATASET = "dedup_index"
_PARAMS_KEY = b"newsetl.dedup.minhash"
_HIVE_DATE = ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")


class DedupIndexError(RuntimeError):
    """The stored index cannot be used with the current settings."""


def index_dir(state_dir: Path) -> Path:
    return state_dir / INDEX_DATASET


def signature_params(settings: DedupSettings) -> dict:
    """What signatures and anchors depend on; stored with each partition of the index."""
    return {"normalisation": 1, "shingle_size": settings.shingle_size, "num_perm": settings.num_perm, "seed": settings.seed}


def index_schema(settings: DedupSettings) -> pa.Schema:
    return pa.schema(
        [
            pa.field("article_id", pa.string(), nullable=False),
            pa.field("content_hash", pa.string()),
            pa.field("n_shingles", pa.int32()),
            pa.field("signature", pa.binary(settings.num_perm)),
            pa.field("anchors", pa.list_(pa.uint32())),
            pa.field("duplicate_of", pa.string()),
        ],
        metadata={_PARAMS_KEY: json.dumps(signature_params(settings), sort_keys=True).encode()},
    )


@dataclass
class ArticleFingerprints:
    """What dedup knows of a list of articles without their text. Read from the index, the rows are in
    survivor-rule order: (date, article_id)."""

    article_ids: list[str]
    dates: list[dt.date]
    content_hashes: list[str]
    n_shingles: np.ndarray  # int64
    signatures: np.ndarray  # uint8, (n, num_perm); the row of an article without words is meaningless
    anchors: np.ndarray  # uint32, every article's anchors concatenated...
    anchor_offsets: np.ndarray  # int64, n + 1: ...article i owns anchors[anchor_offsets[i]:anchor_offsets[i+1]]
    _band_keys: np.ndarray | None = field(default=None, repr=False)
    _by_hash: dict[str, int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.article_ids)

    def row_of_hash(self, content_hash: str) -> int | None:
        """The first (earliest) row with this content hash."""
        if self._by_hash is None:
            self._by_hash = {}
            for row, hash_ in enumerate(self.content_hashes):
                self._by_hash.setdefault(hash_, row)
        return self._by_hash.get(content_hash)

    def band_keys(self, settings: DedupSettings) -> np.ndarray:
        if self._band_keys is None:
            self._band_keys = minhash.band_keys(self.signatures, settings.bands, settings.rows)
        return self._band_keys

    def anchors_of(self, row: int) -> np.ndarray:
        return self.anchors[self.anchor_offsets[row] : self.anchor_offsets[row + 1]]

    def anchor_owners(self) -> np.ndarray:
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.anchor_offsets))

    def take(self, rows: list[int]) -> ArticleFingerprints:
        """The given rows, in that order."""
        starts, ends = self.anchor_offsets[rows], self.anchor_offsets[np.asarray(rows, dtype=np.int64) + 1]
        pieces = [self.anchors[start:end] for start, end in zip(starts, ends)]
        return ArticleFingerprints(
            [self.article_ids[row] for row in rows],
            [self.dates[row] for row in rows],
            [self.content_hashes[row] for row in rows],
            self.n_shingles[rows],
            self.signatures[rows],
            np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.uint32),
            np.concatenate(([0], np.cumsum(ends - starts))).astype(np.int64),
        )

    def kept_rows(self, settings: DedupSettings) -> pa.Table:
        return pa.table(
            {
                "article_id": self.article_ids,
                "content_hash": self.content_hashes,
                "n_shingles": self.n_shingles.astype(np.int32),
                "signature": pa.array([row.tobytes() for row in self.signatures], pa.binary(settings.num_perm)),
                "anchors": pa.ListArray.from_arrays(
                    pa.array(self.anchor_offsets.astype(np.int32)), pa.array(self.anchors, pa.uint32())
                ),
                "duplicate_of": pa.nulls(len(self), pa.string()),
            },
            schema=index_schema(settings).remove_metadata(),
        )

    @classmethod
    def concatenate(cls, parts: list[ArticleFingerprints]) -> ArticleFingerprints:
        """The rows of every part, in order (at least one part)."""
        anchor_starts = np.cumsum([0] + [len(part.anchors) for part in parts[:-1]])
        return cls(
            [article_id for part in parts for article_id in part.article_ids],
            [date for part in parts for date in part.dates],
            [content_hash for part in parts for content_hash in part.content_hashes],
            np.concatenate([part.n_shingles for part in parts]),
            np.concatenate([part.signatures for part in parts]),
            np.concatenate([part.anchors for part in parts]),
            np.concatenate(
                [[0]] + [part.anchor_offsets[1:] + start for part, start in zip(parts, anchor_starts)]
            ).astype(np.int64),
        )

    @classmethod
    def empty(cls, settings: DedupSettings) -> ArticleFingerprints:
        return cls(
            [], [], [], np.zeros(0, dtype=np.int64), np.zeros((0, settings.num_perm), dtype=np.uint8),
            np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64),
        )


def index_table(kept: ArticleFingerprints, dropped: dict[str, str], settings: DedupSettings) -> pa.Table:
    """A date's index partition: its kept articles, then its dropped ones (article_id -> duplicate_of)."""
    pointers = pa.table(
        {"article_id": sorted(dropped), "duplicate_of": [dropped[article_id] for article_id in sorted(dropped)]}
    )
    rows = pa.concat_tables([kept.kept_rows(settings), pointers], promote_options="default")
    return rows.select(index_schema(settings).names).cast(index_schema(settings))


@dataclass
class Index:
    kept: ArticleFingerprints
    pointers: list[tuple[dt.date, str, str]]  # (date, article_id, duplicate_of) of the dropped articles


def load_index(
    state_dir: Path, settings: DedupSettings, before: dt.date | None = None, after: dt.date | None = None
) -> Index:
    """The index partitions strictly before `before` and strictly after `after`."""
    root = index_dir(state_dir)
    files = sorted(root.glob("date=*/*.parquet")) if root.exists() else []
    if not files:
        return Index(ArticleFingerprints.empty(settings), [])
    _check_params(files, settings)
    dataset = ds.dataset(files, format="parquet", partitioning=_HIVE_DATE, partition_base_dir=str(root))
    conditions = []
    if before is not None:
        conditions.append(ds.field("date") < pa.scalar(before, pa.date32()))
    if after is not None:
        conditions.append(ds.field("date") > pa.scalar(after, pa.date32()))
    condition = None
    for part in conditions:
        condition = part if condition is None else condition & part
    table = dataset.to_table(filter=condition).sort_by([("date", "ascending"), ("article_id", "ascending")])
    dropped = pc.is_valid(table["duplicate_of"])
    pointers = table.filter(dropped)
    kept = table.filter(pc.invert(dropped))
    signatures = pc.cast(kept["signature"], pa.binary()).combine_chunks() if kept.num_rows else None
    anchors = kept["anchors"].combine_chunks() if kept.num_rows else pa.array([], pa.list_(pa.uint32()))
    return Index(
        ArticleFingerprints(
            article_ids=kept["article_id"].to_pylist(),
            dates=kept["date"].to_pylist(),
            content_hashes=kept["content_hash"].to_pylist(),
            n_shingles=kept["n_shingles"].to_numpy().astype(np.int64),
            signatures=_signature_matrix(signatures, settings.num_perm),
            anchors=anchors.flatten().to_numpy(zero_copy_only=False).astype(np.uint32),
            anchor_offsets=_list_offsets(anchors),
        ),
        list(zip(pointers["date"].to_pylist(), pointers["article_id"].to_pylist(), pointers["duplicate_of"].to_pylist())),
    )


def _signature_matrix(signatures: pa.Array | None, num_perm: int) -> np.ndarray:
    if signatures is None:
        return np.zeros((0, num_perm), dtype=np.uint8)
    values = np.frombuffer(signatures.buffers()[2], dtype=np.uint8)
    offsets = np.frombuffer(signatures.buffers()[1], dtype=np.int32)[signatures.offset : signatures.offset + len(signatures) + 1]
    return values[offsets[0] : offsets[-1]].reshape(len(signatures), num_perm)


def _list_offsets(lists: pa.ListArray) -> np.ndarray:
    offsets = lists.offsets.to_numpy().astype(np.int64)
    return offsets - offsets[0]


def _check_params(files: list[Path], settings: DedupSettings) -> None:
    expected = signature_params(settings)
    for path in files:
        stored = pq.read_schema(path).metadata or {}
        params = json.loads(stored.get(_PARAMS_KEY, b"{}"))
        if params != expected:
            raise DedupIndexError(
                f"{path}: the dedup index was built with {params or 'unknown settings'}, but the config says "
                f"{expected}; re-run the earlier dates or delete {path.parents[1]}"
            )


def index_dates(state_dir: Path) -> list[dt.date]:
    root = index_dir(state_dir)
    if not root.exists():
        return []
    return sorted(dt.date.fromisoformat(folder.name.removeprefix("date=")) for folder in root.glob("date=*"))
