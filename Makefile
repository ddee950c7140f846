PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench fuzz lint clean

$(BIN)/incasso: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(BIN)/incasso

$(VENV)/.test-deps: $(BIN)/incasso
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The demo works on a fresh copy of samples/ in out/demo, with the clock set to the day the
# sample bank files belong to, so it can be run again and again with the same result.
DEMO := out/demo
demo: $(BIN)/incasso
	rm -rf $(DEMO) && mkdir -p $(DEMO) && cp -r samples/debiteuren.xlsx samples/facturen.xlsx samples/incasso.toml samples/bank $(DEMO)/
	cd $(DEMO) && INCASSO_NOW=2026-11-27T10:00:00 ../../$(BIN)/incasso check debiteuren.xlsx facturen.xlsx
	cd $(DEMO) && INCASSO_NOW=2026-11-27T10:00:00 ../../$(BIN)/incasso collect debiteuren.xlsx facturen.xlsx -o out
	cd $(DEMO) && INCASSO_NOW=2026-12-02T20:00:00 ../../$(BIN)/incasso clear bank -o out
	cd $(DEMO) && INCASSO_NOW=2026-12-02T20:00:00 ../../$(BIN)/incasso status --all

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

# The property tests of hostile and broken input, and of output paths, with many more examples (some 25 minutes;
# `make test` runs a few of each). FUZZ_EXAMPLES=200 make fuzz for a shorter run.
FUZZ_EXAMPLES ?= 2000
fuzz: $(VENV)/.test-deps
	INCASSO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_broken_sheets.py tests/test_output_paths.py

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out build *.egg-info
