"""Chunk work on a real Dask cluster: a scheduler and two worker processes on loopback."""

import datetime as dt
from functools import partial

import pytest
import yaml
from distributed import LocalCluster, get_task_stream

from tasks.config import ParallelSettings, Settings
from tasks.dask_cluster import ClusterError, close_clients, cluster_client
from tasks.ingest import ingest
from tasks.parallel import chunked, map_chunk_list
from tasks.per_article import clean_chunk
from tasks.schemas import PARTITION_DATASETS
from tasks.split import split_documents

from tests.conftest import REPO, SEEDS
from tests.helpers import DATE


@pytest.fixture(scope="module")
def scheduler_address():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address
        close_clients()


def seed_drafts(settings: Settings):
    ingested = ingest(SEEDS, settings.input.extensions, settings.ingest, settings.input.fields)
    return split_documents(ingested.documents, DATE, settings.split).articles


def test_chunks_run_on_both_workers_and_come_back_in_order(scheduler_address):
    settings = Settings()
    drafts = seed_drafts(settings)
    clean = partial(clean_chunk, settings=settings, learned=frozenset())
    on_cluster = ParallelSettings(dask_address=scheduler_address)
    with get_task_stream(client=cluster_client(scheduler_address, 30)) as task_stream:
        cleaned = map_chunk_list(clean, chunked(drafts, 1), on_cluster)
    assert cleaned == clean_chunk(drafts, settings, frozenset()) and len(cleaned) == 3
    chunk_tasks = [task for task in task_stream.data if task["key"].startswith("run_chunk")]
    assert len(chunk_tasks) == 3
    # Two idle single-thread workers and three chunks: both workers get work.
    assert len({task["worker"] for task in chunk_tasks}) == 2


def test_an_unreachable_scheduler_is_a_clear_error():
    # Port 9 (discard) on loopback: nothing listens there.
    with pytest.raises(ClusterError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s"):
        map_chunk_list(str.upper, [["a"]], ParallelSettings(dask_address="tcp://127.0.0.1:9", dask_timeout_seconds=1))


def partition_files(data_dir):
    return {
        path.relative_to(data_dir).as_posix(): path.read_bytes()
        for dataset in PARTITION_DATASETS
        for path in sorted((data_dir / "curated" / dataset).rglob("*.parquet"))
    }


@pytest.mark.e2e
def test_the_daily_flow_on_the_cluster_writes_the_same_bytes_as_a_local_run(scheduler_address, tmp_path):
    from flows.daily import daily_flow

    date = dt.date(2025, 3, 4)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    outputs = {}
    for name, parallel in (
        # Every file a chunk of its own, so that the cluster gets several.
        ("local", {"workers": 1, "chunk_megabytes": 0.000001}),
        ("dask", {"chunk_megabytes": 0.000001, "dask_address": scheduler_address}),
    ):
        config["parallel"] = parallel
        config_path = tmp_path / f"{name}.yaml"
        config_path.write_text(yaml.safe_dump(config))
        data_dir = tmp_path / name
        report = daily_flow(input_path=SEEDS, date=date, data_dir=data_dir, config_path=config_path)
        assert report.status == "completed"
        outputs[name] = partition_files(data_dir)
    assert outputs["dask"] == outputs["local"] and len(outputs["local"]) >= len(PARTITION_DATASETS)
