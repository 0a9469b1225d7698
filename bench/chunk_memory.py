"""Peak memory of the flow on given input folders, by stage and per worker: what grows with a chunk.

    .venv/bin/python bench/chunk_memory.py CORPUS [CORPUS ...] [--workers 1 --workers 2]
        [--parallel chunk_max_articles=2000] [--repeat 1]

Runs `newsetl run` (pipeline_bench.run_flow) on each folder with each worker count and prints the flow
process's peak RSS by the end of each stage (runs.peak_rss_mb_by_stage; with one worker the chunks run in
the flow process), the largest peak RSS of one worker process (its VmHWM) and the summed PSS of all the
run's processes. Make the folders with bench/corpus.py (pages) and bench/tiny_corpus.py (tiny articles).
Writes bench/results/chunk_memory.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_bench import REPO, config_with, run_flow  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--parallel", action="append", default=[], help="KEY=VALUE of config.yaml's parallel section")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    overrides = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.parallel)}
    results = []
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        for corpus in args.corpora:
            for workers in args.workers or [2]:
                config = config_with({**overrides, "workers": workers}, root)
                runs = [run_flow(corpus, root / f"data-{len(results)}-{n}", config) for n in range(args.repeat)]
                entry = {
                    "corpus": str(corpus),
                    "workers": workers,
                    "parallel": overrides,
                    "articles_out": runs[0]["articles"],
                    "flow_seconds_median": round(statistics.median(run["flow_seconds"] for run in runs), 1),
                    "cpu_seconds_median": round(statistics.median(run["cpu_seconds"] for run in runs), 1),
                    "flow_peak_mb_by_stage": {
                        stage: statistics.median(run["peak_mb_by_stage"][stage] for run in runs)
                        for stage in runs[0]["peak_mb_by_stage"]
                    },
                    "worker_peak_rss_mb": round(statistics.median(run["peak_worker_rss_mb"] for run in runs)),
                    "all_processes_pss_mb": round(statistics.median(run["peak_tree_pss_mb"] for run in runs)),
                }
                results.append(entry)
                stages = ", ".join(f"{stage} {mb:.0f}" for stage, mb in entry["flow_peak_mb_by_stage"].items())
                print(
                    f"{corpus.name:>20} workers {workers}: flow peak by the end of {stages}; one worker's peak "
                    f"{entry['worker_peak_rss_mb']} MB; all processes {entry['all_processes_pss_mb']} MB (PSS); "
                    f"{entry['articles_out']} articles, flow {entry['flow_seconds_median']} s, "
                    f"CPU {entry['cpu_seconds_median']} s",
                    flush=True,
                )
    output = REPO / "bench" / "results" / "chunk_memory.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
