# WriteCareNotes: every target creates and reuses .venv, reinstalling only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo test lint typecheck imports server installer bench bench-quick bench-scaling reliability screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[desktop,server,dev]'
	touch $(STAMP)

venv: $(STAMP)

INSTALLER_STAMP := $(VENV)/.installer-stamp
$(INSTALLER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[installer]'
	touch $(INSTALLER_STAMP)

# The desktop app as a one-folder bundle for this platform: dist/WriteCareNotes/.
installer: $(INSTALLER_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller installers/desktop/writecarenotes.spec
	@du -sh dist/WriteCareNotes

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The slow tests build the installer, so they need PyInstaller too.
test: lint typecheck imports $(STAMP) $(if $(findstring --run-slow,$(PYTEST_ARGS)),$(INSTALLER_STAMP))
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The long reliability run (about 10 minutes on 2 cores): crashes, faulty network, clocks,
# restarts, load, hostile input, backup drill. Writes tests/reliability/results/latest.json
# and prints the table (docs/reliability.md).
reliability: $(STAMP)
	$(BIN)/python -m tests.reliability.run $(RELIABILITY_ARGS)

# The benchmarks (docs/performance.md). Full run: under 10 minutes on 2 cores, writes
# benchmarks/results/latest.json and prints the table. Quick run: small sizes, under a
# minute, writes benchmarks/results/quick.json; 'make test' runs it too (tests/benchmarks).
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The scaling series alone, every home size up to 120 residents x 5 years (about 45 minutes on
# 2 cores): benchmarks/results/scaling.json. 'make bench' fills the cells it has no time for
# from that file, saying so in each cell's details.
bench-scaling: $(STAMP)
	$(BIN)/python -m benchmarks --scaling $(BENCH_ARGS)

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick $(BENCH_ARGS)

screenshots: $(STAMP)
	$(BIN)/python -m desktop.ui.screenshots docs/images

demo: $(STAMP)
	$(BIN)/python -m desktop.demo

server: $(STAMP)
	$(BIN)/writecarenotes-server init
	$(BIN)/writecarenotes-server serve

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache build dist *.egg-info
