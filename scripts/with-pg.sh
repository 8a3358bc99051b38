#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (fsync off) and
# GUILDMART_TEST_PG_URL pointing at it; the cluster is removed afterwards.
# Usage: scripts/with-pg.sh COMMAND [ARGS…]
# GUILDMART_PG_OPTS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements
# -c pg_stat_statements.track=all" to see where a benchmark spends its statements' time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/prereqs.sh
PGBIN=$(find_pg_bin) || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found: install them with 'apt-get install postgresql' (15 or newer)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/guildmart-pg-XXXXXX)
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
as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -o \"-p $PORT -k $DIR/data -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB ${GUILDMART_PG_OPTS:-}\" -l '$DIR/data/log' -w start" >/dev/null
export GUILDMART_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
export PGBIN PORT
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT" >&2
"$@"
