import os
import time
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest

from tasks.boilerplate_learned import batch_line_index, batch_line_rows, line_index_table
from tasks.config import ParallelSettings, Settings
from tasks.ingest import chunks_by_size, ingest
from tasks import parallel
from tasks.parallel import chunked, map_chunk_list, worker_pool
from tasks.dedup import find_duplicates, load_history
from tasks.fingerprint import Fingerprinted, fingerprint
from tasks.per_article import clean_chunk, identify_chunk, segment_chunk
from tasks.split import split_documents

from tests.conftest import SEEDS
from tests.helpers import DATE


TWO_WORKERS = ParallelSettings(workers=2)


def one_by_one(function, items, settings=TWO_WORKERS):
    """function over chunks of one item each, on two worker processes."""
    return map_chunk_list(function, chunked(items, 1), settings)


def test_chunks_keep_order_and_cover_everything():
    assert chunked(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


def _started_at(chunk: list[float]) -> list[tuple[float, float]]:
    started = time.monotonic()
    time.sleep(chunk[0])
    return [(chunk[0], started)]


def test_the_costliest_chunks_start_first_and_results_keep_chunk_order():
    chunks = [[0.2], [0.2], [0.2], [0.01]]
    results = map_chunk_list(_started_at, chunks, TWO_WORKERS, costs=[1, 1, 1, 5])
    assert [seconds for seconds, _ in results] == [0.2, 0.2, 0.2, 0.01]
    started = [at for _, at in results]
    # Chunk 3 goes first; chunk 2, the last by cost, waits for a worker to finish a 0.2 s chunk. (No margin
    # on the first: under load a worker may start late, and in file order chunk 3 would start after chunk 2.)
    assert started[3] < started[2]
    assert started[2] >= min(started[0], started[1]) + 0.2


def test_workers_give_the_same_articles_as_one_process():
    settings = Settings()
    ingested = ingest(SEEDS, settings.input.extensions, settings.ingest, settings.input.fields)
    drafts = split_documents(ingested.documents, DATE, settings.split).articles
    clean = partial(clean_chunk, settings=settings, learned=frozenset())
    one = map_chunk_list(clean, [drafts], ParallelSettings(workers=1))
    # Chunks of one article over two worker processes.
    two = one_by_one(clean, drafts)
    assert two == one and len(one) == 3
    identify = partial(identify_chunk, settings=settings.langid)
    identified = one_by_one(identify, two)
    assert identified == identify_chunk(one, settings.langid)
    segmented = one_by_one(segment_chunk, identified)
    assert segmented == segment_chunk(identified) and all(segments.sentences for segments in segmented)


def test_files_read_on_workers_give_the_same_ingest_result(tmp_path):
    # Good files, a quarantined file and an unsupported one, interleaved: order must survive the chunks.
    (tmp_path / "a.txt").write_text("First story line one.\n\nSecond paragraph.\n")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "c.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "d.jsonl").write_text('{"text": "A record."}\nnot json\n')
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "e.txt").write_text("Another story.\n")
    settings = Settings()
    read = partial(ingest, tmp_path, settings.input.extensions, settings.ingest, settings.input.fields)
    serial = read()
    # Chunks of about one byte: every file is a chunk of its own, over two worker processes.
    on_workers = read(ParallelSettings(workers=2, chunk_megabytes=0.000001))
    assert on_workers == serial
    assert [document.source_file for document in serial.documents] == ["a.txt", "d.jsonl", "nested/e.txt"]
    assert [record.source_file for record in serial.quarantined] == ["b.bin", "c.txt", "d.jsonl"]


def test_files_are_chunked_by_size_in_order(tmp_path):
    paths = []
    for name, size in (("a", 3), ("b", 3), ("c", 10), ("d", 1)):
        path = tmp_path / name
        path.write_bytes(b"x" * size)
        paths.append(SimpleNamespace(path=path))
    chunks = chunks_by_size(paths, chunk_bytes=6)
    assert [[file.path.name for file in chunk] for chunk in chunks] == [["a", "b"], ["c"], ["d"]]


def test_the_learned_line_index_is_the_same_from_chunks():
    settings = Settings()
    ingested = ingest(SEEDS, settings.input.extensions, settings.ingest, settings.input.fields)
    drafts = split_documents(ingested.documents, DATE, settings.split).articles
    learned = settings.clean.learned
    rows = one_by_one(partial(batch_line_rows, date=DATE, settings=learned), drafts)
    assert line_index_table(rows).equals(batch_line_index(drafts, DATE, learned))
    assert batch_line_index(drafts, DATE, learned).num_rows > 0


