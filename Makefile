# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv on first use, install what is needed (Debian libraries Qt needs
# when running as root, then the Python packages) and go on from there.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := sample-project
# Bound the whole test run so a hung GUI test fails instead of eating CI's time.
TEST_TIMEOUT ?= 900

.PHONY: setup run test lint typecheck bench screenshots clean

$(STAMP): pyproject.toml installer/system-deps.sh
	bash installer/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# `make run` opens the desktop app on the bundled sample (created, and run once headless so
# there are artifacts to read, the first time).
run: setup
	@test -d $(SAMPLE)/.spec_automation || $(BIN)/spec-automation init $(SAMPLE) --sample
	@test -f $(SAMPLE)/artifacts/prd.md || $(BIN)/spec-automation run --project $(SAMPLE) --auto-approve
	$(BIN)/spec-automation gui --project $(SAMPLE)

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

test: setup lint typecheck
	QT_QPA_PLATFORM=offscreen timeout -k 10 $(TEST_TIMEOUT) $(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/scheduling.py
	$(BIN)/python bench/engine_overhead.py
	$(BIN)/python bench/providers.py
	$(BIN)/python bench/changes.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/ui.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/visualizer.py
	$(BIN)/python bench/startup.py

# The README's pictures of the desktop app, rendered offscreen in both themes.
screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/spec-automation screenshots docs/screenshots

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
