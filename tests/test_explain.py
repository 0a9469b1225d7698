"""`newsetl explain`: the raw lines of an article with keep/remove and the rule, after a real run."""

import datetime as dt

import pandas as pd
import pytest

from flows.cli import main
from tasks.config import Settings

from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.e2e
DATE = dt.date(2025, 3, 4)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from flows.daily import daily_flow

    data_dir = tmp_path_factory.mktemp("data")
    daily_flow(input_path=SEEDS, date=DATE, data_dir=data_dir, config_path=REPO / "config.yaml")
    return data_dir


def article_id(data_dir, source_file: str) -> str:
    articles = pd.read_parquet(data_dir / "curated" / "articles")
    return articles.loc[articles["source_file"] == source_file, "article_id"].item()


def test_every_raw_line_is_shown_with_its_decision_and_rule(data_dir):
    from flows.explain import explain

    ukraine = article_id(data_dir, "000_03677c9b510fc185.txt")
    output = explain(ukraine, data_dir, Settings()).splitlines()
    assert output[0].startswith(f"article {ukraine}  date 2025-03-04  000_03677c9b510fc185.txt lines 1-26")
    assert "(21 lines kept, 5 removed)" in output[0]
    rows = {int(line.split()[0]): line.split(None, 3)[1:] for line in output[1:]}
    assert len(rows) == 26
    assert rows[7] == ["REMOVE", "media.image_caption", "Image: Pic: AP"]
    assert rows[19] == ["REMOVE", "structure.video_title", "Britain must ‘lead from the front’"]
    assert rows[8][:2] == ["keep", "heading"]
    assert rows[13][:2] == ["keep", "list_item"]


def test_a_dropped_duplicate_is_explained_as_one(data_dir):
    from flows.explain import explain

    duplicates = pd.read_parquet(data_dir / "curated" / "duplicates")
    output = explain(duplicates["article_id"].iloc[0], data_dir, Settings()).splitlines()
    assert "duplicate of" in output[0]
    assert all("duplicate of" in line for line in output[1:])


def test_the_cli_prints_it_and_fails_clearly_for_an_unknown_id(data_dir, capsys):
    ukraine = article_id(data_dir, "000_03677c9b510fc185.txt")
    assert main(["explain", ukraine, "--data-dir", str(data_dir), "--config", str(REPO / "config.yaml")]) == 0
    assert "media.player_notice" in capsys.readouterr().out
    assert main(["explain", "nosuchid", "--data-dir", str(data_dir), "--config", str(REPO / "config.yaml")]) == 2
    assert "no article 'nosuchid'" in capsys.readouterr().err
