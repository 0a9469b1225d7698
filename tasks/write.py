"""Write: Arrow tables as Parquet; the datasets of one partition (date) committed together.

A run replaces the date's partition of several datasets (curated/articles/date=D, ...,
state/dedup_index/date=D). One folder can be swapped in atomically by a rename, several cannot, so a
commit is journalled in a commit record, <data_dir>/state/partitions/date=D.json:

1. every table is written whole and fsync'd into a staging folder, <data_dir>/.staging/date=D-<id>/.
   A write error (disk full) stops here: the old partition and its record are untouched;
2. the record is written with status "pending", naming the staging folder: from here the commit only
   goes forward;
3. each dataset's old folder is moved aside (to <data_dir>/.trash/) and the staged one renamed in place;
4. the record is rewritten with status "committed" and the file hashes; the old folders are deleted.

A process killed in steps 3-4 leaves a pending record. The next commit, of any date, first finishes it
from the staged folders (`recover_commits`), so every dataset of a partition always comes from one run;
killed before step 2, the old partition stays and the staging folder is deleted as litter. Between the
kill and the next commit a reader of the plain folders may see the datasets of two runs; the record says
so (`partition_committed` is False while it is pending). An exclusive lock per date keeps two writers, or
a writer and a recovery, of one date apart; it dies with its process.

File names are fixed (part-00000.parquet, part-00001.parquet... for the chunks of a day's input, in order),
so the same input gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import uuid
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

PENDING, COMMITTED = "pending", "committed"
# Test hook: kill -9 this process at the named point of a commit (tests/test_write.py).
CRASH_AT_ENV = "NEWSETL_WRITE_CRASH_AT"


class CommitError(RuntimeError):
    pass


def curated_dir(data_dir: Path) -> Path:
    return data_dir / "curated"


def partition_dir(root: Path, dataset: str, date: dt.date) -> Path:
    return root / dataset / f"date={date.isoformat()}"


def commits_dir(data_dir: Path) -> Path:
    return data_dir / "state" / "partitions"


def commit_record_path(data_dir: Path, date: dt.date) -> Path:
    return commits_dir(data_dir) / f"date={date.isoformat()}.json"


def write_parquet_file(table: pa.Table, path: Path, compression: str, compression_level: int | None) -> None:
    """Write to a temporary name in the same folder, fsync, then rename: the file appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, compression=compression, compression_level=compression_level)
        _fsync(temporary)
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
    """Replace each dataset's partition for `date` under root/<dataset>/date=D/, as one commit."""
    keys = {f"{root.name}/{dataset}": table for dataset, table in tables.items()}
    commit_partition(root.parent, date, keys, compression, compression_level)


def commit_partition(
    data_dir: Path,
    date: dt.date,
    tables: dict[str, pa.Table],
    compression: str,
    compression_level: int | None,
) -> None:
    """Replace <data_dir>/<key>/date=D/ with each table, all or none. Keys are dataset folders relative to
    data_dir ("curated/articles", "state/dedup_index")."""
    with staged_partition(data_dir, date) as staging:
        for key, table in tables.items():
            write_part(staging, key, table, 0, compression, compression_level)
        commit_staged(data_dir, date, staging, list(tables))


def part_file_name(part: int) -> str:
    # Zero-padded: readers (pyarrow, pandas) take a folder's files in name order, and part-10 would come
    # before part-2.
    return f"part-{part:05d}.parquet"


# What the commit record says of a staged file (rows, bytes, sha256), by its path in the staging folder
# ("curated/articles/part-00003.parquet").
StagedFacts = dict[str, dict]


def write_part(
    staging: Path, key: str, table: pa.Table, part: int, compression: str, compression_level: int | None
) -> StagedFacts:
    """Stage one part file of dataset `key` (part numbers, not worker order, name the files, so that any
    number of workers writes the same files). Safe to call from worker processes.

    Returns the file's facts for commit_staged: read back here, on the worker that wrote it, they are
    not read and hashed again one file after another while every worker waits for the commit."""
    name = part_file_name(part)
    path = staging / key / name
    write_parquet_file(table, path, compression, compression_level)
    return {f"{key}/{name}": _file_facts(path)}


@contextmanager
def staged_partition(data_dir: Path, date: dt.date):
    """A new staging folder for `date`'s datasets, held under the date's lock until the block ends.

    Stage part files into it (write_part, from any process), then call commit_staged inside the block.
    On an error, or when the block ends without a commit, the staging folder is deleted and the old
    partition stays as it was.
    """
    recover_commits(data_dir)
    with _date_lock(data_dir, date):
        _finish_pending(data_dir, date)
        staging = data_dir / ".staging" / f"date={date.isoformat()}-{uuid.uuid4().hex[:12]}"
        staging.mkdir(parents=True)
        try:
            yield staging
        finally:
            # After a commit the folder is gone; otherwise (an error) it is litter.
            record = read_commit_record(data_dir, date)
            if record is None or record.get("staging") != staging.relative_to(data_dir).as_posix():
                shutil.rmtree(staging, ignore_errors=True)


