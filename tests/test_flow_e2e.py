"""The real Prefect flow on seeds/: the facts the seeds must give, schemas, re-runs, CLI errors."""

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tasks.schemas import DATASETS, PARTITION_DATASETS

from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.e2e
DATE = dt.date(2025, 3, 4)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from flows.daily import daily_flow

    data_dir = tmp_path_factory.mktemp("data")
    report = daily_flow(input_path=SEEDS, date=DATE, data_dir=data_dir, config_path=REPO / "config.yaml")
    assert report.status == "completed"
    return data_dir


def read(data_dir, dataset):
    return pd.read_parquet(data_dir / "curated" / dataset)


def partition_files(data_dir):
    return {
        path.relative_to(data_dir).as_posix(): path.read_bytes()
        for dataset in PARTITION_DATASETS
        for path in sorted((data_dir / "curated" / dataset).rglob("*.parquet"))
    }


def test_files_match_the_schemas(data_dir):
    for dataset, schema in DATASETS.items():
        files = list((data_dir / "curated" / dataset / f"date={DATE}").glob("*.parquet"))
        assert files, dataset
        for path in files:
            assert pq.read_schema(path).remove_metadata().equals(schema.remove_metadata()), dataset


def test_two_unique_english_articles(data_dir):
    articles = read(data_dir, "articles").sort_values("line_start")
    assert len(articles) == 2
    ukraine, migrants = articles.sort_values("source_file").itertuples()
    assert ukraine.source_file == "000_03677c9b510fc185.txt" and (ukraine.line_start, ukraine.line_end) == (1, 26)
    assert ukraine.text.startswith("Sir Keir Starmer has declared that a “coalition of the willing”")
    assert migrants.source_file == "001_e16248f705b44a0d.txt" and (migrants.line_start, migrants.line_end) == (27, 45)
    assert migrants.text.startswith("As a milestone is reached of 50,000 migrants crossing the Channel")
    assert set(articles["language"]) == {"en"}
    assert not articles["mixed_language"].any() and articles["language_allowed"].all()
    assert set(read(data_dir, "paragraphs")["language"]) <= {"en", "und"}
    assert (articles["language_score"] > 0.9).all()
    assert list(articles["date"].astype(str)) == [str(DATE)] * 2


def test_the_repeated_ukraine_article_is_an_exact_duplicate(data_dir):
    duplicates = read(data_dir, "duplicates")
    articles = read(data_dir, "articles")
    ukraine_id = articles.loc[articles["source_file"] == "000_03677c9b510fc185.txt", "article_id"].item()
    assert len(duplicates) == 1
    row = duplicates.iloc[0]
    assert (row.source_file, row.line_start, row.line_end) == ("001_e16248f705b44a0d.txt", 1, 26)
    assert (row.duplicate_of, row.method, row.similarity) == (ukraine_id, "exact", 1.0)


def test_every_boilerplate_line_is_removed_with_a_rule(data_dir):
    removed = read(data_dir, "removed_lines")
    expected = {
        ("000_03677c9b510fc185.txt", 7): "Image: Pic: AP",
        ("000_03677c9b510fc185.txt", 17): "Please use Chrome browser for a more accessible video player",
        ("000_03677c9b510fc185.txt", 18): "4:01",
        ("000_03677c9b510fc185.txt", 19): "Britain must ‘lead from the front’",
        ("000_03677c9b510fc185.txt", 24): "Image: Sir Keir hosting European and NATO leaders in London. Pic: PA",
        ("001_e16248f705b44a0d.txt", 33): "More from Politics",
        ("001_e16248f705b44a0d.txt", 37): "Image: A group of people thought to be migrants are brought in to the Border Force compound in Dover, Kent. Pic: PA",
    }
    assert {(row.source_file, row.line_no): row.text for row in removed.itertuples()} == expected
    assert removed["rule"].str.len().gt(0).all()
    articles = read(data_dir, "articles")
    assert set(removed["article_id"]) <= set(articles["article_id"])


def test_content_lines_stay(data_dir):
    text = "\n".join(read(data_dir, "articles")["text"])
    for line in [
        "What is Sir Keir Starmer’s four-point plan?",
        "What is the ‘coalition of the willing’?",
        "1. Any lasting peace must guarantee Ukraine’s sovereignty and security",
        "4. European leaders will join forces in a “coalition of the willing” to devise a peace plan for Ukraine. This will be presented to the US",
        "Here, Sky News explains everything you need to know about Europe’s plan for peace.",
    ]:
        assert line in text.split("\n")
    # 26 Ukraine lines less 5 removed, 19 migrants lines less 2 removed: nothing else is dropped.
    assert len(text.split("\n")) == 21 + 17


