# Hawker: the two commands are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: system-deps demo test install migrate serve worker lint format typecheck importlint check ci bench clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "Hawker needs Python 3.11 or newer"'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## migrate a SQLite database, seed the demo market, serve on :8000
	$(BIN)/hawker demo

system-deps:  ## Debian packages the suite drives for real (Chromium, nginx-rtmp, ffmpeg)
	@bash scripts/system-deps.sh

test: $(STAMP) system-deps  ## the whole test suite (SQLite; set HAWKER_TEST_DATABASE_URL / _REDIS_URL for more)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

migrate: $(STAMP)
	$(BIN)/hawker migrate

serve: $(STAMP)
	$(BIN)/hawker serve

worker: $(STAMP)
	$(BIN)/hawker worker

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

format: $(STAMP)
	$(BIN)/ruff format src tests bench migrations
	$(BIN)/ruff check --fix src tests bench migrations

typecheck: $(STAMP)
	$(BIN)/mypy

importlint: $(STAMP)
	$(BIN)/lint-imports

check: lint typecheck importlint

ci:
	bash .ci/run

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
