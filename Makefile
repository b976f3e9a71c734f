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

.PHONY: setup demo test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,bench]'
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

test: lint
	$(BIN)/python -m pytest

bench: setup
	scripts/ensure-deb wrk
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
