"""Whole-flow throughput and memory, against a naive baseline measured in the same run.

    .venv/bin/python bench/pipeline_bench.py --mb 20 [--mb 100 ...] [--workers 1 --workers 2] [--baseline-mb 2] [--repeat 3]

For each size: builds a realistic corpus (bench/corpus.py), runs `newsetl run` on it in a fresh process
(--repeat times, for each --workers value, alternating), and reports the median wall time of the flow (from the `runs` dataset, Prefect's start-up
excluded) and of the whole process, MB/s, articles/s per core, seconds per stage and the process's peak
RSS. The naive baseline (full-text langdetect, pysbd, datasketch MinHash + LSH, pandas to Parquet, one
article at a time) runs on the first --baseline-mb of the same corpus: it is ~100x slower, so the
whole corpus would take hours; throughputs are compared as MB/s.
Writes bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import yaml


REPO = Path(__file__).resolve().parents[1]
CORES = os.cpu_count() or 1


def config_with(parallel: dict, folder: Path) -> Path:
    """config.yaml with these settings of its parallel section, written in folder."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["parallel"].update(parallel)
    path = folder / ("config-" + "-".join(f"{key}={value}" for key, value in sorted(parallel.items())) + ".yaml")
    path.write_text(yaml.safe_dump(config))
    return path


