"""`newsetl explain ARTICLE_ID`: every raw line of one article, kept or removed, and by which rule.

It reads what a run wrote (articles, paragraphs, removed_lines, duplicates; the input folder from the
`runs` row of the article's date) and the raw file itself, so an analyst can see exactly why a line is
missing from an article, or why a line of furniture is still in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tasks.config import Settings
from tasks.ingest import ingest
from tasks.records import RawDocument
from tasks.write import curated_dir

_HIVE_DATE = ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")


class ExplainError(LookupError):
    """The article or its raw file cannot be found; the message says which and where."""


@dataclass
class ArticleSpan:
    article_id: str
    date: dt.date
    source_file: str
    line_start: int
    line_end: int
    title: str | None = None
    duplicate_of: str | None = None  # set when the article was dropped as a duplicate


def _rows(data_dir: Path, dataset: str, article_id: str, date: dt.date | None = None) -> list[dict]:
    root = curated_dir(data_dir) / dataset
    if not root.exists():
        return []
    condition = pc.field("article_id") == article_id
    if date is not None:
        condition = condition & (pc.field("date") == pa.scalar(date, pa.date32()))
    return ds.dataset(root, format="parquet", partitioning=_HIVE_DATE).to_table(filter=condition).to_pylist()


def find_article(data_dir: Path, article_id: str) -> ArticleSpan:
    """Where the article's raw lines are: a kept article, a dropped duplicate, or an article emptied by
    cleaning (known only from its removed lines)."""
    if rows := _rows(data_dir, "articles", article_id):
        row = max(rows, key=lambda row: row["date"])
        return ArticleSpan(
            article_id, row["date"], row["source_file"], row["line_start"], row["line_end"], title=row["title"]
        )
    if rows := _rows(data_dir, "duplicates", article_id):
        row = max(rows, key=lambda row: row["date"])
        return ArticleSpan(
            article_id,
            row["date"],
            row["source_file"],
            row["line_start"],
            row["line_end"],
            duplicate_of=row["duplicate_of"],
        )
    if rows := _rows(data_dir, "removed_lines", article_id):
        date = max(row["date"] for row in rows)
        lines = [row for row in rows if row["date"] == date]
        numbers = [row["line_no"] for row in lines]
        return ArticleSpan(article_id, date, lines[0]["source_file"], min(numbers), max(numbers))
    raise ExplainError(f"no article {article_id!r} in {curated_dir(data_dir)} (articles, duplicates, removed_lines)")


def run_input_path(data_dir: Path, date: dt.date) -> Path | None:
    """The input folder of the latest completed run of `date`, from the runs dataset."""
    root = curated_dir(data_dir) / "runs" / f"date={date.isoformat()}"
    if not root.exists():
        return None
    runs = ds.dataset(root, format="parquet").to_table(columns=["status", "finished_at", "input_path"]).to_pylist()
    completed = [run for run in runs if run["status"] == "completed"]
    return Path(max(completed, key=lambda run: run["finished_at"])["input_path"]) if completed else None


def read_source(span: ArticleSpan, input_path: Path, settings: Settings) -> RawDocument:
    """The raw file, read the way the run read it (same decoding, same line numbers)."""
    path = input_path / span.source_file if input_path.is_dir() else input_path
    if not path.is_file():
        raise ExplainError(f"raw file not found: {path} (pass --input with the folder the run read)")
    result = ingest(path, settings.input.extensions, settings.ingest, settings.input.fields)
    if not result.documents:
        reasons = "; ".join(f"{record.reason} ({record.detail})" for record in result.quarantined)
        raise ExplainError(f"raw file {path} cannot be read: {reasons or 'no text'}")
    return result.documents[0]


def explain_lines(span: ArticleSpan, document: RawDocument, data_dir: Path) -> list[tuple[int, str, str, str]]:
    """(line_no, decision, rule or kind, raw text) for every raw line of the article."""
    kept = {
        line_no: row["kind"]
        for row in _rows(data_dir, "paragraphs", span.article_id, span.date)
        for line_no in range(row["line_no"], row["line_end"] + 1)
    }
    removed = {row["line_no"]: row for row in _rows(data_dir, "removed_lines", span.article_id, span.date)}
    lines = []
    for line in document.lines[span.line_start - 1 : span.line_end]:
        text = line.text.strip()
        if span.duplicate_of is not None:
            decision, why = "duplicate", f"duplicate of {span.duplicate_of}"
        elif line.line_no in removed:
            row = removed[line.line_no]
            decision, why = "REMOVE", row["rule"]
            if row["text"] != text:
                why += " (raw line differs from the run's copy: the file changed)"
        elif line.line_no in kept:
            decision, why = "keep", kept[line.line_no]
        elif line.is_blank:
            decision, why = "", ""
        elif span.title is not None and text == span.title:
            decision, why = "keep", "title"
        else:
            decision, why = "?", "not in this run's datasets (the file changed?)"
        lines.append((line.line_no, decision, why, text))
    return lines


def explain(article_id: str, data_dir: Path, settings: Settings, input_path: Path | None = None) -> str:
    span = find_article(data_dir, article_id)
    source = input_path or run_input_path(data_dir, span.date)
    if source is None:
        raise ExplainError(f"no completed run of {span.date} records its input folder; pass --input")
    lines = explain_lines(span, read_source(span, source, settings), data_dir)
    removed = sum(decision == "REMOVE" for _, decision, _, _ in lines)
    kept = sum(decision == "keep" for _, decision, _, _ in lines)
    status = f"duplicate of {span.duplicate_of}" if span.duplicate_of else f"{kept} lines kept, {removed} removed"
    width = max((len(why) for _, _, why, _ in lines), default=0)
    header = (
        f"article {span.article_id}  date {span.date}  {span.source_file} lines {span.line_start}-{span.line_end}"
        f"  ({status})"
    )
    body = [f"{line_no:>6}  {decision:<9} {why:<{width}}  {text}".rstrip() for line_no, decision, why, text in lines]
    return "\n".join([header, *body])
