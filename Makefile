# svc-ops: two commands for a user (`make run`, `make test`); the rest are parts of them.
# Settings come from the environment: ODOO_SRC, VENV, PGHOST/PGPORT/PGUSER/PGPASSWORD (README).
SHELL := /bin/bash

# --odoo-http: without it pytest-odoo skips every HttpCase (tours, HTTP routes).
# The root conftest.py fails the run on any skipped test.
PYTEST_ARGS ?= --odoo-http -p no:cacheprovider -q -rfEs -W ignore::DeprecationWarning addons tests

.PHONY: run test lint setup pot drop-demo dist dist-check bench-peers help
help:
	@echo "make run   - set up Odoo 17 + PostgreSQL, create svc_demo, serve http://localhost:8069"
	@echo "make test  - fresh database, install the six addons, lint, run every test"
	@echo "make lint  - ruff, pylint-odoo, .pot files, docker-compose.yml"
	@echo "make pot   - regenerate each addon's i18n/<addon>.pot"
	@echo "make dist  - one wheel per addon (odoo_addon_svc_*.whl) into dist/"
	@echo "make dist-check - build the wheels, install them in a fresh virtualenv, install the addons from there"
	@echo "make bench-peers - svc-ops next to OCA tier validation in one scratch database (BENCH_ARGS=\"--n 1000\")"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(PYTEST_ARGS)

setup:
	@bash scripts/ensure_odoo_src.sh && bash scripts/ensure_venv.sh && bash scripts/ensure_postgres.sh

lint: setup
	@bash scripts/lint.sh

pot: setup
	@bash scripts/export_pot.sh

dist: setup
	@bash scripts/dist.sh

dist-check: setup
	@bash scripts/dist_check.sh

# not part of `make test`: downloads OCA's wheels (pinned) into a bench-only folder outside the repo
bench-peers: setup
	@bash scripts/bench_peers.sh $(BENCH_ARGS)

drop-demo:
	@source scripts/common.sh && dropdb --if-exists "$${SVC_DB:-svc_demo}"