def run_flow(corpus: Path, data_dir: Path, config: Path, extra_env: dict[str, str] | None = None) -> dict:
    """One `newsetl run` in a child process: its wall time, and the flow's own timings from `runs`."""
    started = time.perf_counter()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(
        [sys.executable, "-m", "flows", "run", "--input", str(corpus), "--data-dir", str(data_dir), "--date", "2025-01-01",
         "--config", str(config)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(extra_env or {})},
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"newsetl run failed:\n{stderr.decode()[-2000:]}")
    runs = pd.read_parquet(data_dir / "curated" / "runs").sort_values("started_at")
    last = runs.iloc[-1]
    return {
        "process_seconds": seconds,
        "flow_seconds": (last.finished_at - last.started_at).total_seconds(),
        "stages": json.loads(last.seconds_by_stage),
        "peak_mb_by_stage": json.loads(last.peak_rss_mb_by_stage),
        "articles": int(last.n_articles),
        "duplicates": int(last.n_duplicates),
        # The flow process's own peak (ru_maxrss, recorded by the run): RUSAGE_CHILDREN here would be the
        # largest of every child so far, the corpus builder's and earlier runs' included.
        "peak_rss_mb": max(json.loads(last.peak_rss_mb_by_stage).values()),
        "peak_tree_pss_mb": sampler.peak_mb,
        "peak_worker_rss_mb": sampler.worker_peak_mb,
        # CPU (user + sys) of the run's processes: those waited for (the flow, Prefect's temporary server)
        # and the pool's, sampled. Unlike wall time, not swayed by the load of other work on the machine.
        "cpu_seconds": sampler.worker_cpu_seconds
        + sum(getattr(children_after, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime")),
    }


def build_corpus_apart(corpus: Path, megabytes: float) -> dict:
    """bench/corpus.py in a process of its own. Built here, the corpus's articles (~1 GB of strings for
    a 1 GB day) would stay in this process's heap, and Linux carries a process's peak RSS over into a
    child it starts (subprocess's vfork + exec): every flow run after it would report that peak as its
    own (runs.peak_rss_mb_by_stage), 1,094 MB on the 1 GB day whose flow peaked at 649."""
    built = subprocess.run(
        [sys.executable, str(REPO / "bench" / "corpus.py"), str(corpus), "--mb", str(megabytes)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(built.stdout)


# A sample costs ~20 ms of CPU (listing /proc, and each process's smaps_rollup walks its page tables):
# every 0.1 s that was ~17% of a core, taken from the workers when they use every core, which made two
# workers look slower against one. Every 0.5 s: ~4%. The flow process's own peak is exact either way.
SAMPLE_SECONDS = 0.5


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants (the flow, its worker processes, their
    fork server and Prefect's temporary server) every SAMPLE_SECONDS; `peak_mb` is the highest sum seen.
    Each process counts its proportional set size (PSS): pages shared by forked workers, such as the
    language model, count once in the sum, as they take memory once."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._stopped = pid, 0.0, threading.Event()
        self.worker_peak_mb = 0.0  # the largest peak RSS of one worker process (its VmHWM: exact, not sampled)
        self._worker_cpu: dict[int, float] = {}  # CPU seconds of each worker (and their fork server), last seen

    def run(self) -> None:
        while not self._stopped.wait(SAMPLE_SECONDS):
            tree = _tree(self.pid)
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in tree) / 1024)
            workers = [pid for pid in tree if _is_pool_worker(pid)]
            self.worker_peak_mb = max([self.worker_peak_mb, *(_hwm_kb(pid) / 1024 for pid in workers)])
            self._worker_cpu.update((pid, _cpu_seconds(pid)) for pid in workers)

    @property
    def worker_cpu_seconds(self) -> float:
        """CPU seconds of the pool's processes, as last sampled: the fork server is not waited for by the
        flow when it exits, so neither its nor its workers' CPU reaches the flow's RUSAGE_CHILDREN. A
        process's last SAMPLE_SECONDS go unseen."""
        return sum(self._worker_cpu.values())

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _is_pool_worker(pid: int) -> bool:
    """A worker of the run's pool (or their fork server, which holds less): forked by the fork server,
    they keep its command line."""
    try:
        return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_kb(pid: int) -> int:
    """A process's peak resident set so far (VmHWM), kept by the kernel: a sample sees the peak however
    brief it was (only one in a worker's last SAMPLE_SECONDS before it exits goes unseen)."""
    return _kb_field(f"/proc/{pid}/status", "VmHWM:")


def _pss_kb(pid: int) -> int:
    return _kb_field(f"/proc/{pid}/smaps_rollup", "Pss:")


def _kb_field(path: str, name: str) -> int:
    """The kB figure of line `name` of a /proc file; 0 once the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def naive_baseline(corpus: Path, max_bytes: int) -> dict:
    """One article at a time with the obvious libraries: what a pile of scripts does."""
    import pysbd
    from datasketch import MinHash, MinHashLSH
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    segmenter = pysbd.Segmenter(language="en", clean=False)
    lsh = MinHashLSH(threshold=0.45, num_perm=128)
    rows, read = [], 0
    started = time.perf_counter()
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        read += len(text.encode("utf-8"))
        for number, article in enumerate(text.split("\n* * *\n")):
            sentences = segmenter.segment(article)
            language = detect(article)
            signature = MinHash(num_perm=128)
            words = article.lower().split()
            for shingle in zip(words, words[1:]):
                signature.update(" ".join(shingle).encode("utf-8"))
            key = f"{path.name}:{number}"
            duplicate = bool(lsh.query(signature))
            lsh.insert(key, signature)
            rows.append({"id": key, "text": article, "language": language, "n_sentences": len(sentences), "dup": duplicate})
        if read >= max_bytes:
            break
    with tempfile.TemporaryDirectory() as temporary:
        pd.DataFrame(rows).to_parquet(Path(temporary) / "articles.parquet")
    seconds = time.perf_counter() - started
    return {"bytes": read, "articles": len(rows), "seconds": seconds, "mb_per_s": read / 1e6 / seconds}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, action="append", help="corpus size(s) in MB (default 20)")
    parser.add_argument("--baseline-mb", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the flow process")
    parser.add_argument("--workers", type=int, action="append", help="parallel.workers value(s) to compare (default 0: all cores)")
    args = parser.parse_args()
    sizes = sorted(args.mb or [20.0])
    worker_counts = args.workers or [0]
    extra_env = dict(item.split("=", 1) for item in args.env)
    results: dict[str, object] = {"cores": CORES, "env": extra_env, "sizes": []}
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        configs = {workers: config_with({"workers": workers}, root) for workers in worker_counts}
        for size in sizes:
            corpus = root / f"corpus-{size:g}"
            made = build_corpus_apart(corpus, size)
            print(f"corpus of {size:g} MB made from {made['source']}", flush=True)
            # Alternate the worker counts run by run, so that load on a noisy machine hits them alike.
            runs_by_workers: dict[int, list[dict]] = {workers: [] for workers in worker_counts}
            for attempt in range(args.repeat):
                for workers, config in configs.items():
                    data_dir = root / f"data-{size:g}-{workers}-{attempt}"
                    runs_by_workers[workers].append(run_flow(corpus, data_dir, config, extra_env))
            for workers, runs in runs_by_workers.items():
                entry = summarise(made, runs, workers)
                results["sizes"].append(entry)
                print_entry(entry)
            if len(worker_counts) > 1:
                medians = {
                    workers: statistics.median(run["flow_seconds"] for run in runs)
                    for workers, runs in runs_by_workers.items()
                }
                fastest, slowest = min(worker_counts), max(worker_counts)
                print(f"          {slowest} workers vs {fastest}: {medians[fastest] / medians[slowest]:.2f}x faster", flush=True)
        try:
            baseline = naive_baseline(root / f"corpus-{sizes[0]:g}", int(args.baseline_mb * 1e6))
        except ImportError as error:
            baseline = {"skipped": f"{error} (pip install -e '.[bench]')"}
    results["baseline"] = baseline
    if "mb_per_s" in baseline:
        ours = max(entry["mb_per_s"] for entry in results["sizes"] if entry["mb"] == results["sizes"][0]["mb"])
        results["ratio_vs_baseline"] = round(ours / baseline["mb_per_s"], 1)
        print(f"naive baseline: {baseline['mb_per_s']:.3f} MB/s on {baseline['bytes'] / 1e6:.1f} MB; "
              f"newsetl {ours:.2f} MB/s = {results['ratio_vs_baseline']}x")
    else:
        print(f"naive baseline: {baseline}")
    output = REPO / "bench" / "results" / "pipeline.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    return 0


def summarise(made: dict, runs: list[dict], workers: int) -> dict:
    flow_seconds = statistics.median(run["flow_seconds"] for run in runs)
    cores_used = workers or CORES
    return {
        "workers": workers,
        "mb": made["bytes"] / 1e6,
        "corpus": made,
        "flow_seconds_median": round(flow_seconds, 2),
        "process_seconds_median": round(statistics.median(run["process_seconds"] for run in runs), 2),
        "mb_per_s": round(made["bytes"] / 1e6 / flow_seconds, 3),
        "mb_per_s_per_core": round(made["bytes"] / 1e6 / flow_seconds / cores_used, 3),
        "articles_per_s_per_core": round(made["articles"] / flow_seconds / cores_used, 1),
        "peak_rss_mb": round(max(run["peak_rss_mb"] for run in runs), 1),
        "peak_tree_pss_mb": round(max(run["peak_tree_pss_mb"] for run in runs), 1),
        "peak_worker_rss_mb": round(max(run["peak_worker_rss_mb"] for run in runs), 1),
        "stages_median": {
            stage: round(statistics.median(run["stages"][stage] for run in runs), 2) for stage in runs[0]["stages"]
        },
        # The flow process's peak by the end of each stage: where its memory grows with the day's size.
        "flow_peak_mb_by_stage": {
            stage: max(run["peak_mb_by_stage"][stage] for run in runs) for stage in runs[0]["peak_mb_by_stage"]
        },
        "articles_out": runs[0]["articles"],
        "duplicates_out": runs[0]["duplicates"],
    }


def print_entry(entry: dict) -> None:
    print(
        f"{entry['mb']:8.1f} MB  workers {entry['workers']}  flow {entry['flow_seconds_median']:7.2f} s  "
        f"{entry['mb_per_s']:6.2f} MB/s ({entry['mb_per_s_per_core']:.2f}/core, "
        f"{entry['articles_per_s_per_core']:.0f} articles/s/core)  process {entry['process_seconds_median']:.1f} s  "
        f"peak RSS {entry['peak_rss_mb']:.0f} MB (flow process), {entry['peak_worker_rss_mb']:.0f} MB (one worker), "
        f"{entry['peak_tree_pss_mb']:.0f} MB (all processes, PSS)",
        flush=True,
    )
    print("          stages: " + ", ".join(f"{k} {v}" for k, v in entry["stages_median"].items()), flush=True)
    by_stage = entry["flow_peak_mb_by_stage"].items()
    print("          flow peak MB by the end of: " + ", ".join(f"{k} {v:.0f}" for k, v in by_stage), flush=True)


if __name__ == "__main__":
    sys.exit(main())
