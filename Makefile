# Branchwork. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BW := $(VENV)/bin/branchwork
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn: sync processes, one per core (docs/OPERATIONS.md "Worker model"); THREADS > 1
# makes them threaded workers.
WORKERS ?= 2
THREADS ?= 1
# Tests use both cores; TEST_ARGS passes more options to pytest (e.g. TEST_ARGS="-k audit").
TEST_JOBS ?= 2
TEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install lint demo serve worker test test-sqlite test-postgres test-dates schemathesis guards bench chaos messages lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Production installs the runtime lock only; the test and lint tools come from their own lock
# (a superset pinned to the same runtime versions). Both carry hashes: pip refuses anything else.
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Branchwork needs Python 3.11 or newer; set PYTHON=python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

install: $(VENV)/.installed ## Create .venv, install the locked dependencies, migrate (idempotent)
	$(PY) -m branchwork.instance
	$(BW) migrate --no-input
	$(BW) collectstatic --no-input --verbosity 0

demo: install ## Set up, load the demo data and serve it on http://127.0.0.1:8000
	$(BW) load_demo
	$(MAKE) --no-print-directory serve

serve: install ## Serve with gunicorn (and the task worker) on $(HOST):$(PORT)
	@echo "Branchwork on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@$(BW) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn branchwork.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) --preload --access-logfile - --log-level warning

worker: install ## Run the background task worker alone
	$(BW) db_worker

test: $(VENV)/.test-installed ## Run the whole suite on SQLite, and again on PostgreSQL when DATABASE_URL is set
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL is not set: the PostgreSQL run is skipped."; fi

test-sqlite: $(VENV)/.test-installed ## The suite on SQLite
	env -u DATABASE_URL $(PY) -m pytest -n $(TEST_JOBS) $(TEST_ARGS)

test-postgres: $(VENV)/.test-installed ## The suite on the PostgreSQL server named by DATABASE_URL
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/branchwork"; exit 2; }
	$(PY) -m pytest -n $(TEST_JOBS) $(TEST_ARGS)

# The suite runs at a fixed moment (branchwork/conftest.py); these dates put that moment in
# another year, past a year boundary and far ahead, so that no test depends on the calendar.
TEST_DATES ?= 2027-02-01T09:30:00+08:00 2030-06-30T16:00:00+08:00

test-dates: $(VENV)/.test-installed ## The suite on SQLite again at other dates (TEST_DATES)
	@for when in $(TEST_DATES); do echo "== the suite at $$when"; \
	  BRANCHWORK_TEST_NOW=$$when env -u DATABASE_URL $(PY) -m pytest -n $(TEST_JOBS) -q $(TEST_ARGS) || exit 1; done

# Schemathesis over every API operation with each persona's token (api/tests/test_schemathesis.py),
# once, on the database DATABASE_URL names (CI: PostgreSQL, where integers overflow) or SQLite;
# SCHEMATHESIS_EXAMPLES sets the examples per operation and mode (default 5, derandomized).
schemathesis: $(VENV)/.test-installed ## Generated requests over every API operation: no server error, no undocumented answer
	$(PY) -m pytest -n 0 -q -s -m schemathesis branchwork/api/tests/test_schemathesis.py

guards: $(VENV)/.test-installed ## Remove each guard of the record once and check that a test fails (bench/guards.py)
	$(PY) bench/guards.py

lint: $(VENV)/.test-installed ## Check the code with ruff (rules in pyproject.toml)
	$(VENV)/bin/ruff check branchwork bench

bench: $(VENV)/.test-installed ## Run the benchmarks (results in bench/results/)
	$(PY) bench/run.py

# The fault tests: the races (real threads on a real database file), then real processes killed
# with SIGKILL (the task worker mid-task, the server mid-write), a backup under write load and a
# restore after the writer's SIGKILL (branchwork/tests/test_chaos_*.py, skipped by `make test`); with
# DATABASE_URL, the races again on PostgreSQL and two app servers sharing it and a Redis cache.
CHAOS_RACES ?= branchwork/activities/tests/test_record_lock.py branchwork/api/tests/test_record_lock_api.py
CHAOS_SERVERS ?= branchwork/tests/test_chaos_two_servers.py branchwork/tests/test_chaos_backup_postgres.py
CHAOS_FAULTS ?= branchwork/tests/test_chaos_worker.py branchwork/tests/test_chaos_server.py branchwork/tests/test_chaos_backup.py

chaos: $(VENV)/.test-installed ## Fault tests: races, SIGKILL of worker and server during writes, backup under load, restore
	env -u DATABASE_URL BRANCHWORK_CHAOS=1 $(PY) -m pytest -n 0 -p no:randomly -q -rA $(CHAOS_RACES) $(CHAOS_FAULTS)
	@if [ -n "$$DATABASE_URL" ]; then echo "== on PostgreSQL: the races, backup and restore, two app servers sharing it and one Redis"; \
	  BRANCHWORK_CHAOS=1 $(PY) -m pytest -n 0 -p no:randomly -q -rA $(CHAOS_RACES) $(CHAOS_SERVERS); fi

messages: $(VENV)/.installed ## Extract translatable strings and compile the catalogues (needs GNU gettext)
	cd branchwork && ../$(BW) makemessages --locale zh_Hans --locale en --no-obsolete --ignore 'tests/*'
	cd branchwork && ../$(BW) compilemessages

lock: ## Re-pin both locks from pyproject.toml, keeping today's pins where they still fit (pip-tools)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet pip-tools
	.lockenv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.lock pyproject.toml
	.lockenv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --extra test --constraint requirements.lock --output-file requirements-test.lock pyproject.toml
	rm -rf .lockenv
