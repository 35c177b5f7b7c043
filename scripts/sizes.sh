#!/usr/bin/env bash
# Prints the size of the release site in dist/ (raw and gzip -9) and fails if
# what a browser downloads compressed exceeds the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${SIZE_BUDGET_GZIP:-307200}   # 300 KiB

shopt -s nullglob
files=(dist/*.wasm dist/*.js dist/*.css dist/index.html)
if [ ${#files[@]} -eq 0 ]; then
    echo "no dist/: run trunk build --release first" >&2
    exit 1
fi
total_raw=0
total_gz=0
printf '%-48s %10s %10s\n' "release size" "raw" "gzip -9"
for f in "${files[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9c "$f" | wc -c)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    printf '%-48s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-48s %10d %10d  (budget %d)\n' "total" "$total_raw" "$total_gz" "$BUDGET"
if [ "$total_gz" -gt "$BUDGET" ]; then
    echo "the site is over its size budget" >&2
    exit 1
fi
