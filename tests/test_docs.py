from tasks.datadict import render
from tasks.schemas import DATASETS

from tests.conftest import REPO


def test_data_dictionary_is_up_to_date():
    committed = (REPO / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/datasets.md is stale: run `make docs`"


def test_every_column_is_described():
    for dataset, schema in DATASETS.items():
        for schema_field in schema:
            assert (schema_field.metadata or {}).get(b"description"), f"{dataset}.{schema_field.name}"
