import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.write import partition_dir, replace_partitions

DATE = dt.date(2025, 3, 4)


def table(values):
    return pa.table({"x": pa.array(values, pa.int64())})


def test_rewriting_a_partition_replaces_it_with_identical_bytes(tmp_path):
    replace_partitions(tmp_path / "curated", DATE, {"a": table([1, 2])}, "zstd", 3)
    path = partition_dir(tmp_path / "curated", "a", DATE) / "part-0.parquet"
    first = path.read_bytes()
    replace_partitions(tmp_path / "curated", DATE, {"a": table([1, 2])}, "zstd", 3)
    assert path.read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == ["part-0.parquet"]
    replace_partitions(tmp_path / "curated", DATE, {"a": table([3])}, "zstd", 3)
    assert pq.read_table(path)["x"].to_pylist() == [3]


def test_a_failed_write_leaves_the_old_partition_and_no_litter(tmp_path):
    replace_partitions(tmp_path / "curated", DATE, {"a": table([1])}, "zstd", 3)
    with pytest.raises(Exception):
        replace_partitions(tmp_path / "curated", DATE, {"a": table([2])}, "no-such-codec", 3)
    path = partition_dir(tmp_path / "curated", "a", DATE) / "part-0.parquet"
    assert pq.read_table(path)["x"].to_pylist() == [1]
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))
    assert list((tmp_path / ".staging").iterdir()) == []
