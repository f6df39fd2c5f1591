# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test chaos lint typecheck unit integration contract e2e schemas schemas-check bench clean k8s-validate k8s-dev-keys rebuild-projections

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

run: $(VENV)/.installed ## start the whole system on this machine; Ctrl-C stops it
	$(PY) -m deploy.local.stack

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

ROLES_EXPORT := gateway/web/js/roles.js

schemas: $(VENV)/.installed ## regenerate contracts/schemas, the API's OpenAPI (contracts/api/openapi.json) and the web app's role table
	$(PY) -m contracts.export
	$(PY) -m contracts.roles --export $(ROLES_EXPORT)

schemas-check: $(VENV)/.installed
	$(PY) -m contracts.export --check
	$(PY) -m contracts.roles --check $(ROLES_EXPORT)

k8s-validate: $(VENV)/.installed
	$(PY) -m deploy.k8s.validate

k8s-dev-keys: ## the dev overlay's token signing key, random, once per checkout (git-ignored)
	$(PYTHON) -m deploy.k8s.keys

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

contract: $(VENV)/.installed
	$(PY) -m pytest -q tests/contract

integration: $(VENV)/.installed
	$(PY) -m pytest -q tests/integration

e2e: $(VENV)/.installed
	$(PY) -m pytest -q tests/e2e

test: lint typecheck schemas-check k8s-validate ## everything CI runs
	$(PY) -m pytest -q -p no:cacheprovider tests

bench: $(VENV)/.installed ## benchmarks print figures against a raw baseline; not part of `make test`
	$(PY) -m bench

chaos: $(VENV)/.installed ## the fault run: load while every process is killed in turn; fails on any loss or duplicate
	$(PY) -m chaos $(CHAOS_ARGS)

rebuild-projections: $(VENV)/.installed ## rebuild every read model from the logs and swap it in live (DATABASE_URL of the running system)
	$(PY) -m services.projections.entrypoints.rebuild $(if $(CHECK),--check)

clean: ## wipe local data (database, object store, logs)
	$(PY) -m deploy.local.clean 2>/dev/null || rm -rf .data
