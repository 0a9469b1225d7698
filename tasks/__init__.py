"""newsetl stages: plain functions over records and Arrow tables, usable without Prefect."""

__version__ = "0.1.0"
