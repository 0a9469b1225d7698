"""Throughput of the clean stage alone, on a realistic corpus (bench/corpus.py).

    .venv/bin/python bench/clean_speed.py [--mb 10] [--runs 3] [--profile]

Ingest and split run once, untimed; then the clean stage as flows/daily.py wires it (the batch's line
index, the learned keys without history, the line rules and every cleaning pass) runs --runs times in
this process, one core, each run with the per-line caches emptied first, as in a fresh process (the
rules' compiled regexes come from their cache on disk after the first run, as in the flow's workers). Reported: MB of raw corpus cleaned per second, median of the runs, and per CPU
second, best of the runs (time.process_time: the figure to compare on a shared machine). With
--profile, one extra run under cProfile prints the 25 most expensive functions (tottime).
Writes bench/results/clean_speed.json.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus import build_corpus  # noqa: E402

from tasks import text_density  # noqa: E402
from tasks.boilerplate_learned import INDEX_SCHEMA, batch_line_index, learned_line_keys, line_key, normalise_line  # noqa: E402
from tasks.clean import clean_articles  # noqa: E402
from tasks.config import Settings, load_config  # noqa: E402
from tasks.ingest import ingest  # noqa: E402
from tasks.records import ArticleDraft  # noqa: E402
from tasks.rules import load_rules  # noqa: E402
from tasks.split import split_documents  # noqa: E402

RESULTS = REPO / "bench" / "results" / "clean_speed.json"
DATE = dt.date(2025, 1, 1)


# What cleaning remembers per distinct line, emptied before each run so that runs do not speed each other up.
PER_LINE_CACHES = (normalise_line, line_key, text_density.words, text_density.line_facts)


def clean_stage(drafts: list[ArticleDraft], settings: Settings) -> int:
    """flows/daily.py's clean_task without Prefect and without history; returns the kept paragraphs."""
    for cache in PER_LINE_CACHES:
        cache.cache_clear()
    learned_settings = settings.clean.learned
    learned: frozenset[int] = frozenset()
    if learned_settings.enabled:
        batch = batch_line_index(drafts, DATE, learned_settings)
        learned = learned_line_keys(batch, INDEX_SCHEMA.empty_table(), learned_settings)
    cleaned = clean_articles(drafts, load_rules(settings.clean), settings.clean, learned)
    return sum(len(article.paragraphs) for article in cleaned)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings = load_config(REPO / "config.yaml")
    with tempfile.TemporaryDirectory() as temporary:
        made = build_corpus(Path(temporary), int(args.mb * 1e6))
        ingested = ingest(Path(temporary), settings.input.extensions, settings.ingest)
    drafts = split_documents(ingested.documents, DATE, settings.split).articles
    megabytes = made["bytes"] / 1e6

    seconds, cpu_seconds = [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        paragraphs = clean_stage(drafts, settings)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    median = statistics.median(seconds)
    # CPU time as well: on a shared machine the wall time says more about the other processes.
    best_cpu = min(cpu_seconds)
    result = {
        "mb": round(megabytes, 2),
        "articles": len(drafts),
        "paragraphs_kept": paragraphs,
        "runs_seconds": [round(value, 3) for value in seconds],
        "median_seconds": round(median, 3),
        "mb_per_s": round(megabytes / median, 3),
        "runs_cpu_seconds": [round(value, 3) for value in cpu_seconds],
        "best_cpu_seconds": round(best_cpu, 3),
        "mb_per_cpu_s": round(megabytes / best_cpu, 3),
    }
    print(f"{'MB':>6} {'articles':>9} {'runs (s)':>24} {'median s':>9} {'MB/s':>7} {'best CPU s':>11} {'MB/CPU s':>9}")
    runs = " ".join(f"{value:.2f}" for value in seconds)
    print(
        f"{megabytes:6.2f} {len(drafts):9d} {runs:>24} {median:9.2f} {result['mb_per_s']:7.2f}"
        f" {best_cpu:11.2f} {result['mb_per_cpu_s']:9.2f}"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(clean_stage, drafts, settings)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
