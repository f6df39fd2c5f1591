# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test chaos load soak lint typecheck unit integration contract e2e schemas schemas-check bench bench-profile bench-streams clean k8s-validate k8s-dev-keys rebuild-projections
.PHONY: venv web-deps web-build web-check browser browser-test guides promtool image-size drill sql-lint-deps

WEB := web
NPM ?= npm
# The browser tests drive this Chromium (Debian's package); point it elsewhere to use another.
export CHROMIUM ?= /usr/bin/chromium

$(VENV)/.installed: requirements.txt requirements-local.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# Exactly what the lock file pins, from an empty node_modules; once per change of it (the stamp).
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && $(NPM) ci --no-audit --no-fund
	@touch $@

web-deps: $(WEB)/node_modules/.installed

web-build: $(WEB)/node_modules/.installed ## the web app: typed API client, type check, bundle into web/dist
	cd $(WEB) && $(NPM) run build

web-check: $(WEB)/node_modules/.installed
	cd $(WEB) && $(NPM) run check

# Installs Chromium once, as root or through password-less sudo; says how otherwise.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM). Install Debian's package with" >&2; \
	    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2; \
	    echo "or set CHROMIUM to another Chromium or Chrome binary." >&2; \
	    exit 1; \
	  fi; \
	  echo "Installing Debian's chromium for the browser tests (once)"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null && \
	  test -x "$(CHROMIUM)" || { echo "chromium did not install at $(CHROMIUM)" >&2; exit 1; }; \
	fi

# HTTPS=1: over HTTPS with a local CA (.data/tls/ca.pem), reachable from phones on the network.
run: $(VENV)/.installed web-build ## start the whole system on this machine; Ctrl-C stops it (HTTPS=1: for phones)
	$(PY) -m deploy.local.stack $(if $(filter 1 yes true,$(HTTPS)),--https)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

ROLES_EXPORT := web/src/app/roles.generated.ts

schemas: $(VENV)/.installed ## regenerate contracts/schemas, the API's OpenAPI (contracts/api/openapi.json) and the web app's role table
	$(PY) -m contracts.export
	$(PY) -m contracts.roles --export $(ROLES_EXPORT)

schemas-check: $(VENV)/.installed
	$(PY) -m contracts.export --check
	$(PY) -m contracts.roles --check $(ROLES_EXPORT)

# The Prometheus Operator's CRD schemas, for validating our custom resources offline.
K8S_SCHEMAS := deploy/k8s/schemas
$(K8S_SCHEMAS)/node_modules/.installed: $(K8S_SCHEMAS)/package.json $(K8S_SCHEMAS)/package-lock.json
	cd $(K8S_SCHEMAS) && $(NPM) ci --no-audit --no-fund
	@touch $@

# squawk, the migration linter (tests/unit/test_migration_lint.py). `npm install`, not `npm ci`:
# squawk's binary comes as one optional package per platform, and the registry this project
# reaches serves only linux-x64's, so no lock file can name them all (npm ci refuses one that
# does not); the lock pins the two packages this machine gets, at their versions and hashes.
SQL_LINT := deploy/sql-lint
$(SQL_LINT)/node_modules/.installed: $(SQL_LINT)/package.json $(SQL_LINT)/package-lock.json
	cd $(SQL_LINT) && $(NPM) install --no-audit --no-fund
	@touch $@

sql-lint-deps: $(SQL_LINT)/node_modules/.installed

k8s-validate: $(VENV)/.installed $(K8S_SCHEMAS)/node_modules/.installed
	$(PY) -m deploy.k8s.validate

