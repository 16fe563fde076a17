# The commands people type. `make run` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SEED ?= 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run serve test test-fast lint format bench messages browser clean-demo

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Shezhi needs Python 3.11 or newer")'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# Set up (or update) the embedded database with reference areas and the demo data set,
# print the demo log-ins, then serve with a background worker for imports and exports.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_reference_areas
	$(BIN)/python manage.py seed_demo --scale city --seed $(SEED) --if-empty
	$(BIN)/python manage.py demo_accounts
	@bash scripts/serve.sh $(PORT)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogue after changing source strings (needs gettext's xgettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location
	$(BIN)/python scripts/compile_messages.py

browser:
	@bash scripts/ensure-browser.sh

bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)
