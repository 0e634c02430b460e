# Everything a fresh machine needs is installed by these targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: test unit demo demo-data screenshots lint clean bench bench-ingest bench-incremental bench-analytics

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The benchmark's own extras (networkx to compare answers with, matplotlib for its plot).
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

## test: unit and integration tests against a throwaway Neo4j, and headless-browser tests
test: $(STAMP)
	scripts/system-deps.sh --browser
	$(BIN)/pytest $(PYTEST_ARGS)

## unit: the tests that need neither Neo4j nor a browser
unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

DEMO_DATA := .downline/demo-data

demo-data: $(STAMP)
	scripts/system-deps.sh --browser
	$(BIN)/downline db start
	test -f $(DEMO_DATA)/distributors.csv || \
	  $(BIN)/downline demo generate --distributors 20000 --profile pyramid --out $(DEMO_DATA)
	$(BIN)/downline ingest $(DEMO_DATA) --rejects $(DEMO_DATA)/rejects

## demo: the local Neo4j with 20,000 generated distributors, and the dashboard on :8050
demo: demo-data
	$(BIN)/downline dashboard

## screenshots: docs/screenshots/*.png of every page, from the demo's data
screenshots: demo-data
	$(BIN)/downline dashboard --port 8050 & pid=$$!; \
	  trap "kill $$pid" EXIT; sleep 5; $(BIN)/python bench/screenshots.py --url http://127.0.0.1:8050

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache

## bench: downline against a per-row script, LOAD CSV, the bulk importer, pandas + networkx and
## naive Cypher; the dashboard in Chromium (SIZE=small|medium|target|all, PARTS=ingest,analytics,dashboard)
bench: $(BENCH_STAMP)
	scripts/system-deps.sh --browser
	$(BIN)/python bench/run.py --size $(or $(SIZE),all) $(if $(PARTS),--parts $(PARTS))

MODE ?= bulk
## bench-ingest: load a generated network alone (SIZE=small|medium|large|target, MODE=bulk|transactional)
bench-ingest: $(STAMP)
	scripts/system-deps.sh
	$(BIN)/python bench/ingest_bench.py --size $(or $(SIZE),small) --mode $(MODE)

## bench-incremental: a bulk load, then two 1 % nightly runs with the dashboard asked during each (SIZE=...)
bench-incremental: $(BENCH_STAMP)
	scripts/system-deps.sh --browser
	$(BIN)/python bench/incremental_bench.py --size $(or $(SIZE),small)

## bench-analytics: warm query timings on the database `make bench-ingest SIZE=target` left
bench-analytics: $(STAMP)
	$(BIN)/python bench/analytics_bench.py --size target
