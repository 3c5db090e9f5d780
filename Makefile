# Two commands for a fresh machine:
#   make run    set up, migrate, add demo data, start one outbox worker and serve the portal on http://127.0.0.1:5000
#   make test   set up and run the whole test suite on SQLite, then on PostgreSQL
# And for development:
#   make lint   ruff check, ruff format --check and mypy (settings in pyproject.toml); fails on any finding
#   make format ruff format and ruff's safe fixes
#   make bench-load  the load benchmark (bench/load.py): installs wrk, then wipes and fills $(BENCH_POSTGRES_URL)
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/bench_load
export FLASK_APP := portal

.PHONY: run test test-sqlite test-postgres lint format setup clean bench-load bench-triggers

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime-installed: $(BIN)/activate requirements.txt scripts/system-packages.sh
	bash scripts/system-packages.sh run
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt requirements-demo.txt scripts/system-packages.sh
	bash scripts/system-packages.sh test
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime-installed

# axe-core for the browser tests' accessibility check (pinned in tests/e2e/package-lock.json).
E2E_NODE := tests/e2e/node_modules/.installed
$(E2E_NODE): tests/e2e/package.json tests/e2e/package-lock.json scripts/system-packages.sh
	bash scripts/system-packages.sh test
	npm ci --prefix tests/e2e --no-audit --no-fund
	touch $@

# The offline card-payment demo: a local Stripe-compatible server and test keys (never real ones).
DEMO_STRIPE := STRIPE_SECRET_KEY=sk_test_offline_demo STRIPE_PUBLISHABLE_KEY=pk_test_offline_demo \
	STRIPE_WEBHOOK_SECRET=whsec_offline_demo STRIPE_API_BASE=http://127.0.0.1:8420

$(VENV)/.demo-installed: $(VENV)/.runtime-installed requirements-demo.txt
	$(BIN)/pip install -q -r requirements-demo.txt
	touch $@

run: $(VENV)/.runtime-installed $(VENV)/.demo-installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/python -m portal.payments.localstripe_server --port 8420 \
		--webhook-url http://127.0.0.1:5000/stripe/webhook --webhook-secret whsec_offline_demo & \
	stripe_pid=$$!; \
	$(DEMO_STRIPE) $(BIN)/flask jobs worker & worker_pid=$$!; \
	trap 'kill $$stripe_pid $$worker_pid 2>/dev/null' EXIT INT TERM; \
	$(DEMO_STRIPE) $(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(VENV)/.dev-installed
	@echo "== ruff check"
	$(BIN)/ruff check .
	@echo "== ruff format --check"
	$(BIN)/ruff format --check .
	@echo "== mypy"
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: test-sqlite test-postgres

test-sqlite: $(VENV)/.dev-installed $(E2E_NODE)
	@echo "== Test suite on SQLite"
	$(BIN)/pytest -q

test-postgres: $(VENV)/.dev-installed $(E2E_NODE)
	@echo "== Test suite on PostgreSQL ($(TEST_POSTGRES_URL))"
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -q

# Its profile mode needs tests/factories.py (no test tools): .venv/bin/python -m bench.load --profile
bench-load: $(VENV)/.runtime-installed
	bash scripts/system-packages.sh bench
	DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts tests/e2e/node_modules

# The trigger finder on 730 days x 30 tags (bench/triggers.py; SQLite, or DATABASE_URL=postgresql://... wipes that)
bench-triggers: $(VENV)/.runtime-installed
	$(BIN)/python -m bench.triggers
