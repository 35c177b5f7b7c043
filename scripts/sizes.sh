#!/usr/bin/env bash
# Prints the size of the release site in dist/ (raw and gzip -9): the app
# (wasm, js, CSS, index.html with the prerendered opening chapter) and the largest chapter, since the docs pane
# loads the chapter it shows. Bytes are reported, not gated: what a reader
# waits for is measured by `make bench`. The search loads every chapter; that total is printed
# too, and so are what the site loads on first use: the tools module (the
# log check, the questions' exploration) and the selftest transcripts'
# file the log check loads. The static book in dist/book/ (pages read without JavaScript, instead
# of the site) is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
files=(dist/klpscope-app-*.wasm dist/klpscope-app-*.js dist/snippets/*/*.js dist/*.css dist/index.html)
chapters=(dist/book/segments/*.txt)
if [ ${#files[@]} -eq 0 ] || [ ${#chapters[@]} -eq 0 ]; then
    echo "no dist/ (or no dist/book/segments/): run trunk build --release first" >&2
    exit 1
fi
gz() { gzip -9c "$1" | wc -c; }
total_raw=0
total_gz=0
printf '%-48s %10s %10s\n' "release size" "raw" "gzip -9"
for f in "${files[@]}"; do
    raw=$(stat -c %s "$f")
    g=$(gz "$f")
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + g))
    printf '%-48s %10d %10d\n' "$(basename "$f")" "$raw" "$g"
done
largest=""
largest_gz=0
docs_raw=0
docs_gz=0
for f in "${chapters[@]}"; do
    g=$(gz "$f")
    docs_raw=$((docs_raw + $(stat -c %s "$f")))
    docs_gz=$((docs_gz + g))
    if [ "$g" -gt "$largest_gz" ]; then
        largest=$f
        largest_gz=$g
    fi
done
raw=$(stat -c %s "$largest")
total_raw=$((total_raw + raw))
total_gz=$((total_gz + largest_gz))
printf '%-48s %10d %10d\n' "largest chapter: $(basename "$largest")" "$raw" "$largest_gz"
printf '%-48s %10d %10d\n' "total: the app and one chapter" "$total_raw" "$total_gz"
printf '%-48s %10d %10d\n' "all ${#chapters[@]} chapters (loaded by a search)" "$docs_raw" "$docs_gz"
printf '%-48s %10s %10d\n' "the app and every chapter" "" "$((total_gz - largest_gz + docs_gz))"
for f in dist/klpscope-tools*; do
    printf '%-48s %10d %10d\n' "$(basename "$f") (the tools, on first use)" "$(stat -c %s "$f")" "$(gz "$f")"
done
if [ -f dist/selftests.txt ]; then
    printf '%-48s %10d %10d\n' "selftests.txt (loaded by the log check)" "$(stat -c %s dist/selftests.txt)" "$(gz dist/selftests.txt)"
fi
