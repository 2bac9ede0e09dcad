# Seniorene Omsorg. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The test suite runs against the real services on this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/seniorene
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# pytest runs in PYTEST_WORKERS processes (pytest-xdist), each with a test database of its own
# (test_seniorene_gw0, ...) and its own keys in the one Redis database (seniorene/settings.py,
# TEST_WORKER); PYTEST_WORKERS=0 runs the suite in one process. The slowest 15 tests are
# listed at the end.
# The workers clone one migrated template database (tests/template_db.py); the databases
# are left in place at the end and replaced by the next run.
PYTEST_WORKERS ?= 3
PYTEST := $(BIN)/pytest --create-db -n $(PYTEST_WORKERS) --durations=15
# Python keeps the modules it compiles in var/pycache even where the environment says not
# to write bytecode: the suite starts many Python processes (pytest's workers, the Celery
# workers and beats of the worker tests), and each compiling Django and the project anew
# costs up to 20 s of CPU here.
test test-clock test-sqlite: export PYTHONDONTWRITEBYTECODE :=
test test-clock test-sqlite: export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache

.DEFAULT_GOAL := help

# DEBUG is off unless something turns it on (seniorene/settings.py). The developer targets
# run Django on this machine, so they turn it on unless the environment already says;
# `make test` runs the suite with the test defaults, `make bench`/`make load` with DEBUG off.
messages migrate demo run lint: export DEBUG ?= true
.PHONY: help venv run test test-clock test-sqlite lint format messages migrate demo clean bench load load-cluster

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV)/.synced ## Create the virtual environment and install the locked dependencies

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --python $(BIN)/python
	@touch $@

messages: venv ## Compile the translation catalogues
	@$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0

migrate: venv messages ## Apply database migrations (embedded SQLite unless DATABASE_URL is set)
	$(BIN)/python manage.py migrate --noinput

demo: migrate ## Load the demo organizations and logins
	$(BIN)/python manage.py seed_demo

run: demo ## Run the product: web, worker and beat, with demo data (no servers needed)
	bin/run-dev

lint: venv ## ruff, mypy, the import layers (lint-imports), and migrations in step with the models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv ## Everything CI runs: system packages, services, lint, migrations check, the whole suite
	bin/ensure-test-deps
	@$(MAKE) --no-print-directory lint messages
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PYTEST) $(PYTEST_ARGS)

# `make test-clock`: the suite with the clock of its processes moved by libfaketime (Debian's
# faketime), so that nothing in it depends on the hour CI runs at. Too long for `make test`.
# The moments are in UTC: 00:30 Oslo on a winter night; 23:50 Oslo (midnight falls during the
# run); and "02:30" Oslo on the night summer time starts, a time that does not exist: read with
# winter's offset (as Python does) it is 01:30 UTC, 03:30 CEST, half an hour after 02:00 jumped
# to 03:00. FAKETIME is a relative offset from the real clock, and the clock keeps running, so
# pytest, the live server, Celery workers and Chromium share one clock. PostgreSQL's now() is
# not moved (a separate server process). CLOCK_MOMENTS=... runs other moments.
CLOCK_MOMENTS ?= 2027-01-14T23:30:00Z 2027-01-14T22:50:00Z 2027-03-28T01:30:00Z
FAKETIME_FIX := var/test-clock/faketime-sleep-fix.so

test-clock: venv messages ## The suite under libfaketime at 00:30 and 23:50 Oslo in winter and 02:30 the day summer time starts
	bin/ensure-test-deps
	@mkdir -p $(dir $(FAKETIME_FIX))
	cc -shared -fPIC -O2 -o $(FAKETIME_FIX) bin/faketime-sleep-fix.c -ldl
	@set -e; for moment in $(CLOCK_MOMENTS); do \
		offset=$$(( $$(date -d $$moment +%s) - $$(date +%s) )); \
		[ $$offset -lt 0 ] || offset=+$$offset; \
		echo "== The suite at $$(TZ=Europe/Oslo date -d $$moment '+%F %R %Z') (faketime -f $$offset)"; \
		DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
			LD_PRELOAD=$(CURDIR)/$(FAKETIME_FIX) FAKETIME_DONT_FAKE_MONOTONIC=1 \
			faketime -f "$$offset" $(PYTEST) $(PYTEST_ARGS); \
	done

