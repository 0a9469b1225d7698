"""Write: Arrow tables built with the schemas of tasks/schemas.py, written atomically per partition.

Each dataset's partition is written complete into a staging folder, then swapped in with a rename, so a
reader never sees a half-written file and a re-run replaces the partition instead of adding to it.
File names are fixed (part-0.parquet), so the same tables give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


PART_FILE = "part-0.parquet"


def curated_dir(data_dir: Path) -> Path:
    return data_dir / "curated"


def partition_dir(root: Path, dataset: str, date: dt.date) -> Path:
    return root / dataset / f"date={date.isoformat()}"


def write_parquet_file(table: pa.Table, path: Path, compression: str, compression_level: int | None) -> None:
    """Write to a temporary name in the same folder, then rename: the file appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, compression=compression, compression_level=compression_level)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replace_partitions(
    root: Path,
    date: dt.date,
    tables: dict[str, pa.Table],
    compression: str,
    compression_level: int | None,
) -> None:
    """Write each dataset's partition for `date` under root/<dataset>/date=D/, replacing what was there."""
    staging_root = root.parent / ".staging" / f"{root.name}-{date.isoformat()}-{uuid.uuid4().hex[:8]}"
    trash_root = staging_root.with_name(staging_root.name + "-old")
    try:
        for dataset, table in tables.items():
            write_parquet_file(table, staging_root / dataset / PART_FILE, compression, compression_level)
        for dataset in tables:
            final = partition_dir(root, dataset, date)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                # Two renames, not one: POSIX rename cannot replace a non-empty folder.
                trash_root.mkdir(parents=True, exist_ok=True)
                os.replace(final, trash_root / dataset)
            os.replace(staging_root / dataset, final)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
        shutil.rmtree(trash_root, ignore_errors=True)
