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
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_CONFIG_PATH = Path("config.yaml")


class ConfigError(ValueError):
    """A configuration problem, with a message fit to print as the only line of output."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a valid regular expression ({error})") from None
    return pattern


class InputSettings(_Section):
    path: Path = Path("seeds")
    landing: str | None = None
    extensions: list[str] = [".txt"]

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
    max_file_bytes: Annotated[int, Field(gt=0)] = 100 * 1024 * 1024

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


class SplitSettings(_Section):
    blank_lines_between_articles: Annotated[int, Field(ge=0)] = 2
    separator_pattern: str = r"^\s*(?:[-=_*#~+]\s*){3,}$"
    form_feed: bool = True
    repeated_block_min_lines: Annotated[int, Field(ge=1)] = 3

    @field_validator("separator_pattern")
    @classmethod
    def _valid_regex(cls, pattern: str) -> str:
        return _check_regex(pattern)


class UserRule(_Section):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, pattern: str) -> str:
        return _check_regex(pattern)


class CleanSettings(_Section):
    packs: list[str] = ["generic", "skynews"]
    disabled_rules: list[str] = []
    rules: list[UserRule] = []
    title_max_words: Annotated[int, Field(ge=0)] = 20
    video_title_max_words: Annotated[int, Field(ge=0)] = 14
    heading_max_words: Annotated[int, Field(ge=0)] = 14


class LangidSettings(_Section):
    seed: int = 0
    min_chars: Annotated[int, Field(ge=0)] = 40
    min_score: Annotated[float, Field(ge=0, le=1)] = 0.5
    max_chars: Annotated[int, Field(gt=0)] = 2000
    early_stop_margin: Annotated[float, Field(ge=0)] = 80.0
    first_stage_chars: Annotated[int, Field(gt=0)] = 250


class DedupSettings(_Section):
    exact: bool = True


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


class Settings(_Section):
    input: InputSettings = InputSettings()
    output: OutputSettings = OutputSettings()
    ingest: IngestSettings = IngestSettings()
    split: SplitSettings = SplitSettings()
    clean: CleanSettings = CleanSettings()
    langid: LangidSettings = LangidSettings()
    dedup: DedupSettings = DedupSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    backfill: BackfillSettings = BackfillSettings()

    def fingerprint(self) -> str:
        """A short hash of every setting that can change the datasets (recorded in `runs`)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
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
