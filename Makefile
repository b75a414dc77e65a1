# The two commands of the README: `make run` and `make test`. Each makes .venv itself.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PORT    ?= 8000
# The reliability and security suites (issue 10): small in `make test`, long in `make soak`.
SOAK_TESTS := tests/system/test_access_matrix.py tests/system/test_fuzz.py \
              tests/system/test_reference_model.py tests/system/test_crash_safety.py \
              tests/system/test_races.py tests/audit/test_tampering.py \
              tests/system/test_web_attacks.py tests/system/test_bad_input.py \
              tests/system/test_issue23_scale_out.py

# Independent clients the tests check our output with (ical.js ...), from the npm registry.
INTEROP := tests/interop/node_modules/.package-lock.json

.PHONY: run test bench soak lint browser-test clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# An empty database gets the demo municipality; its logins are printed on every start. Links
# point at PORT unless BROKER_BASE_URL is set; e-mail goes to files in var/mail unless
# BROKER_MAIL_DIR or an SMTP server is configured.
run: $(STAMP)
	BROKER_BASE_URL=$${BROKER_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/broker demo --if-empty
	BROKER_BASE_URL=$${BROKER_BASE_URL:-http://127.0.0.1:$(PORT)} \
	  BROKER_MAIL_DIR=$${BROKER_MAIL_DIR:-var/mail} BROKER_LOG_FORMAT=$${BROKER_LOG_FORMAT:-console} \
	  $(BIN)/broker serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check broker tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

$(INTEROP): tests/interop/package.json tests/interop/package-lock.json
	npm ci --prefix tests/interop --no-audit --no-fund --silent

# On every core (pytest-xdist); `make test PYTEST_ARGS="-n 0 -k ..."` runs in one process.
test: lint $(INTEROP)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

browser-test: $(STAMP)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# About half an hour: each suite at its long size on SQLite and on PostgreSQL ($(PG_URL)),
# the scale-out test a minute under load, then the mixed load through haproxy to one process
# and to two; each run ends with a table of its figures.
soak: $(STAMP)
	BROKER_SOAK=1 $(BIN)/pytest -q $(SOAK_TESTS)
	BROKER_SOAK=1 BROKER_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(SOAK_TESTS)
	$(BIN)/python -m bench load --seconds 12

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/interop/node_modules

# Re-extract the page texts and merge them into the catalogues (then translate the new ones).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext_ -k N_ --no-location --sort-output \
	  --omit-header -o broker/web/i18n/messages.pot .
	$(BIN)/pybabel update -i broker/web/i18n/messages.pot -d broker/web/i18n --no-fuzzy-matching
