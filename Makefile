# Two commands for a fresh machine with Python 3.11+ and make: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test install install-test migrate seed serve messages check clean bench

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

demo: seed
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

check: install-test
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Regenerates the translation catalogue (needs GNU gettext); the compiled .mo files are committed.
messages: install
	$(PY) manage.py makemessages -l id --ignore "$(VENV)/*" --ignore "bench/*" --ignore "tests/*" --ignore "artifacts/*" --ignore "staticfiles/*"
	$(PY) locale/check_complete.py
	$(PY) manage.py compilemessages --ignore "$(VENV)/*"

# Benchmarks need PostgreSQL; each makes its own scratch database on this server.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: install-test
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/seed.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/ledger.py --mode both
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/selection.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/catalog.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/api.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles artifacts .pytest_cache
