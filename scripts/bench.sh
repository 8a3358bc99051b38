#!/usr/bin/env bash
# `make bench`: the benchmarks recorded in docs/BENCHMARKS.md, against a throwaway cluster.
# BENCH_COUNT (default 3) repetitions each; quote medians.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COUNT="${BENCH_COUNT:-3}"
run() { go test -run '^$' -count "$COUNT" "$@"; }
export -f run
export COUNT
export BENCH_FLOOR=1 # the checkout benchmark also measures its floor (docs/BENCHMARKS.md)
scripts/with-pg.sh bash -c '
set -e
run ./gateway -bench Viewer -benchtime 5s
for pkg in ./catalog/imports ./catalog/search ./federation ./fulfillment; do
	if [ -d "$pkg" ] && ls "$pkg"/*_test.go >/dev/null 2>&1; then run "$pkg" -bench . -benchtime 1x -timeout 30m; fi
done
'
