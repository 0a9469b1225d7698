"""Typed configuration: config.yaml is read and validated here, and nowhere else.

Every section is a pydantic model that forbids unknown keys, so a typo is an error rather than a
silently ignored setting. Errors are turned into one line naming the file and the dotted key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tasks.safe_regex import compile_rule_pattern

DEFAULT_CONFIG_PATH = Path("config.yaml")


class ConfigError(ValueError):
    """A configuration problem, with a message fit to print as the only line of output."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _all_known(values: list[str], known: list[str], what: str) -> list[str]:
    for value in values:
        if value not in known:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise ValueError(f"{value!r} is not {what} ({shown})")
    return values


def _check_regex(pattern: str) -> str:
    compile_rule_pattern(pattern)  # ValueError naming the fault: not valid, or backtracks catastrophically
    return pattern


class FieldMapping(_Section):
    """Which key (JSON lines) or column (CSV, Parquet) holds each part of an article; null: none does."""

    text: Annotated[str, Field(min_length=1)] = "text"
    title: str | None = "title"
    url: str | None = "url"
    published: str | None = "published"
    source: str | None = "source"
    id: str | None = "id"


class InputSettings(_Section):
    path: Path = Path("seeds")
    landing: str | None = None
    extensions: list[str] = [".txt", ".jsonl", ".ndjson", ".csv", ".parquet"]
    fields: FieldMapping = FieldMapping()

    @field_validator("extensions")
    @classmethod
    def _dotted(cls, extensions: list[str]) -> list[str]:
        for extension in extensions:
            if not extension.startswith("."):
                raise ValueError(f"{extension!r} must start with a dot, like '.txt'")
        return [extension.lower() for extension in extensions]

    @field_validator("landing")
    @classmethod
    def _has_date_placeholder(cls, template: str | None) -> str | None:
        if template is not None and "{date}" not in template:
            raise ValueError("must contain '{date}', like 'data/raw/{date}'")
        return template

    def folder_for(self, date: dt.date) -> Path:
        """The landing folder of a logical date (input.landing with {date} filled in)."""
        if self.landing is None:
            raise ConfigError("input.landing is not set: set it (e.g. 'data/raw/{date}') or pass --input")
        return Path(self.landing.format(date=date.isoformat()))


class OutputSettings(_Section):
    data_dir: Path = Path("data")
    compression: str = "zstd"
    compression_level: int | None = 3


class IngestSettings(_Section):
    fallback_encodings: list[str] = ["cp1252", "latin-1"]
    max_file_bytes: Annotated[int, Field(gt=0)] | None = 100 * 1024 * 1024
    max_line_chars: Annotated[int, Field(gt=0)] = 1_000_000
    repair_mojibake: bool = True

    @field_validator("fallback_encodings")
    @classmethod
    def _known_encodings(cls, encodings: list[str]) -> list[str]:
        import codecs

        for encoding in encodings:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {encoding!r}") from None
        return encodings


DEFAULT_SEPARATOR_PATTERN = r"^\s*(?:[-=_*#~+]\s*){3,}$"


class SplitSettings(_Section):
    blank_lines_between_articles: Annotated[int, Field(ge=0)] = 2
    blank_run_needs_headline: bool = True
    headline_max_words: Annotated[int, Field(ge=1)] = 20
    separator_pattern: str = DEFAULT_SEPARATOR_PATTERN
    form_feed: bool = True
    repeated_block_min_lines: Annotated[int, Field(ge=1)] = 3

    @field_validator("separator_pattern")
    @classmethod
    def _valid_regex(cls, pattern: str) -> str:
        return _check_regex(pattern)


class UserRule(_Section):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    pattern: str
    # The kind groups removals in the report; "related_header", "credit", "media_marker" or
    # "video_duration" also make the structural rules treat the next lines as links, captions or titles.
    kind: str = "user"
    case_sensitive: bool = False

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, pattern: str) -> str:
        return _check_regex(pattern)


class TextDensitySettings(_Section):
    """jusText-style classes by length and stopword density (tasks/text_density.py)."""

    enabled: bool = True
    languages: list[str] = ["en", "de", "fr", "es", "it"]
    min_language_density: Annotated[float, Field(ge=0, le=1)] = 0.15
    length_low: Annotated[int, Field(ge=0)] = 70
    length_high: Annotated[int, Field(ge=0)] = 200
    stopwords_low: Annotated[float, Field(ge=0, le=1)] = 0.15
    stopwords_high: Annotated[float, Field(ge=0, le=1)] = 0.25
    sentence_min_words: Annotated[int, Field(ge=1)] = 5

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        from tasks.text_density import available_languages

        return _all_known(languages, available_languages(), "a language with a stopword list")


