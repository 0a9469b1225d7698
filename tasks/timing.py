"""Seconds spent per step, for the run report."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StageTimer:
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage_name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = self.seconds_by_stage.get(stage_name, 0.0) + time.perf_counter() - started
            self.seconds_by_stage[stage_name] = round(spent, 3)
