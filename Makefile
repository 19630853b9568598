# fuyuan — the two commands are `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FUYUAN := $(BIN)/fuyuan
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest workers; CI and `make test` use 2 (the machines have 2 cores).
WORKERS ?= 2

.PHONY: run serve install assets static test e2e lint typecheck migrations-check messages check-messages bundle bench bench-quick bench-deps clean deps-pdf

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements/base.txt requirements/dev.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed node_modules/.installed

assets: node_modules/.installed

var/keys.env: | $(VENV)/.installed
	mkdir -p var
	$(BIN)/python -c "import secrets; print('FUYUAN_DATA_KEYS=1:' + secrets.token_hex(16)); print('FUYUAN_INDEX_KEY=' + secrets.token_hex(32)); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Set up (first time) and serve on http://127.0.0.1:8000 with the worker and the demo data.
run: install var/keys.env
	set -a; source var/keys.env; set +a; export DEBUG=1; \
	$(FUYUAN) collectstatic --noinput --verbosity 0 && \
	$(FUYUAN) migrate --noinput --verbosity 0 && \
	$(FUYUAN) createcachetable && \
	$(FUYUAN) load_demo --if-empty && \
	$(FUYUAN) load_demo_matters --if-empty && \
	$(FUYUAN) load_demo_mechanism --if-empty && \
	$(FUYUAN) load_demo_litigation --if-empty && \
	$(FUYUAN) load_demo_enforcement --if-empty && \
	$(FUYUAN) load_demo_exchange --if-empty && \
	$(FUYUAN) load_demo_dashboard --if-empty && \
	$(FUYUAN) load_demo_assessment --if-empty && \
	$(FUYUAN) search_reindex --verbosity 0 && \
	{ $(FUYUAN) db_worker --no-reload --verbosity 0 & worker=$$!; \
	  $(FUYUAN) scheduler & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	  echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"; \
	  $(FUYUAN) runserver --noreload $(HOST):$(PORT); }

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL names one. The browser
# tests (tests/e2e) run in `make e2e`, not here.
test: install
	$(BIN)/pytest -n $(WORKERS) -q --ignore=tests/e2e; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$status

# End-to-end tests in a real browser (tests/e2e/conftest.py): Playwright drives Debian's
# chromium, headless, against the app on 127.0.0.1. Chromium and the CJK fonts the screenshots
# need come from the distribution when missing (root or sudo); Playwright and axe-core from
# `install`. Every step's screenshot is kept in test-artifacts/e2e/<test>/ (with a trace on a
# failure). E2E_ARGS=-n2 runs them on two workers.
E2E_ARGS ?= -p no:xdist
e2e: install
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  $(if $(shell command -v sudo 2>/dev/null),sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo) \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	FUYUAN_E2E=1 $(BIN)/pytest -q $(E2E_ARGS) tests/e2e; status=$$?; \
	echo "screenshots: $(CURDIR)/test-artifacts/e2e/ ($$(find test-artifacts/e2e -name '*.png' 2>/dev/null | wc -l) files)"; \
	if [ $$status -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	FUYUAN_TESTING=1 $(BIN)/mypy src/fuyuan/core src/fuyuan/accounts src/fuyuan/audit src/fuyuan/matters src/fuyuan/notify

migrations-check: install
	FUYUAN_TESTING=1 DATABASE_URL=sqlite://:memory: $(FUYUAN) makemigrations --check --dry-run

# Regenerate the catalogue from the sources (needs GNU gettext), then check it is complete.
messages: install
	cd src/fuyuan && ../../$(FUYUAN) makemessages --locale zh_Hans --no-obsolete --no-location --ignore 'tests/*' --ignore 'testing.py'
	$(BIN)/python tools/po.py compile

check-messages: install
	$(BIN)/python tools/po.py check

# An offline bundle for intranet deployment: Python wheels and npm tarballs (docs/deploy.md).
bundle: install
	tools/bundle.sh

# Benchmarks (never timed unit tests; docs/benchmarks.md). `make bench` generates the city5y
# stress data once into its own database (PostgreSQL: fuyuan_bench_city5y; BENCH_DB=sqlite
# for a file under var/bench) and measures every target against its baseline; bench-quick is
# the same at 1/20 scale on SQLite (or PostgreSQL when DATABASE_URL names one) in under a
# minute, and fails only on errors and on page query counts that differ between the scales.
# The bulk push memory check (docs/api.md) stays a separate script: benchmarks/push_memory.py.
BENCH_DB ?= postgresql
bench: install bench-deps
	$(BIN)/python benchmarks/run.py --scale city5y --db $(BENCH_DB)

bench-quick: install bench-deps
	$(BIN)/python benchmarks/run.py --scale quick

# Benchmark-only packages (django-import-export and DuckDB as baselines, pyinstrument for
# profiles) and the load generator wrk from the distribution.
bench-deps: $(VENV)/.bench-installed
$(VENV)/.bench-installed: requirements/bench.txt | $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/bench.txt
	command -v wrk >/dev/null 2>&1 || { $(if $(shell command -v sudo 2>/dev/null),sudo) apt-get install -y -qq wrk >/dev/null; }
	touch $@

clean:
	rm -rf $(VENV) node_modules var/static bundle fuyuan-bundle.tar.gz

# PDF preview of generated documents: LibreOffice Writer (headless) and free CJK fonts.
# Optional and not part of `make run`; needs root (or sudo) and the distribution's packages.
deps-pdf:
	$(if $(shell command -v sudo 2>/dev/null),sudo) apt-get install -y --no-install-recommends \
		libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei
	soffice --version
