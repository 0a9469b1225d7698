"""Partition manifests: what each date's last run saw and produced, to decide what a backfill must redo.

One JSON file per date under <data_dir>/state/manifests/, written last (after the datasets), by rename.
A partition is
- missing   when it has no manifest (never processed, or a run died before finishing),
- failed    when its last run failed,
- stale     when its input files (by content hash) or its settings changed since its last good run,
- complete  otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tasks.ingest import input_names, walk_root

MISSING, FAILED, STALE, COMPLETE = "missing", "failed", "stale", "complete"


@dataclass
class PartitionManifest:
    date: str
    status: str  # "completed" or "failed"
    run_id: str
    finished_at: str
    input_path: str
    config_hash: str
    code_version: str
    input_files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    row_counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def manifests_dir(data_dir: Path) -> Path:
    return data_dir / "state" / "manifests"


def manifest_path(data_dir: Path, date: dt.date) -> Path:
    return manifests_dir(data_dir) / f"date={date.isoformat()}.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprints(input_root: Path) -> dict[str, str]:
    """Content hash of every input file, by path relative to the input root."""
    if not input_root.exists():
        return {}
    root = walk_root(input_root)
    return {name: file_sha256(root / name) for name in input_names(input_root)}


def write_manifest(data_dir: Path, manifest: PartitionManifest) -> Path:
    path = manifest_path(data_dir, dt.date.fromisoformat(manifest.date))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
    return path


def read_manifest(data_dir: Path, date: dt.date) -> PartitionManifest | None:
    path = manifest_path(data_dir, date)
    if not path.exists():
        return None
    return PartitionManifest(**json.loads(path.read_text(encoding="utf-8")))


def all_manifests(data_dir: Path) -> list[PartitionManifest]:
    root = manifests_dir(data_dir)
    if not root.exists():
        return []
    return [PartitionManifest(**json.loads(path.read_text(encoding="utf-8"))) for path in sorted(root.glob("date=*.json"))]


def describe_input_change(before: dict[str, str], after: dict[str, str]) -> str:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(name for name in set(before) & set(after) if before[name] != after[name])
    parts = [f"{len(names)} {label} ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})"
             for label, names in (("new", added), ("changed", changed), ("removed", removed)) if names]
    return "input changed: " + "; ".join(parts)


def partition_state(
    manifest: PartitionManifest | None, current_inputs: dict[str, str], config_hash: str
) -> tuple[str, str]:
    """(state, why) of a partition given its manifest, its input files now and the settings now."""
    if manifest is None:
        return MISSING, "never completed"
    if manifest.status != "completed":
        return FAILED, f"last run failed: {manifest.error or 'unknown error'}"
    if manifest.input_files != current_inputs:
        return STALE, describe_input_change(manifest.input_files, current_inputs)
    if manifest.config_hash != config_hash:
        return STALE, f"config changed ({manifest.config_hash} -> {config_hash})"
    return COMPLETE, f"complete (run {manifest.run_id[:8]} at {manifest.finished_at})"
