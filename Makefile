# The studio's commands. From a fresh clone: `make test` or `make run` (Python 3.11 and PyPI needed).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Written after a successful install; older than a requirements file means install again.
STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := $(wildcard requirements/*.txt)

.PHONY: venv test bench run

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements/dev.txt
	touch $@

test: venv
	$(PY) -m pytest -q

bench: venv
	$(PY) -m bench.engine

# The web studio (Django) is not built yet: for now this demonstrates the engine's command line.
run: venv
	$(PY) scripts/demo_engine.py
