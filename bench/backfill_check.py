"""Backfill correctness at scale: a 30-date backfill, a re-run, an exact dry-run, and kill -9 recovery.

    .venv/bin/python bench/backfill_check.py [--days 30] [--max-parallel 2] [--kill-after 25]

Builds 30 landing folders (BBC articles from ../shared/eval/corpus/bbc when present, else the seeds, plus
a wire story repeated every day), then through the real CLI:
1. backfills every date with --max-parallel 2 into data A and, one date at a time, into data B;
   A and B must hold identical bytes (the `runs` dataset aside);
2. runs the backfill again with --reprocess all: no byte may change;
3. checks --dry-run now plans nothing (and plans exactly the dates it then runs after a change);
4. starts a backfill into data C, kills it with SIGKILL after --kill-after seconds, runs it again,
   and checks every partition is complete and byte-identical to A.
Writes bench/results/backfill_check.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BBC = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval")) / "corpus" / "bbc"
START = dt.date(2025, 1, 1)
NEWSETL = [sys.executable, "-m", "flows"]


def build_landing(root: Path, days: int) -> Path:
    sources = sorted(BBC.glob("*/*.txt")) if BBC.is_dir() else sorted((REPO / "seeds").glob("*.txt"))
    per_day = max(1, min(20, len(sources) // days))
    wire = "Floods closed the main road into the town on Monday, and the council said repairs would take a week.\n"
    for offset in range(days):
        folder = root / "raw" / (START + dt.timedelta(days=offset)).isoformat()
        folder.mkdir(parents=True)
        for index, source in enumerate(sources[offset * per_day : (offset + 1) * per_day]):
            shutil.copy(source, folder / f"{index:03d}_{source.name}")
        (folder / "wire.txt").write_text(wire + "Officials gave no further details.\n")
    config = root / "config.yaml"
    config.write_text((REPO / "config.yaml").read_text().replace("landing: null", f"landing: {root}/raw/{{date}}"))
    return config


def newsetl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, *args], cwd=REPO, capture_output=True, text=True, check=check)


def curated_bytes(data_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(data_dir).as_posix(): path.read_bytes()
        for path in sorted((data_dir / "curated").rglob("*.parquet"))
        if "/runs/" not in path.as_posix()
    }


def backfill(config: Path, data_dir: Path, end: dt.date, *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = newsetl("backfill", "--start", START.isoformat(), "--end", end.isoformat(),
                     "--config", str(config), "--data-dir", str(data_dir), *extra)
    return time.perf_counter() - started, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--max-parallel", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=25.0)
    args = parser.parse_args()
    end = START + dt.timedelta(days=args.days - 1)
    results: dict[str, object] = {"days": args.days, "corpus": "bbc" if BBC.is_dir() else "seeds"}
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        config = build_landing(root, args.days)

        seconds, _ = backfill(config, root / "A", end, "--max-parallel", str(args.max_parallel))
        results["parallel_seconds"] = round(seconds, 1)
        seconds, _ = backfill(config, root / "B", end, "--max-parallel", "1")
        results["sequential_seconds"] = round(seconds, 1)
        clean = curated_bytes(root / "A")
        results["files_per_run"] = len(clean)
        results["parallel_equals_sequential"] = clean == curated_bytes(root / "B")

        backfill(config, root / "A", end, "--reprocess", "all", "--max-parallel", str(args.max_parallel))
        results["rerun_all_changes_no_byte"] = curated_bytes(root / "A") == clean

        _, dry = backfill(config, root / "A", end, "--dry-run")
        results["dry_run_after_complete"] = dry.strip().splitlines()[-1]
        changed = START + dt.timedelta(days=3)
        (root / "raw" / changed.isoformat() / "late.txt").write_text("A late story arrived after the run, about trains.\n")
        _, dry = backfill(config, root / "A", end, "--dry-run")
        planned = [line.split()[0] for line in dry.splitlines() if "  run " in line]
        _, ran = backfill(config, root / "A", end)
        executed = sorted(line.split()[1] for line in ran.splitlines() if line.startswith("["))
        results["dry_run_exact"] = planned == [changed.isoformat()] == executed
        (root / "raw" / changed.isoformat() / "late.txt").unlink()
        backfill(config, root / "A", end)  # back to the original input

        process = subprocess.Popen(
            [*NEWSETL, "backfill", "--start", START.isoformat(), "--end", end.isoformat(), "--config", str(config),
             "--data-dir", str(root / "C"), "--max-parallel", str(args.max_parallel)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        time.sleep(args.kill_after)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        manifests = list((root / "C" / "state" / "manifests").glob("*.json"))
        results["completed_before_kill"] = len(manifests)
        backfill(config, root / "C", end, "--max-parallel", str(args.max_parallel))
        results["after_kill_rerun_equals_clean"] = curated_bytes(root / "C") == clean
        _, dry = backfill(config, root / "C", end, "--dry-run")
        results["after_kill_nothing_left"] = dry.strip().splitlines()[-1]

    output = REPO / "bench" / "results" / "backfill_check.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    for key, value in results.items():
        print(f"{key:<32} {value}")
    return 0 if all(v for k, v in results.items() if isinstance(v, bool)) else 1


if __name__ == "__main__":
    sys.exit(main())
