# Everything a fresh machine needs is installed by these targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: test unit demo lint clean bench-ingest bench-analytics

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

DEMO_DATA := .downline/demo-data

## demo: the local Neo4j with 20,000 generated distributors, and the dashboard on :8050
demo: $(STAMP)
	scripts/system-deps.sh
	$(BIN)/downline db start
	test -f $(DEMO_DATA)/distributors.csv || \
	  $(BIN)/downline demo generate --distributors 20000 --profile pyramid --out $(DEMO_DATA)
	$(BIN)/downline ingest $(DEMO_DATA) --rejects $(DEMO_DATA)/rejects
	$(BIN)/downline dashboard

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache

SIZE ?= small
MODE ?= bulk
## bench-ingest: load a generated network (SIZE=small|medium|large|target, MODE=bulk|transactional)
bench-ingest: $(STAMP)
	scripts/system-deps.sh
	$(BIN)/python bench/ingest_bench.py --size $(SIZE) --mode $(MODE)

## bench-analytics: warm query timings on the database `make bench-ingest SIZE=target` left
bench-analytics: $(STAMP)
	$(BIN)/python bench/analytics_bench.py --size target
