# The two commands a newcomer needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=

.PHONY: install run test lint format soak bench bench-soak screenshots snapshots-update clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the console on the simulated venue
	$(BIN)/l2console run $(ARGS)

# Two worker processes (pytest-xdist): most tests wait on sockets and subprocesses, so on a 2-core
# machine two workers halve the wall time; `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

test: $(STAMP)  ## the whole suite (no soaks, no benchmarks)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

soak: $(STAMP)  ## long durability runs, not part of `make test`
	$(BIN)/python -m pytest -m soak -o addopts=-q --timeout=7200

bench: $(STAMP)  ## performance benchmark on this machine (ARGS="--json" for the JSON object)
	$(BIN)/l2console bench $(ARGS)

bench-soak: $(STAMP)  ## one hour at 1,000 frames/s: RSS must stay < 150 MB and flat (±10 %)
	$(BIN)/l2console bench --only latency,memory --rate 1000 --duration 1h $(ARGS)

screenshots: $(STAMP)  ## the console's reference scenes as SVG files in screenshots/
	$(BIN)/python -m console.app.scenes screenshots

snapshots-update: $(STAMP)  ## accept the console's snapshots after a deliberate UI change
	$(BIN)/python -m pytest tests/console/ui/test_snapshots.py --snapshot-update -o addopts=-q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
