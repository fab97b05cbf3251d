# Each target sets itself up: a fresh clone needs only `make test` or `make demo`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup test lint demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/arabic-search mappings --check
	$(BIN)/python -m pytest

demo: $(STAMP)
	@echo "== normalize: the sample article's first lines"
	head -n 3 tests/fixtures/seed-article.txt | $(BIN)/arabic-search normalize
	@echo "== analyze: its title through the 'text' analyzer (stemmed, for matching)"
	$(BIN)/arabic-search analyze "$$(head -n 1 tests/fixtures/seed-article.txt)"

bench: $(STAMP)
	$(BIN)/python bench/normalize.py
	$(BIN)/python bench/parse.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
