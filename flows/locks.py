"""One writer per partition: an exclusive, non-blocking file lock per date.

flock locks belong to the open file and vanish when the process dies, so a kill -9 never leaves a
partition locked; they also exclude a second thread of the same process (a backfill listing a date twice).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path


class PartitionLockedError(RuntimeError):
    pass


def lock_path(data_dir: Path, date: dt.date) -> Path:
    return data_dir / "state" / "locks" / f"date={date.isoformat()}.lock"


@contextmanager
def partition_lock(data_dir: Path, date: dt.date):
    path = lock_path(data_dir, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            raise PartitionLockedError(
                f"partition {date.isoformat()} is being written by {holder}; wait for it to finish"
            ) from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
        lock_file.flush()
        try:
            yield
        finally:
            lock_file.seek(0)
            lock_file.truncate()
            fcntl.flock(lock_file, fcntl.LOCK_UN)
