"""`newsetl serve`: the daily flow as a Prefect deployment on the cron schedule of config.yaml.

Scheduled runs need a real Prefect server (`prefect server start`, and PREFECT_API_URL pointing at it);
on the temporary server no scheduled run ever fires. The logical date of a run is its scheduled day, in
the schedule's time zone, minus schedule.logical_date_offset_days (yesterday's batch by default).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run
from prefect.schedules import Cron

from flows.daily import daily_flow
from tasks.config import ScheduleSettings, Settings, load_config

DEPLOYMENT_NAME = "daily"


def logical_date(scheduled_start: dt.datetime, schedule: ScheduleSettings) -> dt.date:
    local = scheduled_start.astimezone(zoneinfo.ZoneInfo(schedule.timezone))
    return local.date() - dt.timedelta(days=schedule.logical_date_offset_days)


def input_for(date: dt.date, settings: Settings) -> Path:
    return settings.input.folder_for(date) if settings.input.landing else settings.input.path


@flow(name="newsetl-scheduled")
def scheduled_flow(config_path: Path, data_dir: Path | None = None, date: dt.date | None = None):
    """One scheduled (or manually triggered) run; `date` overrides the date taken from the schedule."""
    settings = load_config(config_path)
    scheduled_start = flow_run.scheduled_start_time or dt.datetime.now(dt.timezone.utc)
    date = date or logical_date(scheduled_start, settings.schedule)
    return daily_flow(
        input_path=input_for(date, settings),
        date=date,
        data_dir=data_dir or settings.output.data_dir,
        config_path=config_path,
    )


def serve(config_path: Path, data_dir: Path | None) -> None:
    settings = load_config(config_path)
    schedule = Cron(settings.schedule.cron, timezone=settings.schedule.timezone)
    parameters = {"config_path": str(config_path.resolve())}
    if data_dir is not None:
        parameters["data_dir"] = str(data_dir.resolve())
    scheduled_flow.serve(name=DEPLOYMENT_NAME, schedules=[schedule], parameters=parameters)
