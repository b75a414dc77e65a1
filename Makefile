# The two commands of the README: `make run` and `make test`. Each makes .venv itself.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test bench lint browser-test clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/broker db upgrade
	BROKER_LOG_FORMAT=$${BROKER_LOG_FORMAT:-console} $(BIN)/broker serve

lint: $(STAMP)
	$(BIN)/ruff check broker tests bench migrations
	$(BIN)/mypy

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

browser-test: $(STAMP)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Re-extract the page texts and merge them into the catalogues (then translate the new ones).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext_ -k N_ --no-location --sort-output \
	  --omit-header -o broker/web/i18n/messages.pot .
	$(BIN)/pybabel update -i broker/web/i18n/messages.pot -d broker/web/i18n --no-fuzzy-matching
