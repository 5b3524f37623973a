# The studio's commands. From a fresh clone: `make test` or `make run` (Python 3.11 and PyPI needed).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Where `make test-postgres` runs the suite (pytest-django creates and drops test_<name> itself).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/studio
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Written after a successful install; older than a requirements file means install again.
STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := $(wildcard requirements/*.txt)

.PHONY: venv browser test test-postgres bench bench-faults bench-api run serve

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements/dev.txt
	touch $@

# Debian's chromium for the website's browser tests (Playwright drives it; never `playwright install`).
browser:
	@test -x /usr/bin/chromium || (apt-get update -q && apt-get install -y -q chromium)

test: venv browser
	$(PY) -m pytest -q

# The same suite on PostgreSQL, with django-q2's Redis broker.
test-postgres: venv browser
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -q

bench: venv
	$(PY) -m bench.engine
	$(PY) -m bench.styles

# Workers SIGKILLed and Redis restarted under 240 jobs (PostgreSQL and Redis, databases of its own);
# every job must end once with the ledger balanced. Restarts the local Redis server once.
bench-faults: venv
	$(PY) -m bench.faults

# The APIs under load (wrk, PostgreSQL and Redis; see bench/api.py): bench/results/api.json.
bench-api: venv
	$(PY) -m bench.api

# The studio on http://127.0.0.1:$(PORT)/ with its workers; one Ctrl-C stops both. DEBUG is on
# (runserver serves static files and media, and a random SECRET_KEY is kept in var/).
run: export DEBUG ?= 1
run: venv
	$(PY) manage.py migrate --no-input
	$(PY) scripts/run_studio.py --port $(PORT)

# Production on port $(PORT): DEBUG off, DATABASE_URL (PostgreSQL), REDIS_URL and SECRET_KEY required;
# refuses to start unless `check --deploy` is clean, then migrates, collects static files, seeds the
# catalog and runs gunicorn with the workers; one Ctrl-C stops both (README: Deploying).
serve: venv
	$(PY) scripts/run_studio.py --serve --port $(PORT)
