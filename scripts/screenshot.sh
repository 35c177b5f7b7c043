#!/usr/bin/env bash
# docs/screenshot.png: the explorer after the kernel selftest "busy target
# module" (a stalled transition, reversed), with one callback selected.
# Needs a release build in dist/ and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

FRAGMENT='#doc=transitions/reversing-a-transition&ev=5.6&s=insmod+test_modules/test_klp_callbacks_busy.ko+block_transition=Y!insmod+test_modules/test_klp_callbacks_demo.ko!insmod+test_modules/test_klp_callbacks_mod.ko!rmmod+test_klp_callbacks_mod!echo+0+%3E+/sys/kernel/livepatch/test_klp_callbacks_demo/enabled'
PORT=${PORT:-8123}
OUT=${1:-docs/screenshot.png}

PORT=$PORT node e2e/server.mjs >/dev/null &
server=$!
trap 'kill $server' EXIT
sleep 1
profile=$(mktemp -d)
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --run-all-compositor-stages-before-draw --virtual-time-budget=5000 \
    --window-size=1400,900 --screenshot="$OUT" "http://127.0.0.1:$PORT/$FRAGMENT" 2>/dev/null
rm -rf "$profile"
echo "wrote $OUT"
