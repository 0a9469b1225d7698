"""Chunk work on an existing Dask cluster, for days too big for one machine (`parallel.dask_address`).

Why dask.distributed inside the tasks rather than prefect-dask's DaskTaskRunner: the task runner turns
every chunk into a Prefect task run, and each Dask worker then talks to the Prefect API; without a
separately started Prefect server every worker starts its own temporary server (about 50 s each on
this machine, DESIGN.md), and with one every chunk costs API round trips. Here the flow stays one
Prefect run with one task per stage, and a stage hands its chunks to the cluster as plain function
calls: no Prefect on the workers at all, only newsetl's own code (installed there as on the flow's machine).

The same per-chunk functions run as in a local pool and the results come back in chunk order, so the
datasets are byte-identical to a local run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


class ClusterError(RuntimeError):
    """The configured Dask cluster cannot be used (not installed, unreachable)."""


def run_chunk(function: Callable[[Sequence], list], chunk: Sequence) -> list:
    """What a Dask worker runs: one stage function on one chunk (both sent to the worker as data)."""
    return function(chunk)


def cluster_client(address: str, timeout_seconds: float):
    """A connected client for the scheduler at `address`, shared by every stage of the process."""
    try:
        from distributed import Client
    except ImportError as error:
        raise ClusterError(
            f"parallel.dask_address is {address!r} but dask.distributed is not installed: "
            "pip install 'newsetl[dask]' (on the workers too)"
        ) from error
    with _clients_lock:
        client = _clients.get(address)
        if client is None or client.status != "running":
            try:
                client = Client(address, timeout=timeout_seconds, set_as_default=False)
            except (OSError, TimeoutError) as error:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {address} within {timeout_seconds:g} s "
                    f"(parallel.dask_address): {error}"
                ) from error
            _clients[address] = client
    return client


def map_on_cluster(
    function: Callable[[Sequence], list], chunks: Sequence[Sequence], address: str, timeout_seconds: float
) -> list:
    """function(chunk) for every chunk on the cluster, results concatenated in chunk order."""
    client = cluster_client(address, timeout_seconds)
    # Sent to every worker once rather than embedded in every task: the function may carry a large learned
    # index. The chunks are spread over the workers, and each runs where its chunk is.
    function_on_cluster = client.scatter(function, broadcast=True)
    chunks_on_cluster = client.scatter(list(chunks))
    futures = client.map(run_chunk, [function_on_cluster] * len(chunks), chunks_on_cluster, pure=False)
    try:
        return [result for chunk_results in client.gather(futures) for result in chunk_results]
    finally:
        client.cancel([*futures, *chunks_on_cluster, function_on_cluster])


def close_clients() -> None:
    """Disconnect from every cluster (the cluster itself keeps running)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
