# Two commands matter: `make run` serves the API, `make test` checks everything. Both set up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The dashboard's build tools (see `dashboard` below).
WEB := web
WEB_INSTALLED := $(WEB)/node_modules/.package-lock.json

.PHONY: install run test lint types pytest coverage node-clients dashboard schema seed clean

# Again only when pyproject.toml changes. pip's output is folded into a few lines: the packages
# as they are collected, then the install; all of it is shown if pip fails.
$(INSTALLED): pyproject.toml
	@if [ -f $(INSTALLED) ]; then echo "Updating $(VENV): pyproject.toml changed"; \
	else echo "Setting up $(VENV): first time only, about a minute"; fi
	@$(PYTHON) -m venv $(VENV)
	@echo "  upgrading pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@{ $(BIN)/python -m pip install --progress-bar off -e '.[dev]' 2>&1; \
		echo "pip-exit-status $$?"; } | $(PIP_PROGRESS)
	@touch $(INSTALLED)

PIP_PROGRESS = awk ' \
	/^pip-exit-status / { status = $$2; next } \
	{ out = out $$0 "\n" } \
	/^Collecting / { name = $$2; sub(/[<>=!~;[(].*/, "", name); \
		if (!width || width + length(name) > 96) { printf "%s  collecting", width ? "\n" : ""; width = 12 } \
		printf " %s", name; width += length(name) + 1; fflush(); next } \
	/^Installing collected packages: / { n = split(substr($$0, 32), names, ","); \
		printf "\n  installing %d packages ...", n; fflush(); next } \
	/^Successfully installed / { print " done"; fflush() } \
	END { if (status) { printf "\n%s", out; exit status } }'

install: $(INSTALLED)

# `make run PORT=8001 HOST=0.0.0.0`; only the command line sets them, never the environment.
HOST := 127.0.0.1
PORT := 8000

run: install  ## serve at http://$(HOST):$(PORT)/graphql (embedded SQLite unless DATABASE_URL is set)
	$(BIN)/python -m api serve --host '$(HOST)' --port '$(PORT)'

test: lint types pytest  ## everything CI checks

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

# The suite on every core (at most four, so as not to crowd PostgreSQL's connections; a worker
# with nothing left takes tests queued for another, so one slow test does not idle a core), under
# coverage: the slowest tests listed, to see where CI's time goes; a short table of the files not
# fully covered; a failure below the floor that pyproject.toml sets. Tracing costs about twice the
# CPU, which the workers make up for. `make coverage` adds the line-by-line report in htmlcov/.
PYTEST := $(BIN)/pytest -n auto --maxprocesses=4 --dist worksteal --cov --cov-report=term:skip-covered --durations=15

pytest: install node-clients $(WEB_INSTALLED)
	$(PYTEST)

coverage: install node-clients $(WEB_INSTALLED)  ## the suite as `make pytest` runs it, plus its report in htmlcov/
	$(PYTEST) --cov-report=html

# The npm graphql-ws client that tests/test_standard_clients.py runs, from the lockfile; again
# only when the lockfile changes. Without npm the tests that need it skip, or fail under CI.
CLIENTS := tests/clients
CLIENTS_INSTALLED := $(CLIENTS)/node_modules/.package-lock.json

$(CLIENTS_INSTALLED): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@if command -v npm >/dev/null; then \
		echo "npm ci in $(CLIENTS) (graphql-ws, the client browsers use, for the subscription tests)"; \
		cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else \
		echo "npm not found: the graphql-ws client tests will not run (they fail when CI is set)"; \
	fi

node-clients: $(CLIENTS_INSTALLED)

# The dashboard's sources (web/src) are built into api/static/dashboard, which is committed: `make
# run` needs no Node.js. Its build tools come from web's lockfile; the tests check that the
# committed files are what the sources build to.
$(WEB_INSTALLED): $(WEB)/package.json $(WEB)/package-lock.json
	@if command -v npm >/dev/null; then \
		echo "npm ci in $(WEB) (esbuild and graphql-ws, to build the dashboard)"; \
		cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else \
		echo "npm not found: the dashboard's build check will not run (it fails when CI is set)"; \
	fi

dashboard: $(WEB_INSTALLED)  ## rebuild api/static/dashboard from web/src after changing them
	cd $(WEB) && node build.mjs

schema: install  ## rewrite schema/schema.graphql from the code
	$(BIN)/python -c "import schema; schema.SDL_PATH.write_text(schema.sdl())"

seed: install  ## load reference data plus generated data: make seed SCALE=1
	$(BIN)/python -m api seed --scale $(or $(SCALE),1)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov tests/clients/node_modules web/node_modules

.PHONY: bench-analysis
bench-analysis: install  ## aidOverlaps, coverage, aidGaps at scale 1 on PostgreSQL: bench/README.md
	$(BIN)/python -m bench.analysis

.PHONY: bench-dashboard
bench-dashboard: install  ## the dashboard in Chromium on SQLite: page loads, live updates: bench/README.md
	$(BIN)/python -m bench.dashboard

.PHONY: bench bench-soak
bench: install  ## this API against PostGraphile v5 (npm ci in bench/peer) at scale 1: bench/README.md
	$(BIN)/python -m bench.compare

bench-soak: install  ## the mixed workload on this API for 5 minutes, its memory sampled
	$(BIN)/python -m bench.compare --soak

# `make bench-sqlite AGAINST=/tmp/before` measures another checkout beside this one.
.PHONY: bench-sqlite
bench-sqlite: install  ## this API on SQLite at scale 1, compiled reads on and off: bench/README.md
	$(BIN)/python -m bench.sqlite $(if $(AGAINST),--against '$(AGAINST)')
