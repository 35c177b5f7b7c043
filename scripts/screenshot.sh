#!/usr/bin/env bash
# docs/screenshot-*.png: the explorer after the kernel selftest "busy target
# module" (a stalled transition, reversed, one callback selected) at 390,
# 1366 (light and dark) and 1920 px, and a chapter as it prints.
# Needs a release build in dist/, /usr/bin/chromium and e2e/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
node e2e/screenshots.mjs "${1:-docs}"
