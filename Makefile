# The project's vocabulary: `make run`, `make test`, `make lint`, `make bench`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VAR := var
ADDRPORT ?= 127.0.0.1:8000

.PHONY: run test lint bench install migrate demo worker beat clean test-fast lock ralph

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements change, so a second `make run` is fast.
$(STAMP): requirements/base.txt requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

# requirements/*.txt are the pinned lock of everything installed, generated from the direct
# dependencies in pyproject.toml by pip-tools; edit pyproject.toml, then `make lock`, never the
# lock itself. Existing pins are kept; `make lock UPGRADE=--upgrade` moves to the newest allowed.
LOCK = $(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: install
	$(LOCK) --output-file requirements/base.txt pyproject.toml
	$(LOCK) --extra dev --constraint requirements/base.txt --output-file requirements/dev.txt pyproject.toml

migrate: install
	$(PY) manage.py migrate --noinput

# Demo data once: the marker file records that it was loaded.
$(VAR)/.demo-loaded:
	mkdir -p $(VAR)
	$(PY) manage.py seed_demo
	touch $@

demo: migrate $(VAR)/.demo-loaded

run: demo
	$(PY) manage.py print_demo_logins
	$(PY) manage.py run_local --addrport $(ADDRPORT)

# Type check: the files listed under [tool.mypy] in pyproject.toml (the services and selectors
# of every app).
test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser and not integration" -x -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VAR) db.sqlite3 staticfiles

# Ralph, a real Learning Record Store for the xAPI tests, in its own virtual environment (its
# pins clash with the project's); rebuilt only when requirements/ralph.txt changes.
RALPH_VENV := .ralph-venv
$(RALPH_VENV)/.installed: requirements/ralph.txt
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RALPH_VENV)/bin/python -m pip install --quiet -r requirements/ralph.txt
	touch $@

ralph: $(RALPH_VENV)/.installed
