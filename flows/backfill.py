"""Backfill: run the daily flow for a range of past dates, redoing only what needs it.

Prefect has no built-in backfill. This one plans from the partition manifests (flows/manifest.py), then
one Prefect flow maps a per-date task over the dates to run, at most `max_parallel` at a time. Dates run
oldest first and each date's dedup waits for every earlier date of the backfill (flows/ordering.py), so a
parallel backfill gives the same bytes as running the dates one by one. --backwards runs newest first
without that wait: a later date then keeps copies of stories that an earlier, not yet processed date also
has, until it is re-run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows import ordering
from flows.daily import daily_flow
from flows.manifest import COMPLETE, FAILED, MISSING, STALE, input_fingerprints, partition_state, read_manifest
from tasks.config import Settings
from tasks.write import recover_commits

NO_INPUT = "no_input"
REPROCESS_MODES = {
    "missing": {MISSING, STALE},
    "failed": {MISSING, STALE, FAILED},
    "all": {MISSING, STALE, FAILED, COMPLETE},
}


@dataclass(frozen=True)
class PlannedDate:
    date: dt.date
    input_path: Path
    state: str
    reason: str
    will_run: bool

    def line(self) -> str:
        action = "run " if self.will_run else "skip"
        return f"{self.date.isoformat()}  {action}  {self.state:<8}  {self.reason}"


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


def plan_backfill(
    start: dt.date, end: dt.date, data_dir: Path, settings: Settings, reprocess: str, backwards: bool = False
) -> list[PlannedDate]:
    """What a backfill would do for each date, and why. Reads manifests and hashes input files only."""
    to_run = REPROCESS_MODES[reprocess]
    recover_commits(data_dir)  # a commit a killed run left pending is finished, not planned around
    config_hash = settings.fingerprint()
    plan = []
    for date in date_range(start, end):
        input_path = settings.input.folder_for(date)
        if not input_path.is_dir():
            plan.append(PlannedDate(date, input_path, NO_INPUT, f"no input folder {input_path}", False))
            continue
        state, reason = partition_state(read_manifest(data_dir, date), input_fingerprints(input_path), config_hash)
        plan.append(PlannedDate(date, input_path, state, reason, state in to_run))
    return sorted(plan, key=lambda planned: planned.date, reverse=backwards)


@dataclass(frozen=True)
class DateOutcome:
    date: dt.date
    status: str
    detail: str


@task(name="partition", cache_policy=NONE, persist_result=False)
def partition_task(
    input_path: Path, date: dt.date, data_dir: Path, config_path: Path, ordering_key: str | None
) -> DateOutcome:
    # One date failing must not stop the others: the failure is in its manifest and in the outcome.
    try:
        report = daily_flow(
            input_path=input_path, date=date, data_dir=data_dir, config_path=config_path, ordering_key=ordering_key
        )
    except Exception as error:  # noqa: BLE001 - reported per date, the backfill goes on
        return DateOutcome(date, "failed", f"{type(error).__name__}: {error}")
    return DateOutcome(
        date,
        report.status,
        f"{report.n_articles} articles, {report.n_duplicates} duplicates, {report.seconds:.1f} s",
    )


@flow(name="newsetl-backfill", log_prints=False)
def backfill_flow(
    dates: list[dt.date], input_paths: list[Path], data_dir: Path, config_path: Path, ordered: bool = True
) -> list[DateOutcome]:
    ordering_key = ordering.register(dates) if ordered else None
    try:
        futures = [
            partition_task.submit(input_path, date, data_dir, config_path, ordering_key)
            for date, input_path in zip(dates, input_paths)
        ]
        outcomes = []
        for done, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes.append(outcome)
            print(f"[{done}/{len(futures)}] {outcome.date.isoformat()} {outcome.status}: {outcome.detail}", flush=True)
        return sorted(outcomes, key=lambda outcome: outcome.date)
    finally:
        if ordering_key:
            ordering.unregister(ordering_key)


def run_backfill(plan: list[PlannedDate], data_dir: Path, config_path: Path, max_parallel: int, backwards: bool):
    selected = [planned for planned in plan if planned.will_run]
    if not selected:
        return []
    runner = ThreadPoolTaskRunner(max_workers=max_parallel)
    return backfill_flow.with_options(task_runner=runner)(
        dates=[planned.date for planned in selected],
        input_paths=[planned.input_path for planned in selected],
        data_dir=data_dir,
        config_path=config_path,
        ordered=not backwards,
    )
