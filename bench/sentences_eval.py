"""Sentence splitter benchmark: accuracy on the pySBD golden rules and speed on news text.

Compares three splitters in one run:
- ours:  tasks.sentences.split_sentences
- pysbd: pySBD with clean=False (a bench-only dependency: `.venv/bin/pip install pysbd`)
- regex: a plain baseline that cuts after . ! ? when whitespace and a capital or a quote follow

Accuracy is the exact-match rate: a case passes when the list of sentences, each stripped, equals the gold
list. Speed is MB of UTF-8 input per second on one core (one process, one thread), the median of
--runs runs, on the paragraphs (non-empty lines) of the BBC corpus when it is present, else of seeds/.
Each paragraph is split on its own, as the pipeline does.

Run: .venv/bin/python bench/sentences_eval.py [--runs 5]
Writes bench/results/sentences.json.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.sentences import split_sentences  # noqa: E402

EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))
GOLDEN_SETS = {
    "golden_rules_en": EVAL_DIR / "sentences" / "golden_rules_en.jsonl",
    "golden_rules_other_langs": EVAL_DIR / "sentences" / "golden_rules_other_langs.jsonl",
}
BBC_GLOB = "corpus/bbc/*/*.txt"
RESULTS = REPO / "bench" / "results" / "sentences.json"

# The baseline: cut after . ! ? where whitespace and then a capital or an opening quote follow.
REGEX_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")

Splitter = Callable[[str, str], list[str]]


def ours(text: str, language: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, language)]


def regex_baseline(text: str, language: str) -> list[str]:
    stripped = text.strip()
    return REGEX_BOUNDARY.split(stripped) if stripped else []


def make_pysbd() -> tuple[Splitter | None, str | None]:
    try:
        import pysbd
    except ImportError:
        return None, None
    from importlib.metadata import version

    segmenters: dict[str, object] = {}

    def split(text: str, language: str) -> list[str]:
        segmenter = segmenters.get(language)
        if segmenter is None:
            segmenter = segmenters[language] = pysbd.Segmenter(language=language, clean=False)
        return segmenter.segment(text)

    return split, version("pysbd")


def load_cases(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def exact_match(predicted: list[str], gold: list[str]) -> bool:
    return [s.strip() for s in predicted if s.strip()] == [s.strip() for s in gold]


def accuracy(split: Splitter, cases: list[dict]) -> dict:
    by_language: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    failures = []
    for case in cases:
        language = case.get("lang", "en")
        ok = exact_match(split(case["text"], language), case["sentences"])
        by_language[language][0] += ok
        by_language[language][1] += 1
        if not ok:
            failures.append(case["id"])
    passed = sum(p for p, _ in by_language.values())
    return {
        "passed": passed,
        "total": len(cases),
        "rate": round(passed / len(cases), 4),
        "per_language": {lang: {"passed": p, "total": n} for lang, (p, n) in sorted(by_language.items())},
        "failures": failures,
    }


def speed_corpus() -> tuple[str, list[str]]:
    files = sorted(EVAL_DIR.glob(BBC_GLOB))
    name = f"BBC corpus ({len(files)} articles, {EVAL_DIR / 'corpus' / 'bbc'})"
    if not files:
        files = sorted((REPO / "seeds").glob("*.txt"))
        name = f"seeds/ ({len(files)} files)"
    paragraphs = []
    for path in files:
        # sport/199.txt holds one Latin-1 byte; replacing it keeps every splitter on the same text.
        text = path.read_bytes().decode("utf-8", errors="replace")
        paragraphs += [line for line in text.split("\n") if line.strip()]
    return name, paragraphs


def speed(split: Splitter, paragraphs: list[str], megabytes: float, runs: int) -> dict:
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for paragraph in paragraphs:
            split(paragraph, "en")
        rates.append(megabytes / (time.perf_counter() - started))
    return {
        "runs_mb_per_s": [round(r, 3) for r in rates],
        "median_mb_per_s": round(statistics.median(rates), 3),
    }


def score_golden_sets(splitters: dict[str, Splitter]) -> tuple[dict, list[tuple[str, dict]]]:
    """Exact-match scores per set and splitter, and the table rows (label, {splitter: (passed, total)})."""
    scores_by_set: dict = {}
    rows: list[tuple[str, dict]] = []
    for set_name, path in GOLDEN_SETS.items():
        if not path.is_file():
            print(f"{path} not found: {set_name} is skipped.")
            continue
        cases = load_cases(path)
        scores = {name: accuracy(split, cases) for name, split in splitters.items()}
        scores_by_set[set_name] = scores
        rows.append((f"{set_name} ({len(cases)})", {n: (s["passed"], s["total"]) for n, s in scores.items()}))
        if set_name == "golden_rules_en":
            continue
        for language, counts in scores["ours"]["per_language"].items():
            per_splitter = {n: s["per_language"][language] for n, s in scores.items()}
            rows.append(
                (
                    f"  {language} ({counts['total']})",
                    {n: (c["passed"], c["total"]) for n, c in per_splitter.items()},
                )
            )
    return scores_by_set, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="speed runs per splitter (the median is reported)"
    )
    args = parser.parse_args()

    splitters: dict[str, Splitter] = {"ours": ours}
    pysbd_split, pysbd_version = make_pysbd()
    if pysbd_split is None:
        print("pysbd is not installed: its column is skipped (.venv/bin/pip install pysbd to include it).")
    else:
        splitters["pysbd"] = pysbd_split
    splitters["regex"] = regex_baseline
    names = list(splitters)

    scores_by_set, rows = score_golden_sets(splitters)

    corpus_name, paragraphs = speed_corpus()
    megabytes = sum(len(p.encode("utf-8")) for p in paragraphs) / 1e6
    speeds = {}
    for name, split in splitters.items():
        print(f"timing {name} on {megabytes:.2f} MB ({args.runs} runs)...", flush=True)
        speeds[name] = speed(split, paragraphs, megabytes, args.runs)

    print()
    print("Exact match (cases passed)".ljust(32) + "".join(n.rjust(16) for n in names))
    for label, counts in rows:
        cells = "".join(f"{p}/{n} {p / n:6.1%}".rjust(16) for p, n in (counts[name] for name in names))
        print(label.ljust(32) + cells)
    print()
    print(f"Speed on one core: {corpus_name}, {len(paragraphs)} paragraphs, {megabytes:.2f} MB")
    runs = [speeds[name]["runs_mb_per_s"] for name in names]
    print(
        f"MB/s, median of {args.runs} runs".ljust(32)
        + "".join(f"{statistics.median(r):.2f}".rjust(16) for r in runs)
    )
    print(
        "MB/s, slowest-fastest run".ljust(32) + "".join(f"{min(r):.2f}-{max(r):.2f}".rjust(16) for r in runs)
    )
    print()
    for set_name, scores in scores_by_set.items():
        print(f"ours fails on {set_name}: {', '.join(scores['ours']['failures']) or 'none'}")

    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "pysbd_version": pysbd_version,
        "regex_baseline": REGEX_BOUNDARY.pattern,
        "accuracy": scores_by_set,
        "speed_corpus": {
            "name": corpus_name,
            "paragraphs": len(paragraphs),
            "megabytes": round(megabytes, 3),
        },
        "speed": speeds,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
