"""Ingest speed per format, on the BBC corpus of ../shared/eval (2225 real articles).

The same articles as plain-text files, as one JSON lines file (plain and gzip), as CSV and as Parquet,
read by tasks/ingest.py; and, for scale, the previous reader (read the bytes, decode, split, NFC) on the
text files. Reported: MB of raw text per second, median of the runs, all measured in this one run.

    .venv/bin/python bench/ingest_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.config import IngestSettings, Settings  # noqa: E402
from tasks.decode import split_lines  # noqa: E402
from tasks.ingest import discover_files, ingest  # noqa: E402

BBC = REPO.parent / "shared" / "eval" / "corpus" / "bbc"
RESULTS = REPO / "bench" / "results" / "ingest_speed.json"


def previous_reader(root: Path) -> int:
    """The ingest of the first commit: whole bytes, decode (UTF-8, else cp1252), split, NFC per line."""
    lines = 0
    for path in discover_files(root):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        lines += len([unicodedata.normalize("NFC", line) for line in split_lines(text)])
    return lines


def build_inputs(folder: Path) -> dict[str, Path]:
    articles = []
    for path in sorted(BBC.rglob("*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # one file of the corpus is cp1252
            text = data.decode("cp1252")
        articles.append({"id": path.stem, "source": path.parent.name, "text": text})
    inputs = {name: folder / name for name in ["txt", "jsonl", "jsonl.gz", "csv", "parquet"]}
    for root in inputs.values():
        root.mkdir()
    for index, article in enumerate(articles):
        (inputs["txt"] / f"{index:05d}.txt").write_bytes(article["text"].encode("utf-8"))
    body = "".join(json.dumps(article, ensure_ascii=False) + "\n" for article in articles).encode("utf-8")
    (inputs["jsonl"] / "all.jsonl").write_bytes(body)
    (inputs["jsonl.gz"] / "all.jsonl.gz").write_bytes(gzip.compress(body))
    with open(inputs["csv"] / "all.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, ["id", "source", "text"])
        writer.writeheader()
        writer.writerows(articles)
    pq.write_table(pa.Table.from_pylist(articles), inputs["parquet"] / "all.parquet")
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not BBC.is_dir():
        sys.exit(f"evaluation corpus not found at {BBC}")
    settings = Settings()
    no_repair = IngestSettings(repair_mojibake=False)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        inputs = build_inputs(Path(folder))
        megabytes = sum(path.stat().st_size for path in inputs["txt"].iterdir()) / 1e6
        cases = {"previous reader, txt": lambda: previous_reader(inputs["txt"])}
        for name, root in inputs.items():
            cases[name] = lambda root=root: ingest(root, settings.input.extensions, settings.ingest, settings.input.fields)
        cases["txt, repair_mojibake off"] = lambda: ingest(inputs["txt"], settings.input.extensions, no_repair)
        cases["jsonl, repair_mojibake off"] = lambda: ingest(inputs["jsonl"], settings.input.extensions, no_repair)
        timings = {name: [] for name in cases}
        for _ in range(args.runs):  # interleaved, so that the machine's noise hits every case alike
            for name, run in cases.items():
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
    print(f"{megabytes:.2f} MB of article text (2225 BBC articles), median of {args.runs} runs")
    print(f"{'case':32} {'seconds':>8} {'MB/s':>7}")
    for name, seconds in timings.items():
        median = statistics.median(seconds)
        results[name] = {"median_seconds": round(median, 4), "mb_per_second": round(megabytes / median, 2), "runs": seconds}
        print(f"{name:32} {median:8.3f} {megabytes / median:7.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"megabytes": megabytes, "results": results}, indent=2))


if __name__ == "__main__":
    main()
