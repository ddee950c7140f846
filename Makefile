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

demo: $(BIN)/incasso
	cd samples && ../$(BIN)/incasso check debiteuren.xlsx facturen.xlsx

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out build *.egg-info
