"""Seconds spent per step, and the process's peak memory by the end of each step, for the run report."""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field


def peak_rss_mb() -> float:
    """The highest resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, kB on Linux


def release_freed_memory() -> None:
    """Hand memory that Python has freed back to the operating system (glibc only; elsewhere nothing).

    Buffers of a few kB freed among others still in use (the chunks' results as they came from the
    workers) leave holes in the C heap that glibc keeps; the large numpy arrays of the next step are
    mapped apart and cannot use them, so the process would hold both. Dask's workers trim for the same
    reason ("unmanaged memory").
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        pass


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
