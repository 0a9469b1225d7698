"""Accuracy and speed of tasks.langid.LanguageIdentifier against plain seeded langdetect, in one run.

    .venv/bin/python bench/langid_eval.py [--rounds 5] [--plain-seeds 0]

Accuracy: ../shared/eval/langid/lingua_sentences_dev.jsonl (or $NEWSETL_EVAL_DIR/langid/...), only the
languages langdetect has a profile for; single sentences, and pseudo-articles made of 5 consecutive
sentences of one language. Speed: the BBC corpus (../shared/eval/corpus/bbc/*/*.txt), else seeds/*.txt,
with the default LangidSettings, on all articles and on those of 2.5-3.5 KB; both identifiers get the
same articles, in alternating rounds so that both see the same machine load. Sentence accuracy is also
given for two halves split by a hash of the text, to show whether a difference holds on both. Prints a
table and writes bench/results/langid.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import langdetect  # noqa: E402
import numpy as np  # noqa: E402

from tasks.config import LangidSettings  # noqa: E402
from tasks.langid import LangdetectIdentifier, LanguageIdentifier  # noqa: E402

EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))
SENTENCES = EVAL_DIR / "langid" / "lingua_sentences_dev.jsonl"
BBC = EVAL_DIR / "corpus" / "bbc"
RESULTS = REPO / "bench" / "results" / "langid.json"
SENTENCES_PER_ARTICLE = 5
AROUND_3_KB = (2500, 3500)  # bytes of UTF-8
WORST_SHOWN = 5


def load_labelled_sentences() -> list[dict]:
    # Iterate the file, not str.splitlines(): some sentences contain U+2028, which splitlines splits on.
    with SENTENCES.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    # langdetect_code is null where langdetect has no profile; "zh-cn|zh-tw" accepts either label.
    return [
        {"text": row["text"], "lang": row["lang"], "accepted": set(row["langdetect_code"].split("|"))}
        for row in rows
        if row["langdetect_code"]
    ]


def held_out_half(text: str) -> int:
    """0 or 1, fixed by the text alone: a split that no tuning can have looked at."""
    return hashlib.sha256(text.encode("utf-8")).digest()[0] & 1


def correct_by_half(items: list[dict], correct_flags: list[bool]) -> list[int]:
    counts = [0, 0]
    for item, right in zip(items, correct_flags):
        counts[held_out_half(item["text"])] += right
    return counts


def pseudo_articles(sentences: list[dict]) -> list[dict]:
    """Consecutive groups of SENTENCES_PER_ARTICLE sentences of one language, in file order."""
    by_language: dict[str, list[dict]] = defaultdict(list)
    for sentence in sentences:
        by_language[sentence["lang"]].append(sentence)
    articles = []
    for group in by_language.values():
        for start in range(0, len(group) - SENTENCES_PER_ARTICLE + 1, SENTENCES_PER_ARTICLE):
            chunk = group[start : start + SENTENCES_PER_ARTICLE]
            articles.append({**chunk[0], "text": " ".join(sentence["text"] for sentence in chunk)})
    return articles


def accuracy_report(items: list[dict], predictions: list[str]) -> dict:
    correct = [prediction in item["accepted"] for item, prediction in zip(items, predictions)]
    per_language: dict[str, list[bool]] = defaultdict(list)
    confusions: dict[str, Counter] = defaultdict(Counter)
    for item, prediction, right in zip(items, predictions, correct):
        per_language[item["lang"]].append(right)
        if not right:
            confusions[item["lang"]][prediction] += 1
    by_language = {lang: sum(flags) / len(flags) for lang, flags in per_language.items()}
    worst = sorted(by_language, key=lambda lang: (by_language[lang], lang))[:WORST_SHOWN]
    return {
        "n": len(items),
        "correct": sum(correct),
        "accuracy": sum(correct) / len(items),
        "per_language": by_language,
        "worst": [
            {"lang": lang, "accuracy": by_language[lang], "confused_with": dict(confusions[lang].most_common(3))}
            for lang in worst
        ],
        "correct_flags": correct,
    }


def compare(items: list[dict], ours: list[str], plain: list[str], ours_report: dict, plain_report: dict) -> dict:
    only_ours = sum(a and not b for a, b in zip(ours_report["correct_flags"], plain_report["correct_flags"]))
    only_plain = sum(b and not a for a, b in zip(ours_report["correct_flags"], plain_report["correct_flags"]))
    return {
        "agreement": sum(a == b for a, b in zip(ours, plain)) / len(items),
        # The pairs where exactly one is right (McNemar's test): only these tell the two apart.
        "only_ours_right": only_ours,
        "only_plain_right": only_plain,
    }


def read_articles() -> tuple[str, list[str]]:
    paths = sorted(BBC.glob("*/*.txt")) if BBC.is_dir() else []
    source = "BBC corpus"
    if not paths:  # without the shared data: the two sample files of the repository
        paths, source = sorted((REPO / "seeds").glob("*.txt")), "seeds/"
    return source, [path.read_text(encoding="utf-8", errors="replace") for path in paths]


def articles_per_second(identifier, articles: list[str]) -> float:
    start = time.perf_counter()
    identifier.identify_many(articles)
    return len(articles) / (time.perf_counter() - start)


def measure_speed(articles: list[str], settings: LangidSettings, rounds: int) -> dict:
    ours, plain = LanguageIdentifier(settings), LangdetectIdentifier(settings)
    ours.identify_many(articles[:20])  # loads both models, so loading is not timed
    plain.identify_many(articles[:20])
    ours_rates, plain_rates = [], []
    for _ in range(rounds):
        ours_rates.append(articles_per_second(ours, articles))
        plain_rates.append(articles_per_second(plain, articles))
    ratios = [a / b for a, b in zip(ours_rates, plain_rates)]
    sizes = [len(article.encode("utf-8")) for article in articles]
    return {
        "articles": len(articles),
        "median_bytes": statistics.median(sizes),
        "mean_bytes": statistics.fmean(sizes),
        "rounds": rounds,
        "ours_per_s": ours_rates,
        "plain_per_s": plain_rates,
        "ours_median_per_s": statistics.median(ours_rates),
        "plain_median_per_s": statistics.median(plain_rates),
        "ratio_of_medians": statistics.median(ours_rates) / statistics.median(plain_rates),
        "median_of_round_ratios": statistics.median(ratios),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per identifier (median reported)")
    parser.add_argument(
        "--plain-seeds",
        type=int,
        default=0,
        help="also run plain langdetect's sentence accuracy with seeds 1..N, to show its seed-to-seed spread",
    )
    args = parser.parse_args()
    if not SENTENCES.is_file():
        print(f"missing {SENTENCES} (set NEWSETL_EVAL_DIR)", file=sys.stderr)
        return 1

    # 'und' would count as an error and only measure the thresholds, so accuracy runs without them.
    accuracy_settings = LangidSettings(min_chars=0, min_score=0.0)
    ours = LanguageIdentifier(accuracy_settings)
    plain = LangdetectIdentifier(accuracy_settings)
    full_read = LanguageIdentifier(accuracy_settings)
    full_read.early_stop_margin = math.inf

    sentences = load_labelled_sentences()
    articles = pseudo_articles(sentences)
    results: dict = {"accuracy_settings": accuracy_settings.model_dump()}
    for name, items in (("sentences", sentences), ("pseudo_articles", articles)):
        texts = [item["text"] for item in items]
        ours_labels = [label for label, _ in ours.identify_many(texts)]
        plain_labels = [label for label, _ in plain.identify_many(texts)]
        full_labels = [label for label, _ in full_read.identify_many(texts)]
        ours_report, plain_report = accuracy_report(items, ours_labels), accuracy_report(items, plain_labels)
        results[name] = {
            "ours": ours_report,
            "plain_langdetect": plain_report,
            **compare(items, ours_labels, plain_labels, ours_report, plain_report),
            "early_stop_agrees_with_full_read": sum(a == b for a, b in zip(ours_labels, full_labels)) / len(items),
        }

    halves = {
        "n": correct_by_half(sentences, [True] * len(sentences)),
        "ours": correct_by_half(sentences, results["sentences"]["ours"]["correct_flags"]),
        "plain_langdetect": correct_by_half(sentences, results["sentences"]["plain_langdetect"]["correct_flags"]),
    }
    results["sentences"]["correct_by_half"] = halves
    if args.plain_seeds:
        texts = [sentence["text"] for sentence in sentences]
        by_seed = {accuracy_settings.seed: results["sentences"]["plain_langdetect"]["accuracy"]}
        halves_by_seed = {accuracy_settings.seed: halves["plain_langdetect"]}
        for seed in range(1, args.plain_seeds + 1):
            seeded = LangdetectIdentifier(accuracy_settings.model_copy(update={"seed": seed}))
            report = accuracy_report(sentences, [label for label, _ in seeded.identify_many(texts)])
            by_seed[seed] = report["accuracy"]
            halves_by_seed[seed] = correct_by_half(sentences, report["correct_flags"])
        results["sentences"]["plain_langdetect_accuracy_by_seed"] = by_seed
        results["sentences"]["plain_langdetect_correct_by_half_by_seed"] = halves_by_seed

    source, news = read_articles()
    speed_settings = LangidSettings()
    results["speed"] = {"source": source, "settings": speed_settings.model_dump()}
    low, high = AROUND_3_KB
    around_3_kb = [article for article in news if low <= len(article.encode("utf-8")) <= high]
    for name, subset in (("all", news), ("around_3_kb", around_3_kb)):
        if subset:
            results["speed"][name] = measure_speed(subset, speed_settings, args.rounds)

    print_table(results, len({s["lang"] for s in sentences}))
    for section in ("sentences", "pseudo_articles"):
        for who in ("ours", "plain_langdetect"):
            del results[section][who]["correct_flags"]
    results["environment"] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "langdetect": getattr(langdetect, "__version__", "1.0.9"),
        "cpus": os.cpu_count(),
        "command": "python bench/langid_eval.py " + " ".join(sys.argv[1:]),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(REPO)}")
    return 0


def print_table(results: dict, n_languages: int) -> None:
    print(
        f"Accuracy: the {n_languages} languages (ISO 639-1; nb and nn are both langdetect's 'no') that langdetect has"
        " a profile for; min_chars=0 and min_score=0, so that 'und' does not count as an error"
    )
    print(f"{'':28}{'ours':>10}{'langdetect':>12}{'agree':>8}  only-ours/only-plain right  early-stop=full-read")
    for section, label in (("sentences", "single sentences"), ("pseudo_articles", f"{SENTENCES_PER_ARTICLE}-sentence articles")):
        row = results[section]
        n = row["ours"]["n"]
        print(
            f"{label + f' (n={n})':28}{row['ours']['accuracy']:>10.2%}{row['plain_langdetect']['accuracy']:>12.2%}"
            f"{row['agreement']:>8.2%}  {row['only_ours_right']:>10} / {row['only_plain_right']:<14}"
            f"{row['early_stop_agrees_with_full_read']:>10.2%}"
        )
    for section in ("sentences", "pseudo_articles"):
        for who in ("ours", "plain_langdetect"):
            worst = ", ".join(
                f"{w['lang']} {w['accuracy']:.0%}" + (f" (->{'/'.join(w['confused_with'])})" if w["confused_with"] else "")
                for w in results[section][who]["worst"]
            )
            print(f"  worst {section:<16}{who:<17}{worst}")
    by_seed = results["sentences"].get("plain_langdetect_accuracy_by_seed")
    if by_seed:
        spread = ", ".join(f"{seed}: {accuracy:.2%}" for seed, accuracy in by_seed.items())
        print(f"  plain langdetect sentence accuracy by seed: {spread} (median {statistics.median(by_seed.values()):.2%})")
    halves = results["sentences"]["correct_by_half"]
    print(
        f"  sentences right by held-out half (n={halves['n'][0]} / {halves['n'][1]}): ours {halves['ours'][0]} / "
        f"{halves['ours'][1]}, langdetect {halves['plain_langdetect'][0]} / {halves['plain_langdetect'][1]}"
    )
    halves_by_seed = results["sentences"].get("plain_langdetect_correct_by_half_by_seed")
    if halves_by_seed:
        for half in (0, 1):
            counts = [pair[half] for pair in halves_by_seed.values()]
            print(f"  langdetect by seed, half {half}: {counts} (median {statistics.median(counts)})")

    speed = results["speed"]
    print(f"\nSpeed: {speed['source']}, default settings, one thread, articles/s, median of rounds")
    print(f"{'':28}{'articles':>9}{'median B':>10}{'ours':>9}{'langdetect':>12}{'ratio':>8}")
    for name, label in (("all", "all articles"), ("around_3_kb", "articles of 2.5-3.5 KB")):
        if name in speed:
            row = speed[name]
            print(
                f"{label:28}{row['articles']:>9}{row['median_bytes']:>10.0f}{row['ours_median_per_s']:>9.0f}"
                f"{row['plain_median_per_s']:>12.0f}{row['ratio_of_medians']:>7.1f}x"
                f"   (rounds: {row['rounds']}, median of per-round ratios {row['median_of_round_ratios']:.1f}x)"
            )


if __name__ == "__main__":
    sys.exit(main())