# The history index keeps, per line and partition, this many distinct stories and files at most: enough to
# tell whether a line reaches min_stories and min_files, which may not exceed it.
LEARNED_HISTORY_CAP = 32


class LearnedSettings(_Section):
    """Lines learned as boilerplate because they recur across stories (tasks/boilerplate_learned.py)."""

    enabled: bool = True
    min_stories: Annotated[int, Field(ge=2, le=LEARNED_HISTORY_CAP)] = 4
    min_files: Annotated[int, Field(ge=2, le=LEARNED_HISTORY_CAP)] = 3
    max_chars: Annotated[int, Field(gt=0)] = 200
    history_partitions: Annotated[int, Field(ge=0)] = 30


class StructureSettings(_Section):
    """Heuristics that need a line's neighbours (tasks/structure.py)."""

    caption_max_words: Annotated[int, Field(ge=0)] = 60
    credit_caption_max_words: Annotated[int, Field(ge=0)] = 25
    link_max_words: Annotated[int, Field(ge=1)] = 16
    link_run_min_lines: Annotated[int, Field(ge=2)] = 3
    repeated_line_min: Annotated[int, Field(ge=0)] = 3
    title_repeat_min_words: Annotated[int, Field(ge=0)] = 4
    title_repeat_line_share: Annotated[float, Field(ge=0, le=1)] = 0.7
    title_repeat_title_share: Annotated[float, Field(ge=0, le=1)] = 0.6
    teaser_headline_run_min_lines: Annotated[int, Field(ge=0)] = 0


class MainTextSettings(_Section):
    """The main-text span of a full page (tasks/main_text.py)."""

    enabled: bool = True
    max_line_score: Annotated[int, Field(gt=0)] = 600
    isolated_weight: Annotated[float, Field(ge=0, le=1)] = 0.25
    short_penalty: Annotated[int, Field(ge=0)] = 40
    bad_penalty: Annotated[int, Field(ge=0)] = 80
    furniture_penalty: Annotated[int, Field(ge=0)] = 20
    lead_max_gap: Annotated[int, Field(ge=0)] = 8
    lead_min_words: Annotated[int, Field(ge=1)] = 8
    comments_min_share: Annotated[float, Field(ge=0, le=1)] = 0.5
    tail_gain_ratio: Annotated[float, Field(ge=1)] = 2.0
    tail_min_depth: Annotated[float, Field(gt=0)] = 400.0
    teaser_run_min_lines: Annotated[int, Field(ge=0)] = 3
    min_furniture_lines: Annotated[int, Field(ge=0)] = 30


class LineClassifierSettings(_Section):
    """The last cleaning pass: a logistic model over each kept line's features (tasks/line_classifier.py)."""

    enabled: bool = True
    # Which models run: "page" on full web pages, "body" on extracted article bodies.
    models: list[Literal["page", "body"]] = ["page"]
    # A weights file as written by bench/train_line_classifier.py; None: the one shipped with the code.
    weights: Path | None = None
    # Probability of boilerplate from which a kept line is removed; None: the weights file's own.
    page_threshold: Annotated[float, Field(gt=0, le=1)] | None = None
    body_threshold: Annotated[float, Field(gt=0, le=1)] | None = None

    @field_validator("weights")
    @classmethod
    def _readable_weights(cls, weights: Path | None) -> Path | None:
        # Read at start-up, so that a missing file or one trained on other features stops the run
        # before any work rather than in the first clean worker.
        if weights is not None:
            from tasks.line_classifier import load_models

            try:
                load_models(weights)
            except ConfigError as error:
                raise ValueError(str(error)) from error
        return weights


class CleanSettings(_Section):
    packs: list[str] = [
        "chrome", "media", "navigation", "social", "bylines",
        "skynews", "bbc", "guardian", "reuters", "apnews", "cnn", "dailymail",
    ]
    disabled_rules: list[str] = []
    rules: list[UserRule] = []
    title_max_words: Annotated[int, Field(ge=0)] = 20
    video_title_max_words: Annotated[int, Field(ge=0)] = 14
    heading_max_words: Annotated[int, Field(ge=0)] = 14
    structure: StructureSettings = StructureSettings()
    main_text: MainTextSettings = MainTextSettings()
    text_density: TextDensitySettings = TextDensitySettings()
    learned: LearnedSettings = LearnedSettings()
    line_classifier: LineClassifierSettings = LineClassifierSettings()


