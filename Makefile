# Two commands for a new machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint worker backup restore bench install install-dev clean messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 is needed, found " + sys.version.split()[0]) if sys.version_info[:2] != (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Compile the translations (locale/*/LC_MESSAGES/django.po, which GNU gettext's msgfmt reads: the
## `gettext` package of Debian); `make messages UPDATE=1` first gathers new strings into every
## language's catalogue (makemessages), for translators.
messages: export DJANGO_SETTINGS_MODULE = tracker.settings_test
messages: install
	$(if $(UPDATE),$(MANAGE) makemessages --all --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'benchmarks/*' --no-obsolete -v 0)
	$(MANAGE) compilemessages --ignore '.venv' --ignore 'node_modules' -v 0

## Serve the tracker on http://127.0.0.1:8000 with an SQLite database, the shipped plans and demo accounts.
run: export LOCAL ?= 1
run: install messages
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) load_shipped_plans
	$(MANAGE) setup_schedules
	$(MANAGE) demo_accounts
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/, API at /api/v1/, API docs at /api/v1/docs/)"
	$(MANAGE) runserver $(HOST):$(PORT)

## A Celery worker with the beat scheduler, against REDIS_URL (without Redis, `make run` runs jobs
## in-process and `python manage.py run_job NAME` runs one by hand or from cron).
worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker"; exit 2; }
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) setup_schedules
	$(BIN)/celery -A tracker worker --beat --loglevel info

## Run the whole test suite (SQLite unless DATABASE_URL names another database).
test: install-dev messages
	$(BIN)/pytest

## ruff (lint and format) and mypy with django-stubs, as CI runs them.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint $(BIN)/mypy

## Back up the database DATABASE_URL names: `make backup` (to backups/) or `make backup FILE=path`.
backup: install
	$(MANAGE) backup $(FILE)

## Replace the database DATABASE_URL names with a backup, then migrate it: `make restore FILE=path`.
restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/tracker-....dump"; exit 2; }
	$(MANAGE) restore --yes $(FILE)

## Time the pages and the API on PostgreSQL for the shipped plans, then at scale with a hundredth and with
## all of the history (issue 11), in a scratch database it makes and drops: `make bench`, or
## `make bench ENTRIES=200000` for a quicker run
## (REPEATS=n runs per page; BENCH_DATABASE_URL names another server). It ends with the activity
## detail API's requests per second under gunicorn with 2 workers and 16 clients (benchmarks/load.py).
bench: install
	$(BIN)/pip install --quiet -e '.[deploy]'  # gunicorn, for the throughput under load
	$(BIN)/python benchmarks/pages.py $(if $(ENTRIES),--entries $(ENTRIES)) $(if $(REPEATS),--repeats $(REPEATS))

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
