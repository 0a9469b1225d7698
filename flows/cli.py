"""The `newsetl` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from flows.locks import PartitionLockedError
from tasks.config import DEFAULT_CONFIG_PATH, ConfigError, Settings, load_config
from tasks.parallel import start_workers_early


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="output folder (default: output.data_dir in the config, data/)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH, help="config file (default: config.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsetl", description="Batch ETL for news-text corpora.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="process one partition (one logical date) now")
    run.add_argument(
        "--input", type=Path, help="raw input folder (default: input.landing for the date if set, else input.path)"
    )
    run.add_argument("--date", type=_date, default=None, help="logical date YYYY-MM-DD (default: today)")
    _common(run)

    backfill = commands.add_parser("backfill", help="process a range of past dates from input.landing")
    backfill.add_argument("--start", type=_date, required=True, help="first date, YYYY-MM-DD")
    backfill.add_argument("--end", type=_date, required=True, help="last date, YYYY-MM-DD (inclusive)")
    backfill.add_argument(
        "--reprocess",
        choices=["missing", "failed", "all"],
        default="missing",
        help="missing: never completed or stale (input or config changed); failed: also failed runs; all: every date",
    )
    backfill.add_argument("--max-parallel", type=int, help="dates at once (default: backfill.max_parallel)")
    backfill.add_argument("--dry-run", action="store_true", help="say which dates would run and why, run nothing")
    backfill.add_argument("--backwards", action="store_true", help="newest date first")
    _common(backfill)

    status = commands.add_parser("status", help="list partitions with their state and counts")
    _common(status)

    serve = commands.add_parser("serve", help="serve the daily flow on the cron schedule of the config")
    _common(serve)

    explain = commands.add_parser("explain", help="show every raw line of an article: kept or removed, and the rule")
    explain.add_argument("article_id", help="article_id from the articles, duplicates or removed_lines dataset")
    explain.add_argument("--input", type=Path, help="raw input folder (default: the one the article's run read)")
    _common(explain)
    return parser


def _data_dir(args: argparse.Namespace, settings: Settings) -> Path:
    return args.data_dir or settings.output.data_dir


def _quiet_prefect(args: argparse.Namespace) -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if args.verbose else "WARNING")


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    date = args.date or dt.date.today()
    if args.input:
        input_path = args.input
    elif settings.input.landing:
        input_path = settings.input.folder_for(date)
    else:
        input_path = settings.input.path
    if not input_path.exists():
        print(f"newsetl: input folder not found: {input_path}", file=sys.stderr)
        return 2
    _quiet_prefect(args)
    start_workers_early(settings.parallel, settings.clean)  # their start-up overlaps Prefect's
    from flows.daily import daily_flow  # imported late: importing Prefect takes seconds

    report = daily_flow(input_path=input_path, date=date, data_dir=_data_dir(args, settings), config_path=args.config)
    print(report.summary())
    return 0


def backfill_command(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.input.landing:
        raise ConfigError(f"{args.config}: input.landing: a backfill needs a landing folder per date, e.g. 'data/raw/{{date}}'")
    if args.end < args.start:
        print(f"newsetl: --end {args.end} is before --start {args.start}", file=sys.stderr)
        return 2
    _quiet_prefect(args)
    from flows.backfill import plan_backfill, run_backfill

    data_dir = _data_dir(args, settings)
    plan = plan_backfill(args.start, args.end, data_dir, settings, args.reprocess, args.backwards)
    for planned in plan:
        print(planned.line())
    selected = sum(planned.will_run for planned in plan)
    print(f"{selected} of {len(plan)} dates to run")
    if args.dry_run or not selected:
        return 0
    max_parallel = args.max_parallel or settings.backfill.max_parallel
    outcomes = run_backfill(plan, data_dir, args.config, max_parallel, args.backwards)
    failed = [outcome for outcome in outcomes if outcome.status != "completed"]
    print(f"backfill done: {len(outcomes) - len(failed)} completed, {len(failed)} failed")
    return 1 if failed else 0


def status_command(args: argparse.Namespace, settings: Settings) -> int:
    from flows.manifest import all_manifests, input_fingerprints, partition_state

    manifests = all_manifests(_data_dir(args, settings))
    if not manifests:
        print("no partitions yet")
        return 0
    config_hash = settings.fingerprint()
    print(f"{'date':<10}  {'state':<8}  {'articles':>8}  {'duplicates':>10}  {'removed':>7}  finished / why")
    for manifest in manifests:
        state, why = partition_state(manifest, input_fingerprints(Path(manifest.input_path)), config_hash)
        counts = manifest.row_counts
        detail = manifest.finished_at if state == "complete" else why
        print(
            f"{manifest.date:<10}  {state:<8}  {counts.get('articles', 0):>8}  {counts.get('duplicates', 0):>10}"
            f"  {counts.get('removed_lines', 0):>7}  {detail}"
        )
    return 0


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "newsetl: serve needs a Prefect server: run `prefect server start` and set PREFECT_API_URL "
            "(e.g. http://127.0.0.1:4200/api); scheduled runs never fire on the temporary server",
            file=sys.stderr,
        )
        return 2
    from flows.schedule import serve

    serve(args.config, args.data_dir)
    return 0


def explain_command(args: argparse.Namespace, settings: Settings) -> int:
    from flows.explain import ExplainError, explain

    try:
        print(explain(args.article_id, _data_dir(args, settings), settings, args.input))
    except ExplainError as error:
        print(f"newsetl: {error}", file=sys.stderr)
        return 2
    return 0


COMMANDS = {
    "run": run_command,
    "backfill": backfill_command,
    "status": status_command,
    "serve": serve_command,
    "explain": explain_command,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_config(args.config)  # fail fast, before Prefect starts
        return COMMANDS[args.command](args, settings)
    except (ConfigError, PartitionLockedError) as error:
        print(f"newsetl: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
