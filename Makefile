# The two commands a newcomer needs: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test build dist bench bench-scale e2e dev fuzz

help:
	@echo "make run    build (release) and serve on http://localhost:3000 with SQLite"
	@echo "make test   fmt, clippy (server + browser), Rust tests, Playwright end-to-end"
	@echo "make build  release build only (target/site + target/release/badge)"
	@echo "make dist   the build to deploy: link-time optimised (target/site + target/dist/badge)"
	@echo "make bench  release benchmarks vs FastAPI+PyJWT and Better Auth -> bench/RESULTS.md"
	@echo "make bench-scale  1M users on SQLite and PostgreSQL vs an empty database -> bench/RESULTS.md"
	@echo "make fuzz   every parser of untrusted input under libFuzzer, FUZZ_SECONDS each (default 60)"
	@echo "make dev    live reload (cargo leptos watch); installs cargo-leptos once (~20 min)"
	@echo "make e2e    Playwright only, against a debug build (.ci/build-site debug first)"

run: build
	./target/release/badge

build:
	@[ -x target/release/badge ] || echo "==> First build: about 8 minutes on 2 cores (Rust compiles every dependency once, for the server and for the browser); later runs start in seconds."
	.ci/bootstrap run
	.ci/build-site release

test:
	.ci/test

# What to deploy: the same site, the server link-time optimised (less CPU per request, a longer
# build; see the README).
dist:
	.ci/bootstrap run
	.ci/build-site dist

# `make build` (the site, and `make run`'s server, priced beside), then the server as `make dist`
# builds it plus the bench-only binaries (badge-bench with the ceiling route, argon2-rate,
# limit-checks), built by name so no binary you run is replaced. The harness runs in a venv of
# its own (bench/requirements.txt), remade when that file changes.
BENCH_PYTHON := bench/.peers/harness/bin/python
bench/.peers/harness/.installed: bench/requirements.txt
	python3 -m venv bench/.peers/harness
	bench/.peers/harness/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: build bench/.peers/harness/.installed
	cargo build --profile dist --no-default-features --features bench --bin badge-bench --bin argon2-rate --bin limit-checks
	$(BENCH_PYTHON) bench/bench.py

# Flat cost at a million users, on SQLite and on the local PostgreSQL (127.0.0.1:5432, user
# postgres). BENCH_SECONDS / BENCH_ROUNDS as for `make bench`.
bench-scale: build bench/.peers/harness/.installed
	$(BENCH_PYTHON) bench/scale.py

# Playwright only (needs a debug build: .ci/build-site debug).
e2e:
	.ci/e2e

# The live-reload loop: cargo leptos watch with the project's wasm-opt on PATH.
dev:
	.ci/dev

# Every parser of untrusted input under libFuzzer (cargo-fuzz on nightly, installed when missing).
fuzz:
	.ci/fuzz
