#!/usr/bin/env bash
# Installs what building (and, with --browser, testing) the site needs, and
# skips whatever is already there. Safe to run again. Meant for Debian, as
# root (CI) or as a user with the tools already installed.
#
#   scripts/setup.sh            wasm target, trunk, wasm-bindgen-cli, npm packages (wasm-opt, terser), crates
#   scripts/setup.sh --browser  the same, plus Debian's chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock

step() { printf '\n==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

export PATH="$HOME/.cargo/bin:$PATH"

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "need root to apt-get install $*; install them and run this again" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "installed"
else
    rustup target add wasm32-unknown-unknown
fi

step "trunk $TRUNK_VERSION"
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
    echo "installed"
else
    echo "building trunk from crates.io (about 10 minutes on 2 cores)"
    # Newer trunk needs a newer rustc than 1.95; LTO off saves a third of the time.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install --locked trunk --version "$TRUNK_VERSION"
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    echo "installed"
else
    # Not --locked: its lockfile pins a crate the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

step "node and npm"
if have node && have npm; then
    echo "node $(node --version), npm $(npm --version)"
else
    apt_install nodejs npm
fi

step "npm packages in e2e/ (binaryen's wasm-opt, terser, playwright-core, axe-core)"
if [ -x e2e/node_modules/.bin/wasm-opt ] && [ -x e2e/node_modules/.bin/terser ] \
    && [ -d e2e/node_modules/playwright-core ] && [ -d e2e/node_modules/axe-core ] \
    && [ e2e/node_modules/.package-lock.json -nt e2e/package-lock.json ]; then
    echo "installed"
else
    (cd e2e && npm ci --no-audit --no-fund)
fi
echo "wasm-opt: $(e2e/node_modules/.bin/wasm-opt --version), terser: $(e2e/node_modules/.bin/terser --version)"

if [ "${1:-}" = "--browser" ]; then
    step "chromium (Debian)"
    if [ -x /usr/bin/chromium ]; then
        echo "installed"
    else
        apt_install chromium chromium-driver
    fi
fi

step "crates (cargo fetch; the site builds offline)"
cargo fetch

echo
echo "setup done"
