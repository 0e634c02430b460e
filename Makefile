# Everything a fresh machine needs is installed by these targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: test unit demo lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## test: unit and integration tests against a throwaway Neo4j, and headless-browser tests
test: $(STAMP)
	scripts/system-deps.sh --browser
	$(BIN)/pytest $(PYTEST_ARGS)

## unit: the tests that need neither Neo4j nor a browser
unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

## demo: the local Neo4j and the dashboard on http://127.0.0.1:8050
demo: $(STAMP)
	scripts/system-deps.sh
	$(BIN)/downline db start
	$(BIN)/downline db init
	@echo "demo network: 'downline demo generate' arrives with the ingest issue; the dashboard shows what the graph holds"
	$(BIN)/downline dashboard

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
