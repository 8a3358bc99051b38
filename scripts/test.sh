#!/usr/bin/env bash
# `make test`: installs/builds the tools tests need (cached outside the clone), then runs
# go vet and every test against one throwaway PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/prereqs.sh
need_go
find_pg_bin >/dev/null || { echo "make test: PostgreSQL server binaries (initdb, pg_ctl) not found: install them with 'apt-get install postgresql' (15 or newer)" >&2; exit 1; }

# Real Ory Kratos for the identity tests, built once from its Go module (~3 min).
if [[ "${GUILDMART_SKIP_KRATOS:-}" != "1" ]]; then
	scripts/kratos-build.sh
fi
# stripe-mock for the payment tests (seconds once cached).
scripts/stripe-mock.sh >/dev/null || echo "make test: could not install stripe-mock; payment tests that need it will skip" >&2

# Browser tests (web/) need chromium; without it only they skip.
if [[ -z "${CHROME_BIN:-}" ]] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
	echo "make test: chromium not found, so the browser tests in ./web skip; install it with 'apt-get install chromium'" >&2
fi

go vet ./...
scripts/with-pg.sh scripts/ci-tests.sh "$@"
