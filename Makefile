# The two commands: `make build` (set up + run on the demo data) and `make test`.
# dbt always runs from this folder so the DuckDB path, module paths and assets resolve.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
DBT_FLAGS := --project-dir . --profiles-dir .
# VARS='{customers_path: data/customers.csv}' reaches every dbt step of a target (the build and its
# docs step parse with the same vars, so dbt's saved parse serves both); DBT_ARGS (e.g. --select,
# --full-refresh) goes to `dbt build` only.
VARS ?=
# Single-quoted for the shell, each ' in the value written as '\'' (a path like /data/O'Brien).
DBT_VARS = $(if $(strip $(VARS)),--vars '$(subst ','\'',$(VARS))')
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: build setup seed-demo dbt-build charts docs test test-fast lint bench clean

build: setup dbt-build ## set up, build every model on the demo data (charts included), generate docs
	@# The docs of the build that just ran: its manifest.json (compiled SQL included, as the build
	@# wrote it) and a fresh catalog. --no-compile skips compiling the same SQL again (10 -> 3 s).
	$(DBT) docs generate --no-compile $(DBT_FLAGS) $(DBT_VARS)

setup: $(STAMP) ## create .venv with the pinned runtime dependencies and the package (skipped when up to date)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock ## the test tools (pytest, hypothesis, ruff), for make test / lint
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $(DEV_STAMP)

dbt-build: $(STAMP) ## dbt build on the demo seeds (or whatever vars say)
	@$(BIN)/python -m customer_segmentation.warehouse
	$(DBT) build $(DBT_FLAGS) $(DBT_VARS) $(DBT_ARGS)

charts: $(STAMP) ## re-render the charts from an already built DuckDB file (dbt build does it too)
	$(BIN)/python -m customer_segmentation.charts

docs: $(STAMP) ## dbt docs generate, compiling afresh (serve with: .venv/bin/dbt docs serve --profiles-dir .)
	$(DBT) docs generate $(DBT_FLAGS) $(DBT_VARS)

seed-demo: $(STAMP) ## regenerate the committed demo seeds with the generator
	$(BIN)/python scripts/synth.py --customers 3000 --seed 7 --format csv --out seeds --truth tests/data/demo_truth.csv --dirty-rows 12

test: $(DEV_STAMP) ## every test: package unit tests, dbt end-to-end, docs in a browser (one worker per core)
	$(BIN)/python -m pytest -n auto --dist worksteal --durations=15

test-fast: $(DEV_STAMP) ## package unit tests only
	$(BIN)/python -m pytest -m "not dbt and not browser"

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests python_models scripts
	$(BIN)/ruff format --check src tests python_models scripts

bench: $(STAMP) ## 1M customers: dbt build vs pandas, scoring 100k, growth, staging from CSV; writes bench/results.md (try small: BENCH_ARGS="--customers 20000 --orders 200000 --sizes 5000,20000 --out /tmp/bench")
	$(BIN)/python scripts/bench/run.py $(BENCH_ARGS)

clean:
	rm -rf target logs *.duckdb exports
