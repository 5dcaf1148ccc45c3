# backhome: `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint unit bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## install: create .venv and install backhome with its test tools
install: $(STAMP)

## run: set up everything (migrations, static files) and serve the site at http://127.0.0.1:8000
run: install
	$(BIN)/backhome library check
	$(BIN)/backhome serve

## browser: Debian's Chromium for the browser tests (never a downloaded browser)
browser:
	@bash scripts/ensure-chromium.sh

## lint: ruff and mypy --strict on the core; CI checks, never rewrites
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## unit: the core's unit tests only (seconds)
unit: install
	$(BIN)/pytest -q tests/unit tests/data

## test: set up everything and run every test
test: install browser lint
	$(BIN)/pytest

## bench: the engine's speed and the library's load time; results go in BENCHMARKS.md by hand
bench: install
	$(BIN)/python -m scripts.bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts
