"""Seconds spent per step, and the process's peak memory by the end of each step, for the run report."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field


def peak_rss_mb() -> float:
    """The highest resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, kB on Linux


def release_freed_memory(keep_bytes: int = 0) -> None:
    """Hand memory that Python has freed back to the operating system (glibc only; elsewhere nothing).

    Buffers of a few kB freed among others still in use (the chunks' results as they came from the
    workers) leave holes in the C heap that glibc keeps; the large numpy arrays of the next step are
    mapped apart and cannot use them, so the process would hold both. Dask's workers trim for the same
    reason ("unmanaged memory").

    `keep_bytes`: nothing is handed back while the heap holds at most this much freed memory. What is
    handed back comes back as page faults when the process allocates again (see parallel._on_worker).
    """
    libc = _glibc()
    if libc is None:
        return
    if keep_bytes and _freed_heap_bytes(libc) <= keep_bytes:
        return
    libc.malloc_trim(0)


class _MallocInfo(ctypes.Structure):
    """glibc's struct mallinfo2 (2.33 and later)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")
    ]


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The C library, if it is glibc (it has malloc_trim), loaded once: ctypes.util.find_library runs
    `ldconfig -p` in a child process at every call (~1.7 ms of CPU, ~5 ms of waiting, after every chunk)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - musl has none
    except (OSError, AttributeError):
        return None
    if hasattr(libc, "mallinfo2"):
        libc.mallinfo2.restype = _MallocInfo
    return libc


def _freed_heap_bytes(libc: ctypes.CDLL) -> int:
    """Bytes of glibc's heap that are free (mallinfo2's fordblks); without mallinfo2 (glibc before 2.33),
    more than any limit, so that the heap is trimmed as before."""
    if not hasattr(libc, "mallinfo2"):
        return sys.maxsize
    return libc.mallinfo2().fordblks


@dataclass
class StageTimer:
    seconds_by_stage: dict[str, float] = field(default_factory=dict)
    # The peak only rises: the first step whose value is the run's peak is the one that reached it.
    peak_rss_mb_by_stage: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage_name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = self.seconds_by_stage.get(stage_name, 0.0) + time.perf_counter() - started
            self.seconds_by_stage[stage_name] = round(spent, 3)
            self.peak_rss_mb_by_stage[stage_name] = round(peak_rss_mb(), 1)
