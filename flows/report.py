"""The run report: one `runs` row per flow run, and the summary the CLI prints."""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from flows.manifest import PartitionManifest, input_fingerprints
from tasks import __version__
from tasks.config import Settings
from tasks.tables import to_table
from tasks.write import curated_dir, partition_dir, write_parquet_file


@functools.cache
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


# The summary printed at the end of a run names the most frequent rules and languages: a day of real pages
# removes lines by a hundred rules or more, which made one unreadable line. The runs dataset and the run's
# Prefect artifact keep every count.
SUMMARY_RULES = 8
SUMMARY_LANGUAGES = 10


def _most_frequent(counts: dict[str, int], shown: int, what: str) -> str:
    """"a 5, b 3, and 4 more <what>": the `shown` largest counts, ties by name."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    listed = ", ".join(f"{name} {count}" for name, count in ranked[:shown])
    hidden = len(ranked) - shown
    return listed + (f", and {hidden} more {what}" if hidden > 0 else "")


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
    peak_rss_mb_by_stage: dict[str, float] = field(default_factory=dict)  # the flow process, by each step's end

    @classmethod
    def start(cls, run_id: str, date: dt.date, input_path: Path, settings: Settings) -> RunReport:
        return cls(run_id, date, input_path, settings.fingerprint(), dt.datetime.now(dt.timezone.utc))

    def finish(
        self,
        status: str,
        seconds_by_stage: dict[str, float],
        error: str | None = None,
        peak_rss_mb_by_stage: dict[str, float] | None = None,
    ) -> None:
        self.status, self.error = status, error
        self.seconds_by_stage = dict(seconds_by_stage)
        self.peak_rss_mb_by_stage = dict(peak_rss_mb_by_stage or {})
        self.finished_at = dt.datetime.now(dt.timezone.utc)

    @property
    def seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.timezone.utc)
        return (end - self.started_at).total_seconds()

    def summary(self) -> str:
        languages = _most_frequent(self.languages, SUMMARY_LANGUAGES, "languages") or "none"
        return "\n".join(
            [
                f"newsetl run {self.date.isoformat()}: {self.status} in {self.seconds:.1f} s",
                f"  files        {self.n_files} ({self.n_quarantined} quarantined), {self.n_raw_lines} raw lines",
                f"  articles     {self.n_articles}",
                f"  duplicates   {self.n_duplicates}",
                f"  removed      {self.n_removed_lines} lines"
                + (f" ({_most_frequent(self.removed_by_rule, SUMMARY_RULES, 'rules')})" if self.removed_by_rule else ""),
                f"  languages    {languages}",
                f"  segments     {self.n_paragraphs} paragraphs, {self.n_sentences} sentences",
            ]
        )

    def markdown(self) -> str:
        """The run report as a Prefect artifact: counts per stage, removals by rule, languages, timings."""
        def table(title: str, rows: dict) -> str:
            lines = [f"| {title} | value |", "|---|---|"] + [f"| {key} | {value} |" for key, value in rows.items()]
            return "\n".join(lines)

        counts = {
            "status": self.status, "files": self.n_files, "quarantined": self.n_quarantined,
            "raw lines": self.n_raw_lines, "blank lines": self.n_blank_lines, "articles": self.n_articles,
            "empty articles": self.n_empty_articles, "duplicates": self.n_duplicates,
            "removed lines": self.n_removed_lines, "paragraphs": self.n_paragraphs, "sentences": self.n_sentences,
        }
        return "\n\n".join(
            [
                f"# newsetl run {self.date.isoformat()} ({self.run_id[:8]})",
                table("count", counts),
                table("removed by rule", self.removed_by_rule),
                table("language", self.languages),
                table("stage seconds", self.seconds_by_stage),
                table("flow process peak MB, by the end of", self.peak_rss_mb_by_stage),
            ]
            + ([f"**error:** {self.error}"] if self.error else [])
        )

    def row_counts(self) -> dict[str, int]:
        return {
            "articles": self.n_articles, "paragraphs": self.n_paragraphs, "sentences": self.n_sentences,
            "removed_lines": self.n_removed_lines, "duplicates": self.n_duplicates, "quarantine": self.n_quarantined,
        }


def partition_manifest(report: RunReport, input_path: Path, version: str) -> PartitionManifest:
    return PartitionManifest(
        date=report.date.isoformat(),
        status=report.status,
        run_id=report.run_id,
        finished_at=(report.finished_at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        input_path=str(input_path),
        config_hash=report.config_hash,
        code_version=version,
        input_files=input_fingerprints(input_path),
        row_counts=report.row_counts(),
        error=report.error,
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
        "peak_rss_mb_by_stage": json.dumps(report.peak_rss_mb_by_stage),
        "config_hash": report.config_hash,
        "code_version": code_version(),
        "error": report.error,
    }
    timestamp = report.started_at.strftime("%Y%m%dT%H%M%S")
    path = partition_dir(curated_dir(data_dir), "runs", report.date) / f"run-{timestamp}-{report.run_id}.parquet"
    output = settings.output
    write_parquet_file(to_table("runs", [row]), path, output.compression, output.compression_level)
    return path
