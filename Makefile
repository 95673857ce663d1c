# The two commands: `make run` serves the product, `make test` runs every check CI runs.
PYTHON_BIN ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The test run on PostgreSQL; Django creates and drops its own test database there.
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/country_provider

.PHONY: run test split compare load install lint architecture test-sqlite test-postgres browser kubectl prometheus wrk image wheelhouse messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON_BIN) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Development settings for commands run by hand (`.venv/bin/python manage.py ...`): debug mode
# and a generated secret, in a git-ignored file the settings read. Never overwritten.
.env:
	@$(PYTHON_BIN) -c "import secrets; print('DEBUG=1'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@
	@echo "Wrote .env (DEBUG=1 and a generated SECRET_KEY) for manage.py commands run by hand."

run: install .env
	DEBUG=1 $(PY) manage.py migrate
	DEBUG=1 $(PY) manage.py load_reference_data
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: lint test-sqlite test-postgres

# The split topology on loopback: portal :8000, countries :8001, currencies :8002, languages :8003,
# NATS :8004 and each service's event worker.
split: install
	DEBUG=1 $(PY) manage.py run_split $(SPLIT_OPTIONS)

# Monolith vs split, measured side by side (see README); writes var/compare/.
compare: install wrk
	DEBUG=1 $(PY) manage.py compare_topologies

# A bounded mixed load on the split topology; fails on any 5xx or lost write.
load: install
	DEBUG=1 $(PY) manage.py load_test

# What .pre-commit-config.yaml runs before each commit, and more: the import contracts, and the
# architecture diagram checked against the import graph.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/architecture_diagram.py --check

# Redraw the diagram in docs/architecture.md from the import graph.
architecture: install
	$(PY) scripts/architecture_diagram.py

# The image test (tests/deploy/image, marked `image`) runs the overlays on PostgreSQL only.
test-sqlite: install browser kubectl prometheus wrk
	$(PY) -m pytest -m "not image"

test-postgres: install browser kubectl prometheus wrk
	scripts/ensure-postgres
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest

# Debian's Chromium, and axe-core (pinned, under var/axe) for the accessibility check.
browser:
	scripts/ensure-chromium
	scripts/ensure-axe

# The metrics tests scrape the services with Debian's Prometheus.
prometheus:
	scripts/ensure-prometheus

# The comparison's load generator for GET scenarios: Debian's wrk.
wrk:
	scripts/ensure-wrk

# The deploy tests render deploy/k8s with kubectl's built-in kustomize (v5).
kubectl: install
	VENV=$(VENV) scripts/ensure-kubectl

# The image of every Deployment and migration Job (needs Docker; `make test` builds and runs it
# with an engine of its own, see tests/image). IMAGE_BUILD_ARGS passes pip's settings to the
# build: an index, a CA bundle, or the wheelhouse below (README, "The image").
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' project/__init__.py)
IMAGE ?= country-provider:$(VERSION)
IMAGE_BUILD_ARGS ?=
DOCKER ?= docker
image:
	$(DOCKER) build --network host -f deploy/Dockerfile -t $(IMAGE) $(IMAGE_BUILD_ARGS) .

# A wheel of every pinned runtime requirement in deploy/wheelhouse/, for a build with no network.
# The wheels are for this machine's Python; WHEEL_PYTHON=3.12 fetches those of another.
WHEEL_PYTHON ?=
wheelhouse: install
	$(VENV)/bin/pip download --quiet --disable-pip-version-check --only-binary=:all: \
		$(if $(WHEEL_PYTHON),--python-version $(WHEEL_PYTHON)) \
		-r requirements.txt -d deploy/wheelhouse

# Recompile the translations after editing {portal,project/kernel}/locale/*/LC_MESSAGES/django.po.
messages: install
	cd portal && DEBUG=1 ../$(PY) ../manage.py compilemessages
	cd project/kernel && DEBUG=1 ../../$(PY) ../../manage.py compilemessages

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache test-artifacts
