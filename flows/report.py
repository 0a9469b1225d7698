"""The run report: one `runs` row per flow run, and the summary the CLI prints."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tasks import __version__
from tasks.config import Settings
from tasks.tables import to_table
from tasks.write import curated_dir, partition_dir, write_parquet_file


def code_version() -> str:
    """The package version, plus the git commit when running from a checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__}+{commit}" if commit else __version__


@dataclass
class RunReport:
    run_id: str
    date: dt.date
    input_path: Path
    config_hash: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    status: str = "running"
    error: str | None = None
    n_files: int = 0
    n_raw_lines: int = 0
    n_blank_lines: int = 0
    n_articles: int = 0
    n_empty_articles: int = 0
    n_duplicates: int = 0
    n_removed_lines: int = 0
    n_quarantined: int = 0
    n_paragraphs: int = 0
    n_sentences: int = 0
    removed_by_rule: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    @classmethod
    def start(cls, run_id: str, date: dt.date, input_path: Path, settings: Settings) -> RunReport:
        return cls(run_id, date, input_path, settings.fingerprint(), dt.datetime.now(dt.timezone.utc))

    def finish(self, status: str, seconds_by_stage: dict[str, float], error: str | None = None) -> None:
        self.status, self.error = status, error
        self.seconds_by_stage = dict(seconds_by_stage)
        self.finished_at = dt.datetime.now(dt.timezone.utc)

    @property
    def seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.timezone.utc)
        return (end - self.started_at).total_seconds()

    def summary(self) -> str:
        languages = ", ".join(f"{language} {count}" for language, count in self.languages.items()) or "none"
        return "\n".join(
            [
                f"newsetl run {self.date.isoformat()}: {self.status} in {self.seconds:.1f} s",
                f"  files        {self.n_files} ({self.n_quarantined} quarantined), {self.n_raw_lines} raw lines",
                f"  articles     {self.n_articles}",
                f"  duplicates   {self.n_duplicates}",
                f"  removed      {self.n_removed_lines} lines"
                + (f" ({', '.join(f'{rule} {n}' for rule, n in self.removed_by_rule.items())})" if self.removed_by_rule else ""),
                f"  languages    {languages}",
                f"  segments     {self.n_paragraphs} paragraphs, {self.n_sentences} sentences",
            ]
        )


def write_run_row(data_dir: Path, report: RunReport, settings: Settings) -> Path:
    """Add this run's row to the `runs` dataset: one file per run, never replaced."""
    row = {
        "run_id": report.run_id,
        "status": report.status,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "input_path": str(report.input_path),
        "n_files": report.n_files,
        "n_raw_lines": report.n_raw_lines,
        "n_blank_lines": report.n_blank_lines,
        "n_articles": report.n_articles,
        "n_empty_articles": report.n_empty_articles,
        "n_duplicates": report.n_duplicates,
        "n_removed_lines": report.n_removed_lines,
        "n_quarantined": report.n_quarantined,
        "n_paragraphs": report.n_paragraphs,
        "n_sentences": report.n_sentences,
        "removed_by_rule": json.dumps(report.removed_by_rule, sort_keys=True),
        "languages": json.dumps(report.languages, sort_keys=True),
        "seconds_by_stage": json.dumps(report.seconds_by_stage),
        "config_hash": report.config_hash,
        "code_version": code_version(),
        "error": report.error,
    }
    timestamp = report.started_at.strftime("%Y%m%dT%H%M%S")
    path = partition_dir(curated_dir(data_dir), "runs", report.date) / f"run-{timestamp}-{report.run_id}.parquet"
    output = settings.output
    write_parquet_file(to_table("runs", [row]), path, output.compression, output.compression_level)
    return path