def test_fingerprints_from_chunks_on_workers_give_the_same_dedup_result(tmp_path):
    settings = Settings()
    ingested = ingest(SEEDS, settings.input.extensions, settings.ingest, settings.input.fields)
    drafts = split_documents(ingested.documents, DATE, settings.split).articles
    cleaned = [clean_chunk([draft], settings, frozenset()) for draft in drafts]
    chunks = [[article for article in chunk if article.paragraphs] for chunk in cleaned]
    assert len(chunks) == 3
    articles = [article for chunk in chunks for article in chunk]
    joined = Fingerprinted.concatenate([fingerprint(chunk, DATE, settings.dedup) for chunk in chunks])
    whole = fingerprint(articles, DATE, settings.dedup)
    assert joined.prints.article_ids == whole.prints.article_ids
    for name in ("n_shingles", "signatures", "anchors", "anchor_offsets"):
        assert np.array_equal(getattr(joined.prints, name), getattr(whole.prints, name)), name
    assert np.array_equal(joined.shingles.hashes, whole.shingles.hashes)
    assert np.array_equal(joined.shingles.offsets, whole.shingles.offsets)

    history = load_history(tmp_path, DATE, settings.dedup)
    given = find_duplicates(articles, DATE, history, settings.dedup, joined)
    computed = find_duplicates(articles, DATE, history, settings.dedup)
    assert given.duplicates == computed.duplicates and len(given.duplicates) == 1
    assert [a.article_id for a in given.survivors] == [a.article_id for a in computed.survivors]
    assert given.index_table(settings.dedup).equals(computed.index_table(settings.dedup))
    with pytest.raises(ValueError, match="not those of the articles"):
        find_duplicates(articles[::-1][:1], DATE, history, settings.dedup, joined)


def test_the_fork_server_compiles_the_runs_rule_library_once(monkeypatch):
    from tasks import per_article, worker_preload
    from tasks.parallel import PRELOAD_CLEAN_SETTINGS

    clean = Settings().clean.model_copy(update={"disabled_rules": ["chrome.advertisement"]})
    monkeypatch.setattr(per_article, "_rules_by_settings", {})
    monkeypatch.setenv(PRELOAD_CLEAN_SETTINGS, clean.model_dump_json())
    worker_preload.compile_rules()
    assert list(per_article._rules_by_settings) == [clean.model_dump_json()]  # what rules_for(clean) looks up
    assert "chrome.advertisement" not in {rule.name for rule in per_article.rules_for(clean)}
    # Settings a run would refuse leave the fork server running; the run itself reports them.
    monkeypatch.setenv(PRELOAD_CLEAN_SETTINGS, clean.model_copy(update={"disabled_rules": ["no.such_rule"]}).model_dump_json())
    worker_preload.compile_rules()


def test_candidate_pairs_compared_on_workers_give_the_same_counts(tmp_path, monkeypatch):
    from tasks import dedup, minhash

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(0, 60)))) for _ in range(60)]
    sets = minhash.shingle_sets(texts, 2).spill(tmp_path / "shingles.u64")
    pairs = np.unique(np.sort(rng.integers(0, 60, size=(400, 2)), axis=1), axis=0)
    monkeypatch.setattr(dedup, "_PAIRS_PER_JOB", 50)  # several jobs, on two workers
    on_workers = dedup._shared_counts(sets, pairs, TWO_WORKERS)
    expected = [len(np.intersect1d(sets.of(a), sets.of(b))) for a, b in pairs.tolist()]
    assert on_workers.tolist() == expected and max(expected) > 0
    assert minhash.pair_shared_counts(sets, pairs).tolist() == expected


def _process_id(chunk: list) -> list[int]:
    return [os.getpid() for _ in chunk]


def test_a_run_keeps_its_workers_for_every_step():
    with worker_pool(TWO_WORKERS):
        workers = set(parallel._run_pool.get()._processes)
        first = set(map_chunk_list(_process_id, chunked(range(6), 1), TWO_WORKERS))
        second = set(map_chunk_list(_process_id, chunked(range(6), 1), TWO_WORKERS))
    # Which of the two takes which chunk is up to them (one may take all six): both steps ran on the
    # run's workers, none on a worker of its own.
    assert os.getpid() not in workers and first | second <= workers
    # Outside a run's pool, each call starts workers of its own.
    third = set(map_chunk_list(_process_id, chunked(range(6), 1), TWO_WORKERS))
    assert os.getpid() not in third and not third & workers


def test_a_run_pool_starts_all_its_workers_before_the_first_step():
    with worker_pool(TWO_WORKERS):
        # Started on entering, so that their start overlaps the flow's own work before the first chunks.
        started = parallel._run_pool.get()._processes
        assert len(started) == 2
        assert set(map_chunk_list(_process_id, chunked(range(6), 1), TWO_WORKERS)) == set(started)


def test_a_failing_chunk_fails_the_call_and_the_run_pool_stops():
    with pytest.raises(ZeroDivisionError):
        with worker_pool(TWO_WORKERS):
            run_pool = parallel._run_pool.get()
            map_chunk_list(_inverse, [[1], [0], [2]], TWO_WORKERS)
    assert parallel._run_pool.get() is None
    with pytest.raises(RuntimeError, match="after shutdown"):
        run_pool.submit(_inverse, [1])  # the run's pool was shut down on the way out
    assert map_chunk_list(_inverse, [[1], [4]], TWO_WORKERS) == [1.0, 0.25]


def _inverse(chunk: list[int]) -> list[float]:
    return [1 / value for value in chunk]
