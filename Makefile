# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RPA := $(VENV)/bin/rpa
PYTEST_WORKERS ?= 3

.PHONY: setup chromium postgresql demo test bench lint clean

setup: $(VENV)/.installed chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

# Debian's Chromium and its headless shell (the same engine without the browser's UI: about
# a quarter less CPU, used when present) where the system lacks them; Playwright's own build
# only as a last resort.
CHROMIUM_PACKAGES := chromium chromium-headless-shell
chromium: $(VENV)/.installed
	@if command -v chromium >/dev/null 2>&1 && [ -x /usr/lib/chromium/chromium-headless-shell ]; then \
		echo "chromium: $$(command -v chromium), /usr/lib/chromium/chromium-headless-shell"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHROMIUM_PACKAGES) >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CHROMIUM_PACKAGES) >/dev/null; \
	elif command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium || command -v chromium-browser)"; \
	else \
		$(VENV)/bin/playwright install chromium; \
	fi

# The shared-ledger tests start their own PostgreSQL server from Debian's binaries.
postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
		echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

# The main job on the bundled sandbox. Exit code 1 means "some vehicles failed", which the
# sandbox's awkward cases do on purpose: the demo still succeeded.
demo: setup
	$(RPA) demo || [ $$? -eq 1 ]

test: setup postgresql
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal -q

# One table per flow, each side by side in one run, each also written to
# benchmarks/results-*.txt: the warranty chain at 200 ms latency with 1, 2 and 4 workers
# (s/vehicle, the portals' own time, ratio, speedup, peak PSS, CPU by process); the removal
# flows (request; process with 1 and 4 workers); an offline `rpa reconcile` of 100,000
# files; `rpa serve`'s time to first byte over 1,000 runs of 300 vehicles; then a long
# night of SOAK_VEHICLES vehicles with 2 and 4 workers (PSS every 10 vehicles, drift,
# peak). About 75 minutes on 2 cores; `make bench SOAK_VEHICLES=60` for a shorter night.
SOAK_VEHICLES ?= 300
bench: setup
	$(PY) benchmarks/warranty_bench.py
	$(PY) benchmarks/removals_bench.py
	$(PY) benchmarks/reconcile_bench.py
	$(PY) benchmarks/serve_bench.py
	$(PY) benchmarks/soak_bench.py --vehicles $(SOAK_VEHICLES)

lint: setup
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/ruff check rpa tests
	$(VENV)/bin/mypy rpa

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
