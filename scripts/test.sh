#!/usr/bin/env bash
# `make test`: installs/builds the tools tests need (cached outside the clone), starts one
# throwaway PostgreSQL cluster for the whole run, runs every test against it, stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/prereqs.sh
source scripts/prereqs.sh
need_go
PGBIN=$(find_pg_bin) || { echo "make test: PostgreSQL server binaries (initdb, pg_ctl) not found: install them with 'apt-get install postgresql' (15 or newer)" >&2; exit 1; }

# Real Ory Kratos for the identity tests, built once from its Go module (~3 min).
if [[ "${GUILDMART_SKIP_KRATOS:-}" != "1" ]]; then
	scripts/kratos-build.sh
fi
# stripe-mock for the payment tests (seconds once cached).
scripts/stripe-mock.sh >/dev/null || echo "make test: could not install stripe-mock; payment tests that need it will skip" >&2

DIR=$(mktemp -d /tmp/guildmart-test-XXXXXX)
chmod 755 "$DIR"
PORT=$(free_port)
as_pg() {
	if [[ "$(id -u)" == 0 ]]; then
		chown -R postgres:postgres "$DIR"
		su postgres -s /bin/sh -c "$*"
	else
		sh -c "$*"
	fi
}
cleanup() {
	as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -m immediate -w stop" >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
as_pg "'$PGBIN/initdb' -D '$DIR/data' -U postgres --auth=trust -E UTF8 --locale=C" >/dev/null
as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -o \"-p $PORT -k $DIR/data -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" -l '$DIR/data/log' -w start" >/dev/null
export GUILDMART_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
echo "make test: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT"

go vet ./...
go test -count=1 -timeout 25m "$@" ./...
