# Branchwork. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BW := $(VENV)/bin/branchwork
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Tests use both cores; TEST_ARGS passes more options to pytest (e.g. TEST_ARGS="-k audit").
TEST_JOBS ?= 2
TEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo serve worker test test-sqlite test-postgres test-dates schemathesis guards bench messages lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Branchwork needs Python 3.11 or newer; set PYTHON=python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
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
	$(VENV)/bin/gunicorn branchwork.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --log-level warning

worker: install ## Run the background task worker alone
	$(BW) db_worker

test: $(VENV)/.installed ## Run the whole suite on SQLite, and again on PostgreSQL when DATABASE_URL is set
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL is not set: the PostgreSQL run is skipped."; fi

test-sqlite: $(VENV)/.installed ## The suite on SQLite
	env -u DATABASE_URL $(PY) -m pytest -n $(TEST_JOBS) $(TEST_ARGS)

test-postgres: $(VENV)/.installed ## The suite on the PostgreSQL server named by DATABASE_URL
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/branchwork"; exit 2; }
	$(PY) -m pytest -n $(TEST_JOBS) $(TEST_ARGS)

# The suite runs at a fixed moment (branchwork/conftest.py); these dates put that moment in
# another year, past a year boundary and far ahead, so that no test depends on the calendar.
TEST_DATES ?= 2027-02-01T09:30:00+08:00 2030-06-30T16:00:00+08:00

test-dates: $(VENV)/.installed ## The suite on SQLite again at other dates (TEST_DATES)
	@for when in $(TEST_DATES); do echo "== the suite at $$when"; \
	  BRANCHWORK_TEST_NOW=$$when env -u DATABASE_URL $(PY) -m pytest -n $(TEST_JOBS) -q $(TEST_ARGS) || exit 1; done

# Schemathesis over every API operation with each persona's token (api/tests/test_schemathesis.py),
# once, on the database DATABASE_URL names (CI: PostgreSQL, where integers overflow) or SQLite;
# SCHEMATHESIS_EXAMPLES sets the examples per operation and mode (default 5, derandomized).
schemathesis: $(VENV)/.installed ## Generated requests over every API operation: no server error, no undocumented answer
	$(PY) -m pytest -n 0 -q -s -m schemathesis branchwork/api/tests/test_schemathesis.py

guards: $(VENV)/.installed ## Remove each guard of the record once and check that a test fails (bench/guards.py)
	$(PY) bench/guards.py

bench: $(VENV)/.installed ## Run the benchmarks (results in bench/results/)
	$(PY) bench/run.py

messages: $(VENV)/.installed ## Extract translatable strings and compile the catalogues (needs GNU gettext)
	cd branchwork && ../$(BW) makemessages --locale zh_Hans --locale en --no-obsolete --ignore 'tests/*'
	cd branchwork && ../$(BW) compilemessages

lock: ## Re-pin requirements.lock from pyproject.toml (in a throwaway venv)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet -e '.[test]'
	.lockenv/bin/pip freeze --exclude-editable | grep -v '^branchwork' > requirements.lock
	rm -rf .lockenv

clean: ## Remove the virtualenv and caches (the instance folder stays)
	rm -rf $(VENV) .pytest_cache build *.egg-info