class LangidSettings(_Section):
    seed: int = 0
    min_chars: Annotated[int, Field(ge=0)] = 40
    min_score: Annotated[float, Field(ge=0, le=1)] = 0.5
    max_chars: Annotated[int, Field(gt=0)] = 2000
    early_stop_margin: Annotated[float, Field(ge=0)] = 80.0
    first_stage_chars: Annotated[int, Field(gt=0)] = 250
    mixed_min_share: Annotated[float, Field(gt=0, le=0.5)] = 0.2
    merge_chinese: bool = False
    allowed: list[str] = []
    other_languages: Literal["flag", "route"] = "flag"

    @field_validator("allowed")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        import os

        from langdetect.detector_factory import PROFILES_DIRECTORY

        known = sorted(os.listdir(PROFILES_DIRECTORY) + ["zh"])  # "zh": with merge_chinese
        return _all_known(languages, known, "a language langdetect knows")


class DedupSettings(_Section):
    exact: bool = True
    near: bool = True
    containment: bool = True
    shingle_size: Annotated[int, Field(ge=1, le=10)] = 2
    num_perm: Annotated[int, Field(ge=16, le=1024)] = 256
    bands: Annotated[int, Field(ge=1)] = 64
    rows: Annotated[int, Field(ge=1)] = 4
    seed: Annotated[int, Field(ge=0, lt=2**32)] = 1
    threshold: Annotated[float, Field(gt=0, le=1)] = 0.5
    containment_threshold: Annotated[float, Field(gt=0, le=1)] = 0.8
    min_shingles: Annotated[int, Field(ge=1)] = 20
    history_days: Annotated[int, Field(ge=1)] | None = None

    @field_validator("rows")
    @classmethod
    def _bands_fit_the_signature(cls, rows: int, info) -> int:
        num_perm, bands = info.data.get("num_perm"), info.data.get("bands")
        if num_perm is not None and bands is not None and bands * rows > num_perm:
            raise ValueError(f"bands x rows ({bands} x {rows}) must not exceed num_perm ({num_perm})")
        return rows


class ParallelSettings(_Section):
    workers: Annotated[int, Field(ge=0)] = 0
    chunk_megabytes: Annotated[float, Field(gt=0)] = 1.0
    chunk_max_articles: Annotated[int, Field(ge=1)] | None = 1000
    dask_address: str | None = None
    dask_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0

    @field_validator("dask_address")
    @classmethod
    def _scheduler_address(cls, address: str | None) -> str | None:
        if address is not None and not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://\S+", address):
            raise ValueError(f"{address!r} is not a Dask scheduler address such as tcp://10.0.0.5:8786")
        return address or None


class SegmentSettings(_Section):
    paragraphs: Literal["line", "block"] = "line"


class ScheduleSettings(_Section):
    cron: str = "0 2 * * *"
    timezone: str = "UTC"
    logical_date_offset_days: Annotated[int, Field(ge=0)] = 1

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, cron: str) -> str:
        if len(cron.split()) != 5:
            raise ValueError("must have five fields: minute hour day-of-month month day-of-week")
        return cron

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r} (use an IANA name like 'Europe/London')") from None
        return timezone


class BackfillSettings(_Section):
    max_parallel: Annotated[int, Field(ge=1)] = 2


_HOW_AND_WHEN_SECTIONS = {"parallel", "schedule", "backfill"}


class Settings(_Section):
    input: InputSettings = InputSettings()
    output: OutputSettings = OutputSettings()
    ingest: IngestSettings = IngestSettings()
    split: SplitSettings = SplitSettings()
    clean: CleanSettings = CleanSettings()
    langid: LangidSettings = LangidSettings()
    dedup: DedupSettings = DedupSettings()
    segment: SegmentSettings = SegmentSettings()
    parallel: ParallelSettings = ParallelSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    backfill: BackfillSettings = BackfillSettings()

    def fingerprint(self) -> str:
        """A short hash of every setting that can change the datasets (recorded in `runs`).

        Where and when the work runs (parallel, schedule, backfill) gives the same bytes, so changing it
        does not make a partition stale.
        """
        canonical = json.dumps(self.model_dump(mode="json", exclude=_HOW_AND_WHEN_SECTIONS), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _format_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{path}: unknown key '{key}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"{path}: {key}: {message} (got {first.get('input')!r})"


def parse_config(data: object, path: Path = DEFAULT_CONFIG_PATH) -> Settings:
    """Validate an already-parsed YAML document; `path` only names the source in errors."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, not {type(data).__name__}")
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_error(path, error)) from None


def load_config(path: Path | str = DEFAULT_CONFIG_PATH) -> Settings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
    return parse_config(data, path)
