# Two commands do all the set-up on a fresh machine:
#   make demo   — the whole pipeline on the bundled fictitious demo data
#   make test   — lint, type checks and the whole test suite (notebooks included)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install reference demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,notebooks]'
	touch $(STAMP)

install: $(STAMP)

reference: install
	$(BIN)/pacte reference build

demo: reference
	$(BIN)/pacte demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: reference
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) data/processed/* .mypy_cache .ruff_cache .pytest_cache
