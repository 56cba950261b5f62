# The two commands a newcomer needs: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test build e2e bootstrap

help:
	@echo "make run    build (release) and serve on http://127.0.0.1:3000 with SQLite"
	@echo "make test   fmt, clippy (server + browser), Rust tests, Playwright end-to-end"
	@echo "make build  release build only (target/site + target/release/badge)"

run: build
	./target/release/badge

build:
	.ci/bootstrap run
	.ci/build-site release

test:
	.ci/test

# Playwright only (needs a debug build: .ci/build-site debug).
e2e:
	.ci/e2e
