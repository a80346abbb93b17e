# talentbank — the two commands a newcomer needs:
#   make run    install into .venv, upgrade the database, load reference + demo data, serve on http://127.0.0.1:5000
#   make test   install with test dependencies, lint, check the built wheel (tools/wheel_check.sh), and run the
#               whole suite (SQLite; PostgreSQL too when TALENTBANK_TEST_DATABASE_URL is set; browser journeys
#               when Chromium is installed), then one line naming whatever did not run and why

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export TALENTBANK_SECURE_COOKIES ?= 0

.PHONY: run install install-test test lint wheel-check translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/talentbank setup
	$(BIN)/talentbank run --host 127.0.0.1 --port 5000

test: install-test
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error && \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the interop tests and the axe-core checks will be skipped"; fi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHON=$(BIN)/python bash tools/wheel_check.sh
	BIN=$(BIN) bash tools/suites.sh
	@bash tools/not_run.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Build the wheel, install it into a fresh virtual environment outside the checkout, set it up and serve it.
wheel-check: install-test
	PYTHON=$(BIN)/python bash tools/wheel_check.sh

# Re-extract messages, merge them into the catalogues, and compile (the .mo files are committed).
translations:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* .venv build" \
		-o talentbank/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i talentbank/translations/messages.pot -d talentbank/translations \
		--no-fuzzy-matching --width 120
	$(BIN)/pybabel compile -d talentbank/translations --statistics

bench: install
	$(BIN)/python bench/search.py
	$(BIN)/python bench/badges.py
	$(BIN)/python bench/badges_lib.py
	$(BIN)/python bench/matching.py --quick

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
