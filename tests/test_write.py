"""Writing partitions: atomic, re-runnable, and safe against kill -9 and write errors.

The crash tests run a real child process that commits a partition and is killed with SIGKILL at a named
point of the commit (NEWSETL_WRITE_CRASH_AT) or after a delay, then check what a reader finds on disk and
what the next commit (or recover_commits) makes of it.
"""

import datetime as dt
import errno
import hashlib
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks import write
from tasks.write import (
    CRASH_AT_ENV,
    commit_partition,
    commit_staged,
    commits_dir,
    partition_committed,
    part_file_name,
    partition_dir,
    read_commit_record,
    recover_commits,
    replace_partitions,
    staged_partition,
    write_part,
)

from tests.conftest import REPO

DATE = dt.date(2025, 3, 4)
KEYS = ["curated/articles", "curated/paragraphs", "curated/quarantine", "state/dedup_index"]


def table(values):
    return pa.table({"x": pa.array(values, pa.int64())})


def version_tables(version: int, rows: int = 3) -> dict[str, pa.Table]:
    """Each dataset of version v holds v in every row, so a mix of two runs is easy to see."""
    return {
        key: pa.table({"version": pa.array([version] * rows, pa.int64()), "key": [key] * rows, "row": pa.array(range(rows), pa.int64())})
        for key in KEYS
    }


def versions_on_disk(data_dir, date=DATE) -> dict[str, int | None]:
    found = {}
    for key in KEYS:
        path = partition_dir(data_dir, key, date) / "part-00000.parquet"
        found[key] = set(pq.read_table(path)["version"].to_pylist()).pop() if path.exists() else None
    return found


