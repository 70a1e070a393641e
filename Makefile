# Two commands on a fresh machine with Python 3.11+ and Node 20+:
#   make run   set everything up and serve the portal with demo data on http://127.0.0.1:5000
#   make test  set everything up and run the whole test suite
# While changing the code, `make dev` serves with Flask's reloading development server instead.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails and on the console follow the address served (`make run PORT=5101`), unless
# PORTAL_BASE_URL is set in the environment.
export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
ASSET_SOURCES := $(shell find static/src static/js -type f) static/build.mjs

.PHONY: run dev test setup lint format lock clean

setup: $(VENV)/.installed static/dist/.built instance/config.py

# Every package from requirements/dev.txt, checked against its hashes; then the portal itself.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/dist/.built: node_modules/.installed $(ASSET_SOURCES)
	npm run --silent build
	@touch $@

# A random secret key for this machine only, and development settings (plain-http cookies).
instance/config.py: | $(VENV)/.installed
	@$(BIN)/python -c 'import secrets; print(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\nENVIRONMENT = \"development\"")' > $@
	@echo "Wrote $@ with a new random SECRET_KEY (development settings)."

instance/.demo-data-loaded: $(VENV)/.installed instance/config.py
	$(FLASK) portal init
	$(FLASK) portal demo-data
	@touch $@

# Served as in production, by gunicorn with deploy/gunicorn.conf.py (its workers forked from
# one warmed-up app), so the speed seen first is the real one.
run: setup instance/.demo-data-loaded
	$(FLASK) portal init
	@$(FLASK) portal demo-sign-ins
	@echo "Serving on http://$(HOST):$(PORT) with the job runner and mail sender. Ctrl+C stops both."
	@$(FLASK) portal worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; \
	  PORTAL_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# The same, served by Flask's development server, which restarts when the code changes and
# shows the debugger on errors (slower: one process, nothing warmed up).
dev: setup instance/.demo-data-loaded
	$(FLASK) portal init
	@$(FLASK) portal demo-sign-ins
	@echo "Serving (reloading) on http://$(HOST):$(PORT) with the job runner and mail sender. Ctrl+C stops both."
	@$(FLASK) portal worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(FLASK) run --debug --host $(HOST) --port $(PORT)

# Tests run in parallel (pytest-xdist), one worker per core (more workers were measured slower:
# the suite is bound by CPU). worksteal hands the slow tests left at the end to a free worker.
test: setup
	$(BIN)/pytest -n auto --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin Python packages with their hashes after changing pyproject.toml: what production
# installs (requirements/runtime.txt) and what development adds (requirements/dev.txt).
# Pins already there are kept; `make lock LOCK_OPTIONS=--upgrade` moves everything on.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url $(LOCK_OPTIONS)
lock: $(VENV)/.installed
	$(PIP_COMPILE) --output-file requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) node_modules static/dist .pytest_cache .ruff_cache .mypy_cache screenshots
