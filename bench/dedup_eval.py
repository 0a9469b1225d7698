"""Dedup: the BBC corpus's known exact groups, a labelled near-duplicate benchmark, and throughput.

    .venv/bin/python bench/dedup_eval.py [--seed 1] [--articles 100000] [--skip-throughput]

1. BBC exact groups: ../shared/eval/corpus/bbc has 98 groups of byte-identical articles
   (bbc_exact_duplicate_groups.json); each must end in one cluster: one member kept and the others its
   'exact' copies, or the whole group dropped for a longer near-duplicate (the survivor rule's "longest").
   Every other BBC merge (near, contained) is listed with its similarity, for a reader to judge.
2. Near-duplicate benchmark: BBC articles that no loose dedup run (Jaccard 0.2, containment 0.5)
   relates to another BBC article; a fifth are donors of added text, the rest bases, and each base gets
   one copy per perturbation of bench/dedup_corpus.py. Labels: a copy belongs to its base's story, and every base is its own story
   (same-topic negatives). Two set-ups: all in one batch (verified on real shingle sets), and bases on
   day 1 with each perturbation's copies in a day-2 batch of their own (against the index only:
   estimates from stored signatures and anchors). Per
   perturbation: recall = copies grouped with their base; precision = such pairs / (such pairs + pairs
   of the copy with another story in one group). A threshold sweep shows the default's trade-off.
3. Throughput: a synthetic corpus (default 100,000 articles, 20% perturbed copies) built from BBC
   sentences; deduplicate() timed end to end (normalising, hashing, signatures, LSH, anchors,
   verification, clusters), wall and CPU seconds of this process; then half of it against an index of
   the other half; and the index's bytes per kept article.

Prints tables and writes bench/results/dedup.json. The machine is shared: CPU seconds (time.process_time)
are less disturbed by other processes than wall seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from dedup_corpus import PERTURBATIONS, STRESS, clean_article, read_bbc, synthetic_corpus  # noqa: E402

from tasks import minhash  # noqa: E402
from tasks.config import DedupSettings  # noqa: E402
from tasks.dedup import deduplicate, fingerprint, history_table, load_history, normalise_for_hash  # noqa: E402
from tasks.dedup_index import ArticleFingerprints, index_dir  # noqa: E402
from tasks.write import write_parquet_file  # noqa: E402

EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))
BBC = EVAL_DIR / "corpus" / "bbc"
GROUPS = EVAL_DIR / "corpus" / "bbc_exact_duplicate_groups.json"
RESULTS = REPO / "bench" / "results" / "dedup.json"
DAY_1, DAY_2 = dt.date(2025, 1, 1), dt.date(2025, 1, 2)
SWEEP = [0.35, 0.45, 0.5, 0.55, 0.65]


def bbc_articles(bbc):
    return [clean_article(article.path, article.paragraphs, article.path, article.title) for article in bbc]


def survivor_of(duplicates) -> dict[str, str]:
    return {d.article_id: d.duplicate_of for d in duplicates}


# --- 1. BBC -------------------------------------------------------------------------------------------


def bbc_check(bbc, settings) -> dict:
    articles = bbc_articles(bbc)
    started, cpu = time.perf_counter(), time.process_time()
    survivors, duplicates = deduplicate(articles, DAY_1, ArticleFingerprints.empty(settings), settings)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    kept = survivor_of(duplicates)
    method = {d.article_id: d.method for d in duplicates}
    groups = json.loads(GROUPS.read_text())
    in_one_cluster, member_kept_others_exact, kept_elsewhere = 0, 0, []
    for group in groups:
        roots = {kept.get(path, path) for path in group}
        dropped = [path for path in group if path in kept]
        in_one_cluster += len(roots) == 1
        if len(roots) == 1 and len(dropped) == len(group) - 1:
            member_kept_others_exact += all(method[p] == "exact" for p in dropped)
        elif len(roots) == 1:  # the whole group dropped for a fuller version of the story
            kept_elsewhere.append({"group": group, "kept": roots.pop(), "methods": [method[p] for p in dropped]})
    by_path = {article.path: article for article in bbc}
    merges = []
    for d in duplicates:
        if d.method == "exact":
            continue
        a, b = by_path[d.article_id], by_path[d.duplicate_of]
        shared = len(set(a.paragraphs) & set(b.paragraphs))
        merges.append(
            {
                "dropped": d.article_id, "kept": d.duplicate_of, "method": d.method, "similarity": d.similarity,
                "jaccard": round(_jaccard(a.paragraphs, b.paragraphs), 3),
                "identical_paragraphs": f"{shared}/{len(a.paragraphs)}",
                "titles": [a.title, b.title],
            }
        )
    return {
        "articles": len(articles), "exact_groups": len(groups), "exact_groups_in_one_cluster": in_one_cluster,
        "exact_groups_one_member_kept_others_exact": member_kept_others_exact,
        "exact_groups_dropped_for_another_article": kept_elsewhere,
        "duplicates_by_method": dict(Counter(d.method for d in duplicates)), "survivors": len(survivors),
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
        "other_merges": sorted(merges, key=lambda m: m["similarity"]),
    }


def _jaccard(a: list[str], b: list[str]) -> float:
    sets = minhash.shingle_sets([normalise_for_hash("\n".join(a)), normalise_for_hash("\n".join(b))], 2)
    return minhash.jaccard_and_containment(sets.of(0), sets.of(1))[0]


# --- 2. near-duplicate benchmark ----------------------------------------------------------------------


def unrelated_bases(bbc, settings) -> list:
    """BBC articles that a loose dedup run relates to no other BBC article."""
    loose = settings.model_copy(update={"threshold": 0.2, "containment_threshold": 0.5})
    _, duplicates = deduplicate(bbc_articles(bbc), DAY_1, ArticleFingerprints.empty(loose), loose)
    related = {d.article_id for d in duplicates} | {d.duplicate_of for d in duplicates}
    return [article for article in bbc if article.path not in related]


def labelled_copies(unrelated, seed: int, perturbations: dict):
    """(articles, story of each article id, perturbation of each copy id). A fifth of the unrelated
    articles are donors, never bases: paragraphs added to a copy come from a donor of the same topic, so
    that no copy holds text of another story of the benchmark."""
    rng = random.Random(seed)
    shuffled = sorted(unrelated, key=lambda article: article.path)
    rng.shuffle(shuffled)
    donors = defaultdict(list)
    for article in shuffled[: len(shuffled) // 5]:
        donors[article.topic].append(article)
    bases = sorted(shuffled[len(shuffled) // 5 :], key=lambda article: article.path)
    articles, story, kind = [], {}, {}
    for number, base in enumerate(bases):
        articles.append(clean_article(f"b{number:05d}", base.paragraphs, f"bases/{base.path}", base.title))
        story[f"b{number:05d}"] = base.path
        for name, perturb in perturbations.items():
            donor = rng.choice(donors[base.topic])
            copy_id = f"c{number:05d}-{name}"
            articles.append(clean_article(copy_id, perturb(list(base.paragraphs), rng, donor.paragraphs), f"copies/{name}/{base.path}"))
            story[copy_id], kind[copy_id] = base.path, name
    return articles, story, kind


def score(articles, duplicates, story, kind) -> dict:
    kept = survivor_of(duplicates)
    group = {article.article_id: kept.get(article.article_id, article.article_id) for article in articles}
    members = defaultdict(list)
    for article_id, root in group.items():
        members[root].append(article_id)
    base_of = {s: a for a, s in story.items() if a not in kind}
    true_positive, false_negative, false_positive = Counter(), Counter(), Counter()
    negatives_merged = []
    for copy_id, name in kind.items():
        if group[copy_id] == group[base_of[story[copy_id]]]:
            true_positive[name] += 1
        else:
            false_negative[name] += 1
    for ids in members.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if story[a] == story[b]:
                    continue
                for side in (a, b):
                    if side in kind:
                        false_positive[kind[side]] += 1
                if a not in kind and b not in kind:
                    negatives_merged.append(sorted([story[a], story[b]]))
    rows = {}
    for name in sorted(set(kind.values()), key=list(PERTURBATIONS | STRESS).index) + ["all"]:
        tp = sum(true_positive.values()) if name == "all" else true_positive[name]
        fn = sum(false_negative.values()) if name == "all" else false_negative[name]
        fp = sum(false_positive.values()) + len(negatives_merged) if name == "all" else false_positive[name]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows[name] = {"pairs": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                      "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
    return {"by_perturbation": rows, "same_topic_negatives_merged": negatives_merged}


def in_one_batch(articles, settings):
    fresh = [clean_article(a.article_id, [p.text for p in a.paragraphs], a.source_file, a.title) for a in articles]
    started, cpu = time.perf_counter(), time.process_time()
    _, duplicates = deduplicate(fresh, DAY_1, ArticleFingerprints.empty(settings), settings)
    return duplicates, time.perf_counter() - started, time.process_time() - cpu


def across_two_days(articles, settings, kind):
    """Bases written to the index on day 1; then, for each perturbation on its own, its copies
    deduplicated on day 2 against that index. One copy per base in a day-2 batch: a copy can only find
    its base through the index (estimated similarities), not through another copy of it."""
    fresh = [clean_article(a.article_id, [p.text for p in a.paragraphs], a.source_file, a.title) for a in articles]
    day_1 = [a for a in fresh if a.article_id not in kind]
    seconds = cpu_seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder)
        kept_1, duplicates = deduplicate(day_1, DAY_1, ArticleFingerprints.empty(settings), settings)
        table = history_table(kept_1, settings, duplicates)
        write_parquet_file(table, index_dir(state) / f"date={DAY_1}" / "part-0.parquet", "zstd", 3)
        for name in sorted(set(kind.values())):
            day_2 = [a for a in fresh if kind.get(a.article_id) == name]
            started, cpu = time.perf_counter(), time.process_time()
            _, found = deduplicate(day_2, DAY_2, load_history(state, DAY_2, settings), settings)
            seconds, cpu_seconds = seconds + time.perf_counter() - started, cpu_seconds + time.process_time() - cpu
            duplicates += found
    return duplicates, seconds, cpu_seconds


# --- 3. throughput ------------------------------------------------------------------------------------


def throughput(bbc, n_articles: int, seed: int, settings) -> dict:
    articles = synthetic_corpus(bbc, n_articles, 0.2, seed)
    gc.collect()
    gc.freeze()  # the corpus's million Paragraph objects are long-lived: keep them out of collections
    result = {"articles": len(articles), "copies": sum(a.article_id.startswith("c") for a in articles)}

    started, cpu = time.perf_counter(), time.process_time()
    fingerprint(articles, DAY_1, settings)
    result["fingerprint_seconds"] = round(time.perf_counter() - started, 2)
    result["fingerprint_cpu_seconds"] = round(time.process_time() - cpu, 2)

    started, cpu = time.perf_counter(), time.process_time()
    survivors, duplicates = deduplicate(articles, DAY_1, ArticleFingerprints.empty(settings), settings)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    result.update(
        dedup_seconds=round(seconds, 2), dedup_cpu_seconds=round(cpu_seconds, 2),
        docs_per_second=round(len(articles) / seconds), docs_per_cpu_second=round(len(articles) / cpu_seconds),
        duplicates_by_method=dict(Counter(d.method for d in duplicates)),
        copies_found=sum(d.article_id.startswith("c") for d in duplicates),
        originals_dropped=sum(d.article_id.startswith("s") for d in duplicates),
    )

    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder)
        first = [a for i, a in enumerate(articles) if i % 2 == 0]
        second = [a for i, a in enumerate(articles) if i % 2 == 1]
        kept, dropped = deduplicate(first, DAY_1, ArticleFingerprints.empty(settings), settings)
        path = index_dir(state) / f"date={DAY_1}" / "part-0.parquet"
        write_parquet_file(history_table(kept, settings, dropped), path, "zstd", 3)
        started, cpu = time.perf_counter(), time.process_time()
        history = load_history(state, DAY_2, settings)
        _, later = deduplicate(second, DAY_2, history, settings)
        result.update(
            index_bytes=path.stat().st_size, index_kept_rows=len(kept), index_dropped_rows=len(dropped),
            index_bytes_per_kept_article=round(path.stat().st_size / len(kept), 1),
            against_index_articles=len(second), against_index_history_rows=len(history),
            against_index_seconds=round(time.perf_counter() - started, 2),
            against_index_cpu_seconds=round(time.process_time() - cpu, 2),
            against_index_duplicates=len(later),
        )
    gc.unfreeze()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


# --- report -------------------------------------------------------------------------------------------


def print_scores(title: str, scores: dict, seconds: float, cpu_seconds: float) -> None:
    print(f"\n{title}  ({seconds:.1f} s wall, {cpu_seconds:.1f} s CPU)")
    print(f"  {'perturbation':26} {'pairs':>6} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, row in scores["by_perturbation"].items():
        print(f"  {name:26} {row['pairs']:6d} {row['precision']:9.4f} {row['recall']:7.4f} {row['f1']:6.4f}")
    print(f"  same-topic negatives merged: {len(scores['same_topic_negatives_merged'])} {scores['same_topic_negatives_merged'][:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not BBC.is_dir():
        sys.exit(f"evaluation data not found at {BBC}")
    settings = DedupSettings()
    bbc = read_bbc(BBC)
    results = {
        "settings": settings.model_dump(), "seed": args.seed, "python": platform.python_version(),
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }

    results["bbc"] = bbc_check(bbc, settings)
    b = results["bbc"]
    print(f"BBC: {b['articles']} articles; exact groups in one cluster: {b['exact_groups_in_one_cluster']}/{b['exact_groups']} "
          f"(one member kept, the others 'exact' copies of it: {b['exact_groups_one_member_kept_others_exact']}; "
          f"whole group dropped for a fuller version: {b['exact_groups_dropped_for_another_article']}); "
          f"duplicates {b['duplicates_by_method']}, {b['seconds']} s wall, {b['cpu_seconds']} s CPU")
    print("  other BBC merges (dropped <- kept: similarity, 2-word-shingle Jaccard, identical paragraphs, titles):")
    for m in b["other_merges"]:
        print(f"    {m['method']:9} {m['dropped']} <- {m['kept']}: {m['similarity']:.3f} J={m['jaccard']:.3f} "
              f"{m['identical_paragraphs']:>6}  {m['titles'][0][:38]!r} / {m['titles'][1][:38]!r}")

    unrelated = unrelated_bases(bbc, settings)
    articles, story, kind = labelled_copies(unrelated, args.seed, PERTURBATIONS)
    n_bases = len(articles) - len(kind)
    results["benchmark"] = {"unrelated": len(unrelated), "bases": n_bases, "copies": len(kind), "articles": len(articles)}
    print(f"\nBenchmark: {len(unrelated)} unrelated BBC articles: {len(unrelated) - n_bases} donors, {n_bases} bases, "
          f"{len(kind)} copies ({len(PERTURBATIONS)} perturbations each)")

    duplicates, seconds, cpu_seconds = in_one_batch(articles, settings)
    results["benchmark"]["in_one_batch"] = scores = score(articles, duplicates, story, kind)
    scores.update(seconds=round(seconds, 2), cpu_seconds=round(cpu_seconds, 2))
    print_scores("In one batch (verified on the real shingle sets)", scores, seconds, cpu_seconds)

    duplicates, seconds, cpu_seconds = across_two_days(articles, settings, kind)
    results["benchmark"]["across_two_days"] = scores = score(articles, duplicates, story, kind)
    scores.update(seconds=round(seconds, 2), cpu_seconds=round(cpu_seconds, 2))
    print_scores("Day-2 copies against the day-1 index (estimated), one perturbation per batch", scores, seconds, cpu_seconds)

    print("\nThreshold sweep: benchmark in one batch (precision / recall / F1) and BBC near merges")
    results["benchmark"]["sweep"] = {}
    for threshold in SWEEP:
        swept = settings.model_copy(update={"threshold": threshold})
        duplicates, _, _ = in_one_batch(articles, swept)
        row = score(articles, duplicates, story, kind)["by_perturbation"]["all"]
        _, bbc_duplicates = deduplicate(bbc_articles(bbc), DAY_1, ArticleFingerprints.empty(swept), swept)
        row["bbc_near_merges"] = sum(d.method == "near" for d in bbc_duplicates)
        row["bbc_near_merges_below_0_5"] = sum(d.method == "near" and d.similarity < 0.5 for d in bbc_duplicates)
        results["benchmark"]["sweep"][str(threshold)] = row
        print(f"  {threshold:.2f} -> {row['precision']:.4f} / {row['recall']:.4f} / {row['f1']:.4f}; "
              f"BBC near merges {row['bbc_near_merges']} ({row['bbc_near_merges_below_0_5']} at similarity < 0.5)")

    stressed, stress_story, stress_kind = labelled_copies(unrelated, args.seed, STRESS)
    duplicates, seconds, cpu_seconds = in_one_batch(stressed, settings)
    results["benchmark"]["stress_in_one_batch"] = scores = score(stressed, duplicates, stress_story, stress_kind)
    print_scores("Stress: heavier perturbations, in one batch (not part of the targets)", scores, seconds, cpu_seconds)

    if not args.skip_throughput:
        results["throughput"] = t = throughput(bbc, args.articles, args.seed, settings)
        print(f"\nThroughput: {t['articles']} synthetic articles ({t['copies']} perturbed copies), one process")
        print(f"  fingerprints only:   {t['fingerprint_seconds']} s wall, {t['fingerprint_cpu_seconds']} s CPU")
        print(f"  deduplicate, batch:  {t['dedup_seconds']} s wall, {t['dedup_cpu_seconds']} s CPU "
              f"= {t['docs_per_second']} docs/s wall, {t['docs_per_cpu_second']} docs/CPU-s; "
              f"{t['copies_found']} copies found, {t['originals_dropped']} originals dropped {t['duplicates_by_method']}")
        print(f"  {t['against_index_articles']} against an index of {t['against_index_history_rows']}: "
              f"{t['against_index_seconds']} s wall, {t['against_index_cpu_seconds']} s CPU (load included)")
        print(f"  peak memory of the whole benchmark process: {t['peak_rss_mb']} MB")
        print(f"  index: {t['index_bytes_per_kept_article']} bytes per kept article "
              f"({t['index_kept_rows']} kept + {t['index_dropped_rows']} dropped rows, {t['index_bytes']} bytes)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
