# The newcomer's entry points. Each installs what it needs first (scripts/bootstrap.sh).
SHELL := /bin/bash
.PHONY: setup demo test bench lint
setup:
	@bash scripts/bootstrap.sh
demo: setup
	@source scripts/env.sh && pnpm run demo
test: setup
	@bash scripts/test.sh
bench: setup
	@source scripts/env.sh && pnpm run bench
lint: setup
	@source scripts/env.sh && pnpm run lint && pnpm run typecheck
