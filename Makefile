# backhome: `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: cluster-test messages compile-messages install run test test-nodb test-sqlite test-postgres test-js postgres lint unit bench bench-web browser npm clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The compiled catalogs (.mo, git-ignored) are built from the .po files whenever one is newer.
PO_FILES := $(wildcard backhome/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
backhome/locale/%/LC_MESSAGES/django.mo: backhome/locale/%/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

## install: create .venv and install backhome with its test tools (and compile the message catalogs)
install: $(STAMP) $(MO_FILES)

## messages: refresh every language's catalog from the templates and code (then translate, see docs/translating.md)
messages: $(STAMP)
	cd backhome && $(abspath $(BIN))/django-admin makemessages -a --no-obsolete --no-location \
		--settings=backhome.web.config.settings --pythonpath=..

## compile-messages: build the .mo files (what the site reads) from the .po files
compile-messages: $(STAMP)
	cd backhome && $(abspath $(BIN))/django-admin compilemessages --settings=backhome.web.config.settings --pythonpath=..

## run: set up everything (migrations, static files) and serve the site at http://127.0.0.1:8000
run: install npm
	$(BIN)/backhome library check
	$(BIN)/backhome serve

## browser: Debian's Chromium for the browser tests (never a downloaded browser)
browser:
	@bash scripts/ensure-chromium.sh

## npm: Debian's Node.js and npm, then package.json's packages into node_modules/: the test-only tools (axe-core)
## and the camera coach's pose landmarker, whose files scripts/coach_model.py copies into the static files
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	@bash scripts/ensure-node.sh
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

COACH_MODEL := backhome/web/practice/static/practice/coach/vendor/pose_landmarker_lite.task
$(COACH_MODEL): $(NODE_STAMP) scripts/coach_model.py
	$(PYTHON) -m scripts.coach_model

npm: $(NODE_STAMP) $(COACH_MODEL)

# The camera coach's landmark sequences for `node --test tests/js/coach*` (made from the body model; make test-js)
COACH_FIXTURES := tests/js/coach-fixtures/coach-content.json
$(COACH_FIXTURES): $(STAMP) scripts/coach_fixtures.py $(wildcard backhome/core/content/poses/*.toml backhome/core/content/coach/*.toml backhome/illustrate/*.py)
	$(BIN)/python -m scripts.coach_fixtures

## lint: ruff, and mypy --strict (with django-stubs) over the core, the web app and the CLI; CI checks, never rewrites
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m scripts.check_catalogs

## unit: the core's unit tests only (seconds)
unit: install
	$(BIN)/pytest -q tests/unit tests/data

## postgres: Debian's PostgreSQL server for the tests' throw-away cluster (installed with apt when missing)
postgres:
	@bash scripts/ensure-postgres.sh >/dev/null

# The tests that touch a database (Django, the CLI, the browser) run twice: on SQLite and on PostgreSQL.
DB_TESTS := tests/integration tests/cli tests/e2e

## test: set up everything and run every test: the pure core once, the rest on SQLite and on PostgreSQL
# The two database passes run at the same time (each has its own artifacts folder and free ports);
# --output-sync prints each pass's report whole when it ends.
test: install browser npm postgres lint audit test-js
	$(MAKE) --no-print-directory test-nodb
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

## audit: known vulnerabilities of the installed packages (pip-audit asks PyPI); fails on any found.
## AUDIT_ARGS=--strict also fails when a package cannot be looked up (CI); ignoring an advisory needs
## `--ignore-vuln ID` here with its reason in docs/security.md.
AUDIT_ARGS ?=
.PHONY: audit
audit: install
	$(BIN)/pip-audit --skip-editable --progress-spinner off $(AUDIT_ARGS)

## test-js: the session player's pure modules (the timer, the pain checks, the outbox, the camera coach's counter) with Node's own test
## runner (node:test, no npm package); the files are named, which every Node version since 18 reads alike
test-js: $(COACH_FIXTURES)
	@bash scripts/ensure-node.sh
	node --test $(sort $(wildcard tests/js/*.test.mjs))

## test-nodb: the core's and the content's tests, with a DATABASE_URL nothing answers: they never open one
test-nodb: install
	DATABASE_URL=postgresql://no-database@127.0.0.1:9/none $(BIN)/pytest -q tests/unit tests/data

## test-sqlite: every test that touches a database, on SQLite (the default database)
test-sqlite: install browser npm
	env -u DATABASE_URL $(BIN)/pytest -q $(DB_TESTS)

## test-postgres: the same tests on a throw-away PostgreSQL cluster (scripts/pg_cluster.py), stopped after
test-postgres: install browser npm postgres
	BACKHOME_ARTIFACTS=artifacts/postgres BACKHOME_E2E_ONE_SIZE=on $(BIN)/python -m scripts.pg_cluster -- $(BIN)/pytest -q $(DB_TESTS)

## cluster-test: two backhome nodes behind HAProxy on PostgreSQL and Redis (Debian's, installed with apt
## when missing), on loopback: 500 simulated patients for 60 s with one node killed and Redis restarted
## mid-load, reminders sent from both nodes at once, the triage limit across both (scripts/cluster.py)
cluster-test: install postgres
	@bash scripts/ensure-cluster-tools.sh >/dev/null
	$(BIN)/python -m scripts.cluster

## bench: the engine's speed, the library's load time, the web server's and the clinic pages' at 5,000 patients; results go in BENCHMARKS.md by hand
bench: install
	$(BIN)/python -m scripts.bench
	$(BIN)/python -m scripts.bench_web
	$(BIN)/python -m scripts.bench_clinic

## bench-web: wrk (Debian's, installed with apt when missing) against `backhome serve` on a free loopback port
bench-web: install
	$(BIN)/python -m scripts.bench_web

## load: 500 simulated patients against `backhome serve` on SQLite, then on a throw-away PostgreSQL: latency taken by the server, SIGKILL after 300 acknowledged session logs three times, every acknowledged write counted, CPU per patient-day (LOAD_ARGS adds or overrides options)
.PHONY: load
load: install
	$(BIN)/python -m scripts.load_test --database sqlite --kill-after-logs 300 --kills 3 $(LOAD_ARGS)
	$(BIN)/python -m scripts.load_test --database postgres --kill-after-logs 300 --kills 3 $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts node_modules
