# HSSK: the two commands are `make up` (run the platform) and `make test` (run the tests).
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.9.30
TOOLS := .hssk/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HSSK := $(VENV)/bin/hssk
# Match quality is checked on the CI seed (2026, full report) and on these (one line each).
EVAL_SEEDS := 1,2,3,4,5,6,7,8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help setup up down status logs test test-unit lint bench schemas demo eval-matching

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@scripts/system-deps.sh
	@python3 -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)
	@$(UV) sync --frozen --python python3.11 --quiet
	@touch $@

setup: $(VENV)/.synced  ## create .venv with every package (uv, from uv.lock)

up: setup  ## set up, start Kafka + FerretDB + the four services, load demo data
	@$(HSSK) dev up
	@$(HSSK) demo

down:  ## stop everything `make up` started
	@$(HSSK) dev down

status:  ## show each component
	@$(HSSK) dev status

logs:  ## follow every log
	@$(HSSK) dev logs -f

test: setup lint  ## set up, lint, start the stack, run unit + contract + integration + e2e + security tests
	@$(HSSK) dev up
	@$(PY) -m hssk_contracts.schemas check
	@$(PY) -m hssk_contracts.asyncapi check
	@$(PY) -m hssk_contracts.compat --history
	@$(PY) -m hssk_identity.evaluation --also-seeds $(EVAL_SEEDS) --harsh --febrl
	@$(PY) -m pytest

test-unit: setup  ## only the fast tests (no engines)
	@$(PY) -m pytest -m "not integration and not e2e"

lint: setup  ## ruff (lint + format) and mypy
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy --cache-dir .hssk/mypy-cache contracts/src libs/kit/src services/*/src tools/cli/src

bench: setup  ## measure end-to-end throughput and latency against raw Kafka / FerretDB bounds
	@$(HSSK) dev up
	@$(HSSK) bench

eval-matching: setup  ## match quality on a seeded synthetic population; exits 1 below the targets
	@$(PY) -m hssk_identity.evaluation --also-seeds $(EVAL_SEEDS) --harsh --febrl

schemas: setup  ## regenerate the committed JSON Schemas and AsyncAPI document from the contracts
	@$(PY) -m hssk_contracts.schemas write
	@$(PY) -m hssk_contracts.asyncapi write
