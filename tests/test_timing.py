"""Handing memory the process has freed back to the operating system."""

import sys

import pytest

from tasks.timing import release_freed_memory


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_memory_freed_between_live_buffers_goes_back_to_the_system():
    buffers = [bytes(20_000) + bytes([i % 256]) for i in range(6_000)]  # 120 MB of heap, not mapped apart
    del buffers[::2]  # holes of 60 MB between buffers still in use: glibc keeps them
    before = resident_mb()
    release_freed_memory()
    assert before - resident_mb() > 30
    assert len(buffers) == 3_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_memory_up_to_keep_bytes_stays_with_the_process():
    buffers = [bytes(20_000) + bytes([i % 256]) for i in range(6_000)]
    del buffers[::2]  # 60 MB of holes
    before = resident_mb()
    release_freed_memory(keep_bytes=1 << 40)  # more than is free: kept, for the next allocations
    assert before - resident_mb() < 10
    release_freed_memory(keep_bytes=10 << 20)  # less than is free: handed back
    assert before - resident_mb() > 30
    assert len(buffers) == 3_000