def assert_record_matches_files(data_dir, date=DATE):
    record = read_commit_record(data_dir, date)
    assert record["status"] == "committed"
    for key in KEYS:
        path = partition_dir(data_dir, key, date) / "part-00000.parquet"
        facts = record["datasets"][key]["files"]["part-00000.parquet"]
        assert facts["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert facts["rows"] == record["datasets"][key]["rows"] == pq.read_metadata(path).num_rows


def litter(data_dir) -> list[str]:
    return sorted(
        p.relative_to(data_dir).as_posix()
        for p in data_dir.rglob("*")
        if p.name.endswith(".tmp") or (p.parent.name in (".staging", ".trash"))
    )


CHILD = """
import sys, datetime as dt
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.test_write import version_tables
from tasks.write import commit_partition
data_dir, date = Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
versions = [int(v) for v in sys.argv[3].split(",")]
rows = int(sys.argv[4])
while True:
    for version in versions:
        commit_partition(data_dir, date, version_tables(version, rows), "zstd", 3)
        print("ready", flush=True)  # warmed up: the next commits take a few tens of milliseconds each
    if sys.argv[5] == "once":
        break
"""


def child(data_dir, versions, crash_at=None, rows=3, loop=False, preexec_fn=None):
    env = {**os.environ}
    env.pop(CRASH_AT_ENV, None)
    if crash_at:
        env[CRASH_AT_ENV] = crash_at
    script = CHILD.format(repo=str(REPO))
    arguments = [str(data_dir), DATE.isoformat(), ",".join(map(str, versions)), str(rows), "loop" if loop else "once"]
    return subprocess.Popen(
        [sys.executable, "-c", script, *arguments],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn,
    )


def test_rewriting_a_partition_replaces_it_with_identical_bytes(tmp_path):
    replace_partitions(tmp_path / "curated", DATE, {"a": table([1, 2])}, "zstd", 3)
    path = partition_dir(tmp_path / "curated", "a", DATE) / "part-00000.parquet"
    first = path.read_bytes()
    replace_partitions(tmp_path / "curated", DATE, {"a": table([1, 2])}, "zstd", 3)
    assert path.read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == ["part-00000.parquet"]
    replace_partitions(tmp_path / "curated", DATE, {"a": table([3])}, "zstd", 3)
    assert pq.read_table(path)["x"].to_pylist() == [3]
    assert partition_committed(tmp_path, DATE)


def test_a_failed_write_leaves_the_old_partition_its_record_and_no_litter(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    record = read_commit_record(tmp_path, DATE)
    with pytest.raises(pa.ArrowException, match="Unsupported compression"):
        commit_partition(tmp_path, DATE, version_tables(2), "no-such-codec", 3)
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 1)
    assert read_commit_record(tmp_path, DATE) == record
    assert litter(tmp_path) == []


def test_part_files_sort_by_name_in_chunk_order():
    # Readers take a folder's files in name order: part 10 must not come before part 2.
    assert sorted(part_file_name(n) for n in (10, 2, 0, 100)) == [part_file_name(n) for n in (0, 2, 10, 100)]


def test_parts_staged_by_chunks_are_committed_together_and_a_failure_between_them_leaves_no_trace(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    record = read_commit_record(tmp_path, DATE)
    # A run that stages some chunks' parts, then fails (a worker error), before its commit.
    with pytest.raises(RuntimeError, match="chunk 1 failed"):
        with staged_partition(tmp_path, DATE) as staging:
            write_part(staging, "curated/articles", version_tables(2)["curated/articles"], 0, "zstd", 3)
            raise RuntimeError("chunk 1 failed")
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 1)
    assert read_commit_record(tmp_path, DATE) == record
    assert litter(tmp_path) == []

    # A run whose chunks all stage their parts: every part lands, the record lists each file.
    with staged_partition(tmp_path, DATE) as staging:
        for part in (0, 3):
            write_part(staging, "curated/articles", table([part, part]), part, "zstd", 3)
        commit_staged(tmp_path, DATE, staging, ["curated/articles"])
    folder = partition_dir(tmp_path, "curated/articles", DATE)
    assert sorted(path.name for path in folder.iterdir()) == ["part-00000.parquet", "part-00003.parquet"]
    committed = read_commit_record(tmp_path, DATE)["datasets"]["curated/articles"]
    assert committed["rows"] == 4 and sorted(committed["files"]) == ["part-00000.parquet", "part-00003.parquet"]
    # A dataset not staged keeps its partition.
    paragraphs = pq.read_table(partition_dir(tmp_path, "curated/paragraphs", DATE) / "part-00000.parquet")
    assert set(paragraphs["version"].to_pylist()) == {1}
    assert litter(tmp_path) == []


def test_the_facts_write_part_returns_give_the_record_reading_the_files_would(tmp_path):
    records = []
    for pass_facts in (False, True):
        data_dir = tmp_path / str(pass_facts)
        with staged_partition(data_dir, DATE) as staging:
            staged = {}
            for part in (0, 3):
                staged |= write_part(staging, "curated/articles", table([part, part, part]), part, "zstd", 3)
            assert sorted(staged) == ["curated/articles/part-00000.parquet", "curated/articles/part-00003.parquet"]
            commit_staged(data_dir, DATE, staging, ["curated/articles"], staged if pass_facts else None)
        records.append(read_commit_record(data_dir, DATE)["datasets"])
    assert records[0] == records[1] and records[0]["curated/articles"]["rows"] == 6


def test_disk_full_while_staging_never_marks_the_partition_committed(tmp_path, monkeypatch):
    real_write_table = pq.write_table
    calls = []

    def disk_full_on_the_third_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_table(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", disk_full_on_the_third_file)
    with pytest.raises(OSError, match="No space left"):
        commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    assert not partition_committed(tmp_path, DATE)
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, None)
    assert litter(tmp_path) == []


def test_disk_full_while_marking_the_commit_leaves_it_pending_until_finished(tmp_path, monkeypatch):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    real_write_json = write._write_json

    def disk_full_on_committed(path, value):
        if value["status"] == "committed":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_json(path, value)

    monkeypatch.setattr(write, "_write_json", disk_full_on_committed)
    with pytest.raises(OSError):
        commit_partition(tmp_path, DATE, version_tables(2), "zstd", 3)
    assert not partition_committed(tmp_path, DATE)
    monkeypatch.setattr(write, "_write_json", real_write_json)
    assert recover_commits(tmp_path) == [DATE]
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 2)
    assert_record_matches_files(tmp_path)