def commit_staged(
    data_dir: Path, date: dt.date, staging: Path, keys: list[str], known: StagedFacts | None = None
) -> None:
    """Swap the staged datasets `keys` in as date's partitions (inside staged_partition's block).

    `known`: facts write_part returned, so that those files are not read again; others are read here."""
    known = known or {}
    try:
        datasets = {}
        for key in keys:
            files = {
                path.name: known.get(f"{key}/{path.name}") or _file_facts(path)
                for path in sorted((staging / key).glob("part-*.parquet"))
            }
            if not files:
                raise CommitError(f"partition {date}: nothing staged for {key}")
            datasets[key] = {"rows": sum(facts["rows"] for facts in files.values()), "files": files}
        _crash_point("staged")
        previous = read_commit_record(data_dir, date) or {}
        record = {
            "date": date.isoformat(),
            "status": PENDING,
            "staging": staging.relative_to(data_dir).as_posix(),
            "swapping": keys,
            "datasets": {**previous.get("datasets", {}), **datasets},
        }
        _write_json(commit_record_path(data_dir, date), record)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _crash_point("pending")
    _roll_forward(data_dir, date, record)


def read_commit_record(data_dir: Path, date: dt.date) -> dict | None:
    path = commit_record_path(data_dir, date)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def partition_committed(data_dir: Path, date: dt.date) -> bool:
    """True when the last commit of `date` finished: every dataset of the partition is from one run."""
    record = read_commit_record(data_dir, date)
    return record is not None and record["status"] == COMMITTED


def recover_commits(data_dir: Path) -> list[dt.date]:
    """Finish every commit a killed process left pending, and delete staging litter. Dates being written
    right now (their lock is held) are left alone. Returns the dates finished."""
    finished = []
    root = commits_dir(data_dir)
    for path in sorted(root.glob("date=*.json")) if root.exists() else []:
        date = dt.date.fromisoformat(path.stem.removeprefix("date="))
        if json.loads(path.read_text(encoding="utf-8")).get("status") != PENDING:
            continue
        with _date_lock(data_dir, date, wait=False) as locked:
            if locked and _finish_pending(data_dir, date):
                finished.append(date)
    # A record being rewritten when the process died leaves its temporary file beside it.
    for temporary in sorted(root.glob(".date=*.tmp")) if root.exists() else []:
        date = _date_of(temporary.name.removeprefix("."))
        if date is None:
            continue
        with _date_lock(data_dir, date, wait=False) as locked:
            if locked:
                temporary.unlink(missing_ok=True)
    for litter_root in (data_dir / ".staging", data_dir / ".trash"):
        for folder in sorted(litter_root.glob("date=*")) if litter_root.exists() else []:
            date = _date_of(folder.name)
            if date is None:
                continue
            with _date_lock(data_dir, date, wait=False) as locked:
                record = read_commit_record(data_dir, date) if locked else None
                in_use = record is not None and record["status"] == PENDING
                if locked and not in_use:
                    shutil.rmtree(folder, ignore_errors=True)
    return finished


def _finish_pending(data_dir: Path, date: dt.date) -> bool:
    """Roll a pending commit of `date` forward (the caller holds the date's lock). True if there was one."""
    record = read_commit_record(data_dir, date)
    if record is None or record["status"] != PENDING:
        return False
    log.warning("partition %s: finishing a commit interrupted by a crash", date.isoformat())
    _roll_forward(data_dir, date, record)
    return True


def _roll_forward(data_dir: Path, date: dt.date, record: dict) -> None:
    staging = data_dir / record["staging"]
    trash = data_dir / ".trash" / staging.name
    for key in record["swapping"]:
        staged, final = staging / key, partition_dir(data_dir, key, date)
        if not staged.exists():
            if not final.exists():
                # Someone deleted folders under our feet: the commit cannot be finished. Forget it, so
                # that a re-run of the date can write the partition again.
                commit_record_path(data_dir, date).unlink()
                raise CommitError(f"partition {date}: staged {key} is gone; re-run the date")
            continue  # swapped before the crash
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            # Two renames, not one: POSIX rename cannot replace a non-empty folder.
            shutil.rmtree(trash / key, ignore_errors=True)
            (trash / key).parent.mkdir(parents=True, exist_ok=True)
            os.replace(final, trash / key)
        os.replace(staged, final)
        _fsync(final.parent)
        _crash_point(f"swapped:{key}")
    committed = {"date": record["date"], "status": COMMITTED, "datasets": record["datasets"]}
    _write_json(commit_record_path(data_dir, date), committed)
    _crash_point("committed")
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _file_facts(path: Path) -> dict:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"rows": pq.read_metadata(path).num_rows, "bytes": path.stat().st_size, "sha256": digest}


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _fsync(temporary)
        os.replace(temporary, path)
        _fsync(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file or a folder (its renames) to disk, so that a power cut cannot undo a finished step."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _date_lock(data_dir: Path, date: dt.date, wait: bool = True):
    """An exclusive flock on state/partitions/date=D.lock; yields whether it was taken (wait=False)."""
    path = commits_dir(data_dir) / f"date={date.isoformat()}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _date_of(folder_name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(folder_name.removeprefix("date=")[:10])
    except ValueError:
        return None


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
