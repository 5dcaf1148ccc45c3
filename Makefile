# backhome: `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint unit bench bench-web browser npm clean

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

## npm: Debian's Node.js and npm, then the test-only tools of package.json (axe-core) into node_modules/
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	@bash scripts/ensure-node.sh
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

npm: $(NODE_STAMP)

## lint: ruff and mypy --strict on the core; CI checks, never rewrites
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## unit: the core's unit tests only (seconds)
unit: install
	$(BIN)/pytest -q tests/unit tests/data

## test: set up everything and run every test
test: install browser npm lint
	$(BIN)/pytest

## bench: the engine's speed, the library's load time, the web server's and the clinic pages' at 5,000 patients; results go in BENCHMARKS.md by hand
bench: install
	$(BIN)/python -m scripts.bench
	$(BIN)/python -m scripts.bench_web
	$(BIN)/python -m scripts.bench_clinic

## bench-web: wrk (Debian's, installed with apt when missing) against `backhome serve` on a free loopback port
bench-web: install
	$(BIN)/python -m scripts.bench_web

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts node_modules
