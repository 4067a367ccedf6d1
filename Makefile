# mtaudit — set-up and everyday commands. Every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= test,fluency

.PHONY: setup demo test test-all lint bench bench-quick clean

$(STAMP): pyproject.toml scripts/setup.sh
	PY=$(PY) VENV=$(VENV) EXTRAS=$(EXTRAS) bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

## Audit the two seed articles and print the Markdown report (JSON goes to out/seeds.json).
demo: $(STAMP)
	@mkdir -p out
	$(BIN)/mtaudit audit seeds/cnn_musk_putin_mangled.en.txt seeds/ukrinform_retelling.en.txt \
		--format json -o out/seeds.json
	$(BIN)/mtaudit audit seeds/cnn_musk_putin_mangled.en.txt seeds/ukrinform_retelling.en.txt \
		--format markdown

## The default test suite (fast; < 10 minutes on 2 cores).
test: $(STAMP)
	$(BIN)/ruff check mtaudit tests benchmarks scripts
	$(BIN)/python -m pytest -q

## Everything, including slow tests.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ""

lint: $(STAMP)
	$(BIN)/ruff check mtaudit tests benchmarks scripts
	$(BIN)/ruff format --check mtaudit tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
