# The two commands of the README: `make run` and `make test`. Each makes .venv itself.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test bench lint browser-test clean

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
