# The two commands a new user needs: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVE ?= 1
BUYERS ?= 2000
SELLERS ?= 300
ORDERS ?= 6000
SEED ?= 7
DEMO_DIR ?= .demo

.PHONY: setup demo test lint format bench clean i18n browser stress soak

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,bench,sim]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/databorder demo --dir $(DEMO_DIR) --seed $(SEED) --buyers $(BUYERS) --sellers $(SELLERS) \
		--orders $(ORDERS) $(if $(filter 0,$(SERVE)),--no-serve,--serve)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Web pages: Debian's Chromium, fonts-noto-cjk and a pinned axe-core for the browser tests
# (idempotent, quick once installed; the tests run it too, so a bare `pytest` works as well).
browser:
	scripts/ensure-browser >/dev/null

test: lint browser
	$(BIN)/python -m pytest

# Message catalogues: each domain's msgids go to build/i18n/<domain>.pot, then into the ko and en
# .po files (new ones arrive untranslated: fill in the Korean). The keywords decide the domain.
I18N_DOMAINS ?= labels notices web audit
LOCALE_DIR := src/databorder/i18n/locale
I18N_INPUT_labels := src/databorder
I18N_KEYWORDS_labels := --no-default-keywords -k _l
I18N_INPUT_notices := src/databorder/notices
I18N_KEYWORDS_notices := --no-default-keywords -k _n -k _np:1,2 -k _ -k gettext -k ngettext:1,2
I18N_INPUT_web := src/databorder/web
I18N_KEYWORDS_web :=
I18N_INPUT_audit := src/databorder/audit
I18N_KEYWORDS_audit :=

i18n: setup
	mkdir -p build/i18n
	$(foreach d,$(I18N_DOMAINS),$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output \
		$(I18N_KEYWORDS_$(d)) -o build/i18n/$(d).pot $(I18N_INPUT_$(d)) && \
		$(BIN)/pybabel -q update -D $(d) -i build/i18n/$(d).pot -d $(LOCALE_DIR) -N --ignore-obsolete --ignore-pot-creation-date && ) true

bench: setup
	scripts/ensure-deb wrk
	$(BIN)/python -m bench

# Longer runs of the reliability suites (tests/reliability): more generated requests, more
# crashes; `make test` runs a short version of each.
stress: setup browser
	DATABORDER_STRESS=1 $(BIN)/python -m pytest tests/reliability

# Ten minutes at a steady rate on loopback: error rate, p99 and RSS over time (docs/reliability.md).
soak: setup
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
