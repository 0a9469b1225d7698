"""Backfill planning from manifests (no Prefect), and real backfills of several dates (e2e)."""

import datetime as dt
import shutil

import pytest

from flows.locks import PartitionLockedError, partition_lock
from flows.manifest import PartitionManifest, input_fingerprints, partition_state, write_manifest
from tasks.config import Settings

from tests.conftest import REPO, SEEDS

START = dt.date(2025, 1, 1)
# One distinct local story per day (no two are near-duplicates), plus the same wire story every day.
STORIES = [
    "Floods closed the main road into the town on {day}, and the council said repairs would take a week.",
    "The city council voted on {day} to expand the tram network, with building work starting next spring.",
    "Researchers said on {day} that the new vaccine cut hospital admissions by almost half in the trial.",
    "A rare white stork nested on the cathedral roof, birdwatchers reported on {day}, drawing large crowds.",
    "Shares in the carmaker fell sharply on {day} after it recalled forty thousand electric vans.",
]
WIRE = "Officials in the capital announced a new inquiry into rail delays on Monday, citing months of complaints."


def landing(tmp_path, n_days: int):
    """n_days of landing folders: seeds on day 1 and 2, a day-specific story and a shared wire story."""
    raw = tmp_path / "raw"
    for offset in range(n_days):
        date = START + dt.timedelta(days=offset)
        folder = raw / date.isoformat()
        folder.mkdir(parents=True)
        if offset < 2:
            shutil.copy(sorted(SEEDS.iterdir())[offset], folder)
        story = STORIES[offset].format(day=date.strftime("%A %d %B"))
        (folder / "local.txt").write_text(f"{story}\nMore details are expected later in the week.\n")
        (folder / "wire.txt").write_text(f"{WIRE}\nThe inquiry will report by the end of the year.\n")
    config = tmp_path / "config.yaml"
    config.write_text((REPO / "config.yaml").read_text().replace("landing: null", f"landing: {raw}/{{date}}"))
    return raw, config


def settings_for(raw) -> Settings:
    return Settings.model_validate({"input": {"landing": f"{raw}/{{date}}"}})


def manifest(status="completed", files=None, config_hash=None) -> PartitionManifest:
    return PartitionManifest(
        date="2025-01-01", status=status, run_id="r" * 32, finished_at="t", input_path="x",
        config_hash=config_hash or Settings().fingerprint(), code_version="v", input_files=files or {"a.txt": "h1"},
    )


@pytest.mark.parametrize(
    ("stored", "current", "state", "why"),
    [
        (None, {"a.txt": "h1"}, "missing", "never completed"),
        (manifest(status="failed"), {"a.txt": "h1"}, "failed", "last run failed"),
        (manifest(), {"a.txt": "h1", "b.txt": "h2"}, "stale", "input changed: 1 new (b.txt)"),
        (manifest(), {"a.txt": "h9"}, "stale", "input changed: 1 changed (a.txt)"),
        (manifest(), {}, "stale", "input changed: 1 removed (a.txt)"),
        (manifest(config_hash="other"), {"a.txt": "h1"}, "stale", "config changed"),
        (manifest(), {"a.txt": "h1"}, "complete", "complete"),
    ],
)
def test_partition_state_says_why(stored, current, state, why):
    found_state, found_why = partition_state(stored, current, Settings().fingerprint())
    assert found_state == state and found_why.startswith(why)


def test_plan_selects_by_reprocess_mode(tmp_path):
    from flows.backfill import plan_backfill

    raw, _ = landing(tmp_path, 4)
    shutil.rmtree(raw / "2025-01-04")
    settings = settings_for(raw)
    data_dir = tmp_path / "data"
    fingerprints = input_fingerprints(raw / "2025-01-02")
    write_manifest(data_dir, manifest_for("2025-01-02", "completed", fingerprints, settings))
    write_manifest(data_dir, manifest_for("2025-01-03", "failed", input_fingerprints(raw / "2025-01-03"), settings))

    def plan(mode):
        return [(p.date.day, p.state, p.will_run) for p in plan_backfill(START, START + dt.timedelta(days=3), data_dir, settings, mode)]

    assert plan("missing") == [(1, "missing", True), (2, "complete", False), (3, "failed", False), (4, "no_input", False)]
    assert plan("failed") == [(1, "missing", True), (2, "complete", False), (3, "failed", True), (4, "no_input", False)]
    assert plan("all") == [(1, "missing", True), (2, "complete", True), (3, "failed", True), (4, "no_input", False)]
    (raw / "2025-01-02" / "late.txt").write_text("A late file arrived.\n")
    assert plan("missing")[1] == (2, "stale", True)


def manifest_for(date, status, files, settings):
    return PartitionManifest(
        date=date, status=status, run_id="r" * 32, finished_at="t", input_path="x",
        config_hash=settings.fingerprint(), code_version="v", input_files=files, error=None if status == "completed" else "boom",
    )


def test_a_partition_has_one_writer_at_a_time(tmp_path):
    with partition_lock(tmp_path, START):
        with pytest.raises(PartitionLockedError, match=r"partition 2025-01-01 is being written by pid \d+"):
            with partition_lock(tmp_path, START):
                pass
    with partition_lock(tmp_path, START):  # released on exit
        pass


def curated_bytes(data_dir):
    return {
        path.relative_to(data_dir).as_posix(): path.read_bytes()
        for path in sorted((data_dir / "curated").rglob("*.parquet"))
        if "/runs/" not in path.as_posix()
    }


@pytest.mark.e2e
def test_parallel_backfill_matches_one_date_at_a_time_and_reruns_change_nothing(tmp_path):
    from flows.backfill import plan_backfill, run_backfill
    from tasks.config import load_config

    n_days = 5
    raw, config = landing(tmp_path, n_days)
    settings = load_config(config)
    end = START + dt.timedelta(days=n_days - 1)

    results = {}
    for max_parallel in (2, 1):
        data_dir = tmp_path / f"data-{max_parallel}"
        plan = plan_backfill(START, end, data_dir, settings, "missing")
        outcomes = run_backfill(plan, data_dir, config, max_parallel, backwards=False)
        assert [o.status for o in outcomes] == ["completed"] * n_days
        results[max_parallel] = curated_bytes(data_dir)
    assert results[2] == results[1]

    # The shared wire story survives on day 1 only; every later day has it as an exact duplicate.
    import pandas as pd

    duplicates = pd.read_parquet(tmp_path / "data-2" / "curated" / "duplicates")
    wire_copies = duplicates[duplicates["source_file"] == "wire.txt"]
    assert len(wire_copies) == n_days - 1
    assert set(wire_copies["duplicate_of_date"]) == {START} and set(wire_copies["method"]) == {"exact"}

    # Nothing is missing or stale now: the dry-run plan runs nothing and a re-run changes no byte.
    data_dir = tmp_path / "data-2"
    assert not any(p.will_run for p in plan_backfill(START, end, data_dir, settings, "missing"))
    run_backfill(plan_backfill(START, end, data_dir, settings, "all"), data_dir, config, 2, backwards=False)
    assert curated_bytes(data_dir) == results[2]
