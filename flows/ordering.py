"""Date order for dedup inside a backfill.

Dedup compares a date with the history of every earlier date, so when a backfill runs several dates at
once, date D may deduplicate only after each earlier date of the same backfill has finished (and written
its history). Everything else in a partition runs in parallel.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid


class DateOrder:
    def __init__(self, dates: list[dt.date]):
        self._finished = {date: threading.Event() for date in dates}

    def wait_for_earlier(self, date: dt.date) -> None:
        for earlier, finished in self._finished.items():
            if earlier < date:
                finished.wait()

    def finished(self, date: dt.date) -> None:
        """Called whether the date succeeded or failed, so later dates never wait forever."""
        if date in self._finished:
            self._finished[date].set()


# Flow parameters travel through the Prefect API as JSON, so a backfill hands its daily flows a key
# into this registry rather than the DateOrder itself.
_registry: dict[str, DateOrder] = {}


def register(dates: list[dt.date]) -> str:
    key = uuid.uuid4().hex
    _registry[key] = DateOrder(dates)
    return key


def lookup(key: str | None) -> DateOrder | None:
    return _registry.get(key) if key else None


def unregister(key: str) -> None:
    _registry.pop(key, None)
