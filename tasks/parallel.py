"""Chunk work on every core: chunks mapped over a pool of worker processes.

Reading, cleaning, language identification and segmentation hold the GIL, so threads cannot share them
out; processes can. Chunks (of files, tasks/partition.py) go out and their results come back in the
same order, so the output does not depend on the number of workers.

Workers come from a "forkserver": forking the flow's own process, which runs Prefect's threads, could
copy a lock some thread holds and hang the child. A run keeps one pool of workers for all its steps
(`worker_pool`); outside one, each call starts and stops its own. Small batches stay in the calling
process, where starting workers would cost more than it saves. With `parallel.dask_address` set, the
chunks go to that Dask cluster instead (tasks/dask_cluster.py), every chunk, however few.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from tasks.config import CleanSettings, ParallelSettings
from tasks.dask_cluster import map_on_cluster
from tasks.timing import release_freed_memory

Item = TypeVar("Item")
Result = TypeVar("Result")

# Imported once by the fork server, so each worker starts with the stages and the language model loaded,
# and with the modules of the chunk steps (tasks.partition) and of dedup's pair counts: unpickling a
# worker's first job imported them, ~0.06 s of a core while the first chunks waited.
_PRELOAD = ["tasks.worker_preload", "tasks.partition", "tasks.dedup"]
PRELOAD_CLEAN_SETTINGS = "NEWSETL_PRELOAD_CLEAN_SETTINGS"
# The pool of the run in progress (a context variable: a backfill runs several dates at once, each in a
# thread of its own with its own pool).
_run_pool: ContextVar[ProcessPoolExecutor | None] = ContextVar("newsetl_run_pool", default=None)


def worker_count(settings: ParallelSettings) -> int:
    return settings.workers or os.cpu_count() or 1


def _worker_context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start_workers_early(settings: ParallelSettings, clean: CleanSettings | None = None) -> None:
    """Start the fork server now, so that its imports and model loading overlap the stages before the
    first map_chunk_list instead of delaying it. No effect when the work stays in this process or goes to Dask.

    `clean`: the run's clean settings, whose rule library the fork server compiles once (through the
    environment it starts with) instead of every clean worker of every run (~0.4 s of a core each)."""
    if worker_count(settings) > 1 and not settings.dask_address:
        if clean is not None:
            os.environ[PRELOAD_CLEAN_SETTINGS] = clean.model_dump_json()
        _worker_context()
        multiprocessing.forkserver.ensure_running()


@contextmanager
def worker_pool(settings: ParallelSettings) -> Iterator[None]:
    """Every map_chunk_list inside runs on the same worker processes. Without it each step of a run (plan,
    recount, clean, dedup's pair counts, finish) forks new workers, which warm up again, and waits for
    the last step's to stop."""
    if worker_count(settings) <= 1 or settings.dask_address:
        yield
        return
    pool = ProcessPoolExecutor(max_workers=worker_count(settings), mp_context=_worker_context())
    # Every worker started now rather than at the first step's first chunks (the pool starts one per call
    # while none is idle): a worker's start, ~0.07 s of a core, then overlaps what this process does
    # before that step's chunks go out (Prefect's task start, listing the input).
    for _ in range(worker_count(settings)):
        pool.submit(_started)
    token = _run_pool.set(pool)
    try:
        yield
    finally:
        _run_pool.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)


def _started() -> None:
    """A call that only makes the pool start a worker."""


def chunked(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def map_chunk_list(
    function: Callable[[Sequence[Item]], list[Result]],
    chunks: list[Sequence[Item]],
    settings: ParallelSettings,
    costs: Sequence[float] | None = None,
) -> list[Result]:
    """function(chunk) for every chunk already made, results concatenated in chunk order.

    `costs` (one per chunk, e.g. its bytes): the pool starts the costliest chunks first, so that a large
    file's chunk is not the last one running while the other workers idle."""
    if settings.dask_address:
        return map_on_cluster(function, chunks, settings.dask_address, settings.dask_timeout_seconds)
    workers = min(worker_count(settings), len(chunks))
    if workers <= 1:
        return [result for chunk in chunks for result in function(chunk)]
    start_order = range(len(chunks)) if costs is None else sorted(range(len(chunks)), key=lambda i: -costs[i])
    run_pool = _run_pool.get()
    if run_pool is not None:
        return _mapped(run_pool, function, chunks, start_order)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context()) as pool:
        return _mapped(pool, function, chunks, start_order)


def _mapped(pool: ProcessPoolExecutor, function, chunks: list, start_order: Sequence[int]) -> list:
    futures = {i: pool.submit(_on_worker, function, chunks[i]) for i in start_order}
    return [result for i in range(len(chunks)) for result in futures[i].result()]


# Freed heap a worker keeps between chunks. Handed back after every chunk, it came back as page faults in
# the next: on the 20 MB bench day a clean chunk left ~8 MB and a finish chunk ~20 MB free, and the two
# workers made ~205,000 minor page faults instead of ~137,000 and spent ~0.45 s more of system CPU (medians
# of 3 runs). A chunk of a large file leaves more, and is trimmed; a worker holds at most this much of
# freed heap while the flow works alone (the plan's learned lines, dedup, the commit).
WORKER_KEEPS_FREED_BYTES = 32 << 20


def _on_worker(function: Callable[[Sequence[Item]], list[Result]], chunk: Sequence[Item]) -> list[Result]:
    """function(chunk), then the memory the chunk's work freed handed back to the system beyond
    WORKER_KEEPS_FREED_BYTES: a run's workers live through all its steps, and glibc would keep each one's
    largest heap so far between them."""
    try:
        return function(chunk)
    finally:
        release_freed_memory(keep_bytes=WORKER_KEEPS_FREED_BYTES)