def test_paragraphs_carry_kinds_and_offsets(data_dir):
    articles = read(data_dir, "articles").set_index("article_id")
    paragraphs = read(data_dir, "paragraphs")
    kinds = dict(zip(paragraphs["text"], paragraphs["kind"]))
    assert kinds["What is Sir Keir Starmer’s four-point plan?"] == "heading"
    assert kinds["What is the ‘coalition of the willing’?"] == "heading"
    assert kinds["1. Any lasting peace must guarantee Ukraine’s sovereignty and security"] == "list_item"
    assert kinds["Washington has since paused military aid to Kyiv, with no indication of how long this could last."] == "body"
    for row in paragraphs.itertuples():
        assert articles.loc[row.article_id, "text"][row.char_start : row.char_end] == row.text


def test_sentences_are_right_on_the_seed_traps(data_dir):
    articles = read(data_dir, "articles").set_index("article_id")
    sentences = read(data_dir, "sentences")
    for row in sentences.itertuples():
        assert articles.loc[row.article_id, "text"][row.char_start : row.char_end] == row.text
    texts = set(sentences["text"])
    for sentence in [
        "Sir Keir unveiled his four-point plan for peace in the Commons on Monday, the day after European leaders – plus Canada and Turkey – hurriedly gathered in London for talks on the Ukraine war.",
        "He said this so-called “coalition of the willing” would enforce any peace deal in the war-torn country, and announced a plan for Kyiv to use £1.6bn of UK export finance to buy 5,000 more air defence missiles.",
        "Home Office data shows 50,271 people made the journey since the election last July, after 474 migrants arrived on Monday.",
        "1. Any lasting peace must guarantee Ukraine’s sovereignty and security",
        "4. European leaders will join forces in a “coalition of the willing” to devise a peace plan for Ukraine.",
        "What is Sir Keir Starmer’s four-point plan?",
    ]:
        assert sentence in texts
    counts = sentences.groupby("article_id").size()
    assert (counts == articles.loc[counts.index, "n_sentences"]).all()


def test_rerun_gives_identical_bytes_and_no_doubled_rows(data_dir):
    from flows.daily import daily_flow

    before = partition_files(data_dir)
    daily_flow(input_path=SEEDS, date=DATE, data_dir=data_dir, config_path=REPO / "config.yaml")
    assert partition_files(data_dir) == before
    assert len(read(data_dir, "articles")) == 2
    runs = read(data_dir, "runs")
    assert len(runs) == 2 and set(runs["status"]) == {"completed"}
    assert set(runs["n_articles"]) == {2} and set(runs["n_duplicates"]) == {1}
    # Each run reports the flow process's peak memory by the end of each step; the peak never falls.
    for peaks in map(json.loads, runs["peak_rss_mb_by_stage"]):
        assert list(peaks) == ["plan", "clean", "dedup", "finish", "commit"]
        assert list(peaks.values()) == sorted(peaks.values()) and peaks["plan"] > 10


def test_a_later_date_finds_the_seeds_in_history(data_dir):
    from flows.daily import daily_flow

    later = DATE + dt.timedelta(days=1)
    daily_flow(input_path=SEEDS, date=later, data_dir=data_dir, config_path=REPO / "config.yaml")
    articles = pd.read_parquet(data_dir / "curated" / "articles" / f"date={later}")
    duplicates = pd.read_parquet(data_dir / "curated" / "duplicates" / f"date={later}")
    assert len(articles) == 0 and len(duplicates) == 3
    assert set(duplicates["duplicate_of_date"]) == {DATE}


def test_cli_reports_a_config_error_in_one_line(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("clean:\n  heading_max_words: many\n")
    result = subprocess.run(
        [sys.executable, "-m", "flows", "run", "--config", str(bad), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"newsetl: {bad}: clean.heading_max_words: Input should be a valid integer, unable to parse string as an integer (got 'many')"
    assert not (tmp_path / "data").exists()


def test_block_paragraph_mode_joins_wrapped_lines(tmp_path):
    from flows.daily import daily_flow

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "wrapped.txt").write_text(
        "Ministers announced on Monday a plan to build\nforty new schools in the north of England.\n\n"
        "Critics said the money would not arrive\nuntil after the next election, and asked why.\n"
    )
    config = tmp_path / "config.yaml"
    config.write_text((REPO / "config.yaml").read_text().replace("paragraphs: line", "paragraphs: block"))
    daily_flow(input_path=raw, date=DATE, data_dir=tmp_path / "data", config_path=config)
    paragraphs = read(tmp_path / "data", "paragraphs")
    assert list(zip(paragraphs["line_no"], paragraphs["line_end"])) == [(1, 2), (4, 5)]
    text = read(tmp_path / "data", "articles")["text"].item()
    assert text.split("\n")[0] == "Ministers announced on Monday a plan to build forty new schools in the north of England."
