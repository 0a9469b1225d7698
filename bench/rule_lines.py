"""Line rules: per-rule cost and a before/after identity check of RuleSet.first_match.

    .venv/bin/python bench/rule_lines.py cost [--runs 3] [--top 15]
    .venv/bin/python bench/rule_lines.py identity --against REV

The lines: every stripped line of (a) the fundus pages' raw_text_html_text, (b) the BBC corpus,
(c) the 5 MB bench corpus (bench/corpus.py) and (d) every rule's examples and counterexamples.
`cost` times each rule's pattern.match over the distinct lines and first_match over all lines, in CPU
seconds (time.process_time, best of --runs: the machine may be shared). `identity` loads the rule packs
and engine of git revision REV beside the working tree's and checks that first_match names the same rule
for every line; it also times both, alternately, so that their figures come from the same conditions.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus import build_corpus  # noqa: E402

from tasks.config import load_config  # noqa: E402
from tasks.rules import RULES_DIR, load_rules  # noqa: E402

EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))


def line_sets(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    fundus = EVAL_DIR / "boilerplate" / "fundus_pages_dev.jsonl"
    sets["fundus"] = [
        line.strip()
        for row in fundus.read_text(encoding="utf-8").splitlines()
        if row.strip()
        for line in json.loads(row)["raw_text_html_text"].splitlines()
    ]
    sets["bbc"] = [
        line.strip()
        for path in sorted((EVAL_DIR / "corpus" / "bbc").glob("*/*.txt"))
        for line in path.read_text(encoding="latin-1").splitlines()
    ]
    with tempfile.TemporaryDirectory() as temporary:
        build_corpus(Path(temporary), 5_000_000)
        sets["bench5mb"] = [
            line.strip()
            for path in sorted(Path(temporary).rglob("*"))
            if path.is_file()
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
    examples = []
    for path in sorted(rules_dir.glob("*.yaml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            examples += [text.strip() for text in entry.get("examples", []) + entry.get("counterexamples", [])]
    sets["examples"] = examples
    return sets


def best_cpu(function, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def old_rules_module(revision: str):
    """tasks.rules as of `revision` (packs and engine), imported under another name."""
    folder = Path(tempfile.mkdtemp()) / "rules"
    folder.mkdir()
    archive = subprocess.run(["git", "archive", revision, "tasks/rules"], cwd=REPO, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "--strip-components=2", "-C", str(folder)], input=archive.stdout, check=True)
    spec = importlib.util.spec_from_file_location("rules_old", folder / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["rules_old"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def cost(args) -> None:
    rules = load_rules(load_config(REPO / "config.yaml").clean)
    sets = line_sets()
    lines = [line for name, values in sets.items() if name in args.sets for line in values]
    # The bench corpus repeats lines as a day's scrape does; --distinct times each line once.
    distinct = list(dict.fromkeys(lines)) if args.distinct else lines
    print(f"{len(lines)} lines of {', '.join(args.sets)}, {len(distinct)} timed")
    rows = []
    for rule in rules:
        match = rule.pattern.match
        seconds = best_cpu(lambda: [match(line) for line in distinct], args.runs)
        rows.append((seconds / len(distinct) * 1e6, rule.name))
    rows.sort(reverse=True)
    print(f"sum of per-rule match costs: {sum(cost for cost, _ in rows):.2f} us/line")
    for value, name in rows[: args.top]:
        print(f"{value:9.2f} us/line  {name}")
    first = rules.first_match
    seconds = best_cpu(lambda: [first(line) for line in distinct], args.runs)
    print(f"first_match: {seconds / len(distinct) * 1e6:.2f} us/line")


def identity(args) -> None:
    settings = load_config(REPO / "config.yaml").clean
    new = load_rules(settings)
    old_module = old_rules_module(args.against)
    old = old_module.load_rules(settings)
    sets = line_sets()
    total = mismatches = 0
    for name, lines in sets.items():
        bad = 0
        for line in lines:
            before, after = old.first_match(line), new.first_match(line)
            if (before and before.name) != (after and after.name):
                bad += 1
                if bad <= 5:
                    print(f"  MISMATCH {name}: {before and before.name} -> {after and after.name}: {line[:120]!r}")
        matched = sum(1 for line in lines if new.first_match(line))
        print(f"{name:10} {len(lines):7d} lines  {matched:6d} matched  {bad} mismatches")
        total += len(lines)
        mismatches += bad
    print(f"total      {total:7d} lines  {mismatches} mismatches")
    distinct = list(dict.fromkeys(line for values in sets.values() for line in values))
    timings = {"old": [], "new": []}
    for _ in range(args.runs):
        for label, ruleset in (("old", old), ("new", new)):
            timings[label].append(best_cpu(lambda: [ruleset.first_match(line) for line in distinct], 1))
    for label, values in timings.items():
        print(f"first_match {label}: best {min(values) / len(distinct) * 1e6:.2f} us/line over {len(distinct)} distinct lines")
    sys.exit(1 if mismatches else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cost_parser = sub.add_parser("cost")
    cost_parser.add_argument("--runs", type=int, default=3)
    cost_parser.add_argument("--top", type=int, default=15)
    cost_parser.add_argument("--sets", nargs="+", default=["fundus", "bbc", "bench5mb", "examples"])
    cost_parser.add_argument("--distinct", action="store_true")
    identity_parser = sub.add_parser("identity")
    identity_parser.add_argument("--against", default="main")
    identity_parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    {"cost": cost, "identity": identity}[args.command](args)


if __name__ == "__main__":
    main()
