# Two commands for a new user: `make run` (daily flow on seeds/) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test docs bench clean-data

# The environment is rebuilt whenever the declared dependencies or their pins change.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/newsetl run

test: $(VENV)/.installed
	$(BIN)/pytest -q

# Regenerate docs/datasets.md from tasks/schemas.py (a test fails when it is stale).
docs: $(VENV)/.installed
	$(BIN)/python -m tasks.datadict > docs/datasets.md

clean-data:
	rm -rf data/
