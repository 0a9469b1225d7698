"""Generate docs/datasets.md, the data dictionary, from tasks/schemas.py (`make docs`)."""

from __future__ import annotations

import pyarrow as pa

from tasks.schemas import DATASETS, DESCRIPTIONS

HEADER = """# Datasets

Generated from `tasks/schemas.py` by `make docs`; do not edit by hand (a test fails when it is stale).

Every dataset lives under `data/curated/<dataset>/date=YYYY-MM-DD/`. The partition `date` is the folder
name only, not a column inside the files: `pd.read_parquet` adds it as a category column (see the README
for reading it as a real date).
"""


def describe(schema: pa.Schema) -> list[str]:
    lines = ["| column | type | null | description |", "|---|---|---|---|"]
    for schema_field in schema:
        description = (schema_field.metadata or {}).get(b"description", b"").decode()
        nullable = "yes" if schema_field.nullable else "no"
        lines.append(f"| `{schema_field.name}` | {schema_field.type} | {nullable} | {description} |")
    return lines


def render() -> str:
    parts = [HEADER]
    for name, schema in DATASETS.items():
        parts.append(f"## {name}\n\n{DESCRIPTIONS[name]}\n")
        parts.append("\n".join(describe(schema)) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