test-sqlite: venv messages ## The suite against embedded SQLite (PostgreSQL-only tests are skipped)
	env -u DATABASE_URL -u REDIS_URL $(PYTEST) $(PYTEST_ARGS)

# `make bench` and `make load` run with production settings (DEBUG off) against their
# own databases on this machine's PostgreSQL and Redis; never against real data.
PG_URL ?= postgres://postgres@127.0.0.1:5432
PROD_ENV := DEBUG=false SECRET_KEY=bench-and-load-only-not-a-secret-0123456789abcdefghijklmnop \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver SITE_URL=https://omsorg.bench.example \
	SECURE_SSL_REDIRECT=false LOG_LEVEL=WARNING

bench: venv messages ## Seed a large organization; report pages, queries, expansion, reminders/s (BENCH_REMINDERS=10000), PDF, the agenda's bytes in Chromium
	bin/ensure-test-deps
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS seniorene_bench" -c "CREATE DATABASE seniorene_bench"
	$(PROD_ENV) VAR_DIR=var/bench DATABASE_URL=$(PG_URL)/seniorene_bench REDIS_URL=redis://127.0.0.1:6379/13 \
		CELERY_TASK_ALWAYS_EAGER=true bash -c '$(BIN)/python manage.py migrate --noinput -v0 && \
		$(BIN)/python manage.py collectstatic --noinput -v0 && $(BIN)/python bench/run.py && \
		$(BIN)/python bench/page_weight.py'

# `make load` and `make load-cluster` each use a database and a Redis database of their own
# (LOAD_DB/LOAD_REDIS_DB, CLUSTER_DB/CLUSTER_REDIS_DB), and their servers their own ports
# (LOAD_PORT, CLUSTER_PORT and the next one): two runs from two clones need other names.
LOAD_USERS ?= 250
LOAD_DB ?= seniorene_load
LOAD_REDIS_DB ?= 14
LOAD_PORT ?= 8765
CLUSTER_USERS ?= 100
CLUSTER_DB ?= seniorene_cluster
CLUSTER_REDIS_DB ?= 12
CLUSTER_PORT ?= 8775

load: venv messages ## LOAD_USERS (250) simulated seniors and leaders for 2 minutes against gunicorn, PostgreSQL and Redis
	bin/ensure-test-deps
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS $(LOAD_DB)" -c "CREATE DATABASE $(LOAD_DB)"
	redis-cli -n $(LOAD_REDIS_DB) flushdb >/dev/null
	$(PROD_ENV) VAR_DIR=var/load DATABASE_URL=$(PG_URL)/$(LOAD_DB) \
		REDIS_URL=redis://127.0.0.1:6379/$(LOAD_REDIS_DB) LOAD_USERS=$(LOAD_USERS) LOAD_PORT=$(LOAD_PORT) \
		bash -c '$(BIN)/python manage.py migrate --noinput -v0 && \
		$(BIN)/python manage.py collectstatic --noinput -v0 && $(BIN)/python bench/load.py'

load-cluster: venv messages ## Two gunicorns and two Celery workers on one PostgreSQL and Redis, one web server killed mid-run
	bin/ensure-test-deps
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS $(CLUSTER_DB)" -c "CREATE DATABASE $(CLUSTER_DB)"
	redis-cli -n $(CLUSTER_REDIS_DB) flushdb >/dev/null
	$(PROD_ENV) VAR_DIR=var/load DATABASE_URL=$(PG_URL)/$(CLUSTER_DB) \
		REDIS_URL=redis://127.0.0.1:6379/$(CLUSTER_REDIS_DB) LOAD_USERS=$(CLUSTER_USERS) \
		CLUSTER_PORT=$(CLUSTER_PORT) \
		bash -c '$(BIN)/python manage.py migrate --noinput -v0 && \
		$(BIN)/python manage.py collectstatic --noinput -v0 && $(BIN)/python bench/cluster.py'

clean: ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
