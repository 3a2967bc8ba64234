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

# The installer: the version is pyproject.toml's, the tarball is named for this machine.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
RELEASE := spec-automation-$(VERSION)-linux-$(shell uname -m)
INSTALLER_STAMP := $(VENV)/.installer-tools

.PHONY: setup run test lint typecheck bench screenshots installer installer-test clean

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
	$(BIN)/python bench/gates.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/ui.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/visualizer.py
	$(BIN)/python bench/startup.py

# The README's pictures of the desktop app, rendered offscreen in both themes.
screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/spec-automation screenshots docs/screenshots

$(INSTALLER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,installer]'
	touch $(INSTALLER_STAMP)

# `make installer`: the PyInstaller one-folder bundle dist/spec-automation/ (all of it described
# by installer/spec-automation.spec) and the Linux tarball dist/$(RELEASE).tar.gz, which holds
# the bundle and installer/install-linux.sh.
installer: $(INSTALLER_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
	    --distpath dist --workpath build/pyinstaller installer/spec-automation.spec
	tar -C dist --transform 's,^,$(RELEASE)/,' -czf dist/$(RELEASE).tar.gz \
	    spec-automation -C ../installer install-linux.sh
	@du -sh dist/spec-automation dist/$(RELEASE).tar.gz

# `make installer-test`: build them, then run the bundle's own executable (never the source
# tree) from a temporary HOME; tests/installer/smoke_bundle.py says what it checks.
installer-test: installer
	QT_QPA_PLATFORM=offscreen timeout -k 10 900 $(BIN)/pytest -q tests/installer/smoke_bundle.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