def test_a_real_write_error_file_size_limit_never_marks_the_partition_committed(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    before = read_commit_record(tmp_path, DATE)

    def small_file_size_limit():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    process = child(tmp_path, [2], rows=200_000, preexec_fn=small_file_size_limit)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1 and "File too large" in stderr
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 1)
    assert read_commit_record(tmp_path, DATE) == before
    recover_commits(tmp_path)
    assert litter(tmp_path) == []


CRASH_POINTS = ["staged", "pending", *[f"swapped:{key}" for key in KEYS], "committed"]


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_kill_9_at_any_point_of_a_commit_leaves_one_run_per_partition(tmp_path, crash_at):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)

    process = child(tmp_path, [2], crash_at=crash_at)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL

    if crash_at == "staged":
        # Killed before the commit was decided: the old partition stands, committed, untouched.
        assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 1)
        assert partition_committed(tmp_path, DATE)
        expected = 1
    else:
        # Decided: until it is finished, the record tells a reader the partition is not whole.
        assert partition_committed(tmp_path, DATE) == (crash_at == "committed")
        expected = 2
    recover_commits(tmp_path)  # what the next commit of any date does first
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, expected)
    assert_record_matches_files(tmp_path)
    assert litter(tmp_path) == []

    # The re-run gives the same bytes as a run that was never interrupted.
    commit_partition(tmp_path, DATE, version_tables(2), "zstd", 3)
    clean = tmp_path / "clean"
    commit_partition(clean, DATE, version_tables(2), "zstd", 3)
    for key in KEYS:
        name = f"{key}/date={DATE}/part-00000.parquet"
        assert (tmp_path / name).read_bytes() == (clean / name).read_bytes()
    assert read_commit_record(tmp_path, DATE) == read_commit_record(clean, DATE)


def test_kill_9_at_random_moments_of_repeated_commits(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(0), "zstd", 3)
    for delay in (0.0, 0.01, 0.025, 0.06):
        process = child(tmp_path, [1, 2, 3], rows=20_000, loop=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        recover_commits(tmp_path)
        found = versions_on_disk(tmp_path)
        assert len(set(found.values())) == 1, (delay, found)
        assert_record_matches_files(tmp_path)
        assert litter(tmp_path) == []


def test_recovery_leaves_a_date_alone_while_its_writer_holds_the_lock(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    process = child(tmp_path, [2], crash_at="swapped:curated/articles")
    process.communicate(timeout=120)
    with write._date_lock(tmp_path, DATE):  # as a live writer of the date would
        assert recover_commits(tmp_path) == []
        assert read_commit_record(tmp_path, DATE)["status"] == "pending"
        assert any((tmp_path / ".staging").iterdir())  # its staging is not litter yet
    assert recover_commits(tmp_path) == [DATE]
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 2)


def test_a_commit_of_another_date_finishes_an_interrupted_one_first(tmp_path):
    commit_partition(tmp_path, DATE, version_tables(1), "zstd", 3)
    process = child(tmp_path, [2], crash_at="swapped:curated/paragraphs")
    process.communicate(timeout=120)
    assert set(versions_on_disk(tmp_path).values()) == {1, 2}  # a mix, until the next commit
    commit_partition(tmp_path, DATE + dt.timedelta(days=1), version_tables(5), "zstd", 3)
    assert versions_on_disk(tmp_path) == dict.fromkeys(KEYS, 2)
    assert partition_committed(tmp_path, DATE) and partition_committed(tmp_path, DATE + dt.timedelta(days=1))


def test_recovery_deletes_a_commit_record_left_half_rewritten(tmp_path):
    # kill -9 between writing a record's temporary file and renaming it leaves the temporary behind.
    commit_partition(tmp_path, DATE, version_tables(0), "zstd", 3)
    stray = commits_dir(tmp_path) / f".date={DATE.isoformat()}.json.0123abcd.tmp"
    stray.write_text("{")
    recover_commits(tmp_path)
    assert not stray.exists()
    assert_record_matches_files(tmp_path)
