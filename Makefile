# klpscope: `make serve` to look at the site, `make test` to check everything.
# Both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# binaryen's wasm-opt from npm (trunk requires version_132, see Trunk.toml).
export PATH := $(CURDIR)/e2e/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: serve test setup setup-browser build sizes lint unit transcripts e2e screenshot bench clean kernel-test

## serve: build the site and serve it on http://$(HOST):$(PORT)/ (rebuilds on change)
serve: setup
	@echo "==> serving the site at http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	trunk serve --release --address $(HOST) --port $(PORT)

## test: formatting, lints, unit tests, kernel transcripts, release build, browser tests
test: setup-browser lint unit transcripts build e2e

setup:
	scripts/setup.sh

setup-browser:
	scripts/setup.sh --browser

lint:
	@echo "==> cargo fmt --check"
	cargo fmt --all -- --check
	@echo "==> cargo clippy"
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	@echo "==> engine tests"
	cargo test
	@echo "==> engine tests without its selftest transcripts (as the site loads them)"
	cargo test -p klpscope-engine --no-default-features --lib log::
	@echo "==> site tests (native)"
	cargo test -p klpscope-app

transcripts:
	@echo "==> kernel selftest transcripts"
	cargo run -p klpscope-engine -- check engine/tests/transcripts/*.txt

## build: the release site in dist/, and its size
build:
	@echo "==> trunk build --release"
	trunk build --release
	scripts/sizes.sh

sizes:
	scripts/sizes.sh

e2e:
	@echo "==> browser tests (headless chromium)"
	cd e2e && node --test

## bench: the engine benchmarks, the same exploration natively and in the site's
## wasm in headless Chromium with their ratio, the site's step to paint, and a first
## visit's load over an emulated Slow 4G network (README, Performance)
bench: setup-browser build
	cargo bench -p klpscope-engine
	cargo build --release -p klpscope-engine
	cd e2e && node bench-explore.mjs && node bench-step.mjs && node bench-load.mjs

## kernel-test: every scenario with define blocks as real modules on Debian's kernel under
## QEMU, its console log checked against the model under that kernel's version (not part
## of `test`; needs root for apt). KT_KERNEL=6.1 (default) or 6.12 picks Debian 12's kernel
kernel-test:
	scripts/kernel-test.sh

## screenshot: docs/screenshot-*.png (390, 1366, 1920 px, dark, print) from the release build
screenshot:
	scripts/screenshot.sh

clean:
	cargo clean
	rm -rf dist
