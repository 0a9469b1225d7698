"""tasks/array_cache.py: arrays kept on disk between processes; any fault is a miss, never an error."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from tasks import array_cache


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_saved_arrays_load_back_equal():
    arrays = {"numbers": np.arange(10, dtype=np.uint64), "names": np.array(["en", "de"])}
    array_cache.save_arrays("thing", "k1", arrays, keep=2)
    loaded = array_cache.load_arrays("thing", "k1")
    assert loaded.keys() == arrays.keys()
    assert all(np.array_equal(loaded[name], arrays[name]) and loaded[name].dtype == arrays[name].dtype for name in arrays)


def test_a_missing_or_unreadable_file_is_a_miss(cache_folder):
    assert array_cache.load_arrays("thing", "absent") is None
    cache_folder.mkdir()
    array_cache.cache_file("thing", "bad").write_bytes(b"PK\x03\x04 not really a zip")
    assert array_cache.load_arrays("thing", "bad") is None


def test_only_the_newest_files_of_a_name_are_kept(cache_folder):
    for number in range(5):
        array_cache.save_arrays("thing", f"k{number}", {"a": np.array([number])}, keep=3)
        os.utime(array_cache.cache_file("thing", f"k{number}"), ns=(number * 10**9, number * 10**9))
    array_cache.save_arrays("other", "k0", {"a": np.array([0])}, keep=3)
    kept = sorted(path.name for path in cache_folder.iterdir())
    # k0 and k1 were the oldest; "other" is another name, and no temporary file is left behind.
    assert kept == ["other-k0.npz", "thing-k2.npz", "thing-k3.npz", "thing-k4.npz"]


def _save_and_load(number: int) -> bool:
    arrays = {"a": np.full(200_000, 7, dtype=np.int64)}
    array_cache.save_arrays("race", "same", arrays, keep=2)
    loaded = array_cache.load_arrays("race", "same")
    return loaded is not None and np.array_equal(loaded["a"], arrays["a"])


def test_processes_saving_the_same_key_at_once_leave_one_whole_file(cache_folder):
    with ProcessPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(_save_and_load, range(16)))
    assert [path.name for path in cache_folder.iterdir()] == ["race-same.npz"]


def test_without_a_home_nothing_is_cached(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSETL_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(array_cache.os.path, "expanduser", lambda path: path)  # "~" stays "~": no home
    monkeypatch.chdir(tmp_path)
    array_cache.save_arrays("thing", "k", {"a": np.array([1])}, keep=1)
    assert array_cache.load_arrays("thing", "k") is None
    assert list(tmp_path.iterdir()) == []


def test_the_folder_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSETL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert array_cache.cache_dir() == tmp_path / "xdg" / "newsetl"