# promtool (for `promtool test rules` on the alerts) from Debian's prometheus package, unpacked
# into the venv: only the one binary, no server installed or started. Needs the package lists
# (as root, or they are there already); says how otherwise.
PROMTOOL := $(VENV)/bin/promtool
$(PROMTOOL): | $(VENV)/.installed
	@if command -v promtool >/dev/null 2>&1; then ln -sf "$$(command -v promtool)" $@; exit 0; fi; \
	dir=$$(mktemp -d) && cd $$dir && \
	{ apt-get download prometheus >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download prometheus >/dev/null; }; } && \
	dpkg-deb -x prometheus_*.deb x && cp x/usr/bin/promtool $(CURDIR)/$@ && cd / && rm -rf $$dir || \
	{ echo "promtool is needed for the alert tests: install Debian's prometheus package" >&2; \
	  echo "(or any promtool on PATH)" >&2; rm -rf $$dir; exit 1; }

promtool: $(PROMTOOL)

drill: $(VENV)/.installed ## backup and restore as a drill: back a stack up, restore it into a fresh one, compare checksums
	$(PY) -m deploy.local.drill

image-size: $(VENV)/.installed ## the image's Python set (requirements.txt) installed as the Dockerfile does, and its size
	$(PY) -m deploy.image_size

k8s-dev-keys: ## the dev overlay's token signing key, random, once per checkout (git-ignored)
	$(PYTHON) -m deploy.k8s.keys

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

contract: $(VENV)/.installed
	$(PY) -m pytest -q tests/contract

integration: $(VENV)/.installed
	$(PY) -m pytest -q tests/integration

e2e: $(VENV)/.installed web-build ## the gateway serves the built app (tests/e2e/test_web_app.py)
	$(PY) -m pytest -q tests/e2e

# tests/browser run last within the one session (tests/browser/conftest.py orders them).
test: lint typecheck schemas-check k8s-validate sql-lint-deps promtool web-check web-build browser ## everything CI runs
	$(PY) -m pytest -q -p no:cacheprovider --durations=25 tests

browser-test: $(VENV)/.installed web-build browser ## only the browser tests (screenshots in test-artifacts/screens)
	$(PY) -m pytest -q tests/browser

# The guides' pictures are the browser tests' screenshots (tests/browser/guide_images.py): run
# after a screen changes, and commit gateway/web/guides/img. `make test` only checks they exist.
guides: $(VENV)/.installed web-build browser ## remake the guides' pictures from the browser tests
	$(PY) -m pytest -q -p no:cacheprovider tests/browser
	$(PY) -m tests.browser.guide_images

bench: $(VENV)/.installed ## benchmarks print figures against a raw baseline; not part of `make test`
	$(PY) -m bench

bench-profile: $(VENV)/.installed ## make bench plus where each side's time goes: CPU per process, statements, py-spy (BENCH_ARGS="--only scheduling")
	$(PY) -m bench --profile --spy $(BENCH_ARGS)

bench-streams: $(VENV)/.installed ## what 50 open live streams cost the gateway and projections, nothing changing (own stack)
	$(PY) -m bench.streams $(BENCH_STREAMS_ARGS)

chaos: $(VENV)/.installed ## the fault run: load while every process is killed in turn; fails on any loss or duplicate
	$(PY) -m chaos $(CHAOS_ARGS)

load: $(VENV)/.installed ## the business's mix at rising rates on a stack of its own: the breaking point, then half of it
	$(PY) -m load $(LOAD_ARGS)

SOAK_MINUTES ?= 60
soak: $(VENV)/.installed ## an hour at a moderate rate: memory, connections, streams and tables must not creep (SOAK_MINUTES=5 to check it)
	$(PY) -m load.soak --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

rebuild-projections: $(VENV)/.installed ## rebuild every read model from the logs and swap it in live (DATABASE_URL of the running system)
	$(PY) -m services.projections.entrypoints.rebuild $(if $(CHECK),--check)

clean: ## wipe local data (database, object store, logs), the built web app and test artifacts; NODE_MODULES=1 also web/node_modules
	$(PY) -m deploy.local.clean 2>/dev/null || rm -rf .data
	rm -rf $(WEB)/dist test-artifacts
	$(if $(NODE_MODULES),rm -rf $(WEB)/node_modules)
