# Two commands do all the set-up on a fresh machine:
#   make demo   — the whole pipeline on the bundled fictitious demo data
#   make test   — lint, type checks and the whole test suite (notebooks included)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install browser reference reference-2026 demo test lint typecheck pytest bench notebooks clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,notebooks]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium (Debian package) for the HTML map tests; Playwright drives it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installation de Chromium (paquet Debian)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

reference: install
	$(BIN)/pacte reference build

# The later vintage (COG 2025, mayors elected in 2026): only the tests need it.
reference-2026: install
	$(BIN)/pacte reference build --vintage 2026

demo: reference reference-2026
	$(BIN)/pacte demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# One pytest worker per core (pytest-xdist); each test file stays on one worker,
# so its module fixtures are built once.
pytest: reference reference-2026 browser
	$(BIN)/pytest -n auto --dist loadfile

bench: reference browser
	$(BIN)/python -m benchmarks

test: lint typecheck pytest

clean:
	rm -rf $(VENV) data/processed/* .mypy_cache .ruff_cache .pytest_cache
