# IJINUS Privacy. `make run` sets everything up and serves the admin; `make test` runs the suite.
# Python 3.13 (.python-version); 3.12 is the oldest Django 6.1 accepts.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
DEMO_SUBJECTS ?= 300

.PHONY: run install migrate demo test lint format worker beat bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "IJINUS Privacy needs Python 3.12 or newer (3.13 recommended): $(PYTHON) is $$($(PYTHON) -V 2>&1)."; \
		echo "Install python3.13 (or run: make PYTHON=/path/to/python3.13 run)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles

demo: migrate
	$(PY) manage.py seed_demo --subjects $(DEMO_SUBJECTS) --if-empty
	$(PY) manage.py demo_logins

# Links e-mailed by the worker and commands point where `make run` serves (PUBLIC_BASE_URL), unless set.
run: demo
	@echo "Serving the admin on http://$(HOST)/admin/"
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST)} $(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports  # the floors of docs/architecture.md (pyproject.toml)
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: install
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST)} $(VENV)/bin/celery -A ijinus_privacy worker -Q default,exports,retention --concurrency 2 \
		--max-tasks-per-child 20 --max-memory-per-child 800000 --loglevel INFO

beat: install
	$(VENV)/bin/celery -A ijinus_privacy beat --loglevel INFO --schedule var/celerybeat-schedule

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
