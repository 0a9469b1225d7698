"""The `newsetl` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from tasks.config import DEFAULT_CONFIG_PATH, ConfigError, load_config


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsetl", description="Batch ETL for news-text corpora.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="process one partition (one logical date) now")
    run.add_argument("--input", type=Path, help="raw input folder (default: input.path in the config, seeds/)")
    run.add_argument("--date", type=_date, default=None, help="logical date YYYY-MM-DD (default: today)")
    run.add_argument("--data-dir", type=Path, help="output folder (default: output.data_dir in the config, data/)")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH, help="config file (default: config.yaml)")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's task logs")
    return parser


def run_command(args: argparse.Namespace) -> int:
    settings = load_config(args.config)  # fail fast, before Prefect starts
    input_path = args.input or settings.input.path
    if not input_path.exists():
        print(f"newsetl: input folder not found: {input_path}", file=sys.stderr)
        return 2
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if args.verbose else "WARNING")
    from flows.daily import daily_flow  # imported late: importing Prefect takes seconds

    report = daily_flow(
        input_path=input_path,
        date=args.date or dt.date.today(),
        data_dir=args.data_dir or settings.output.data_dir,
        config_path=args.config,
    )
    print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return run_command(args)
    except ConfigError as error:
        print(f"newsetl: {error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
