#!/usr/bin/env bash
# Run by scripts/test.sh under scripts/with-pg.sh: every test, then `guildmart ledger
# check` on the database the settlement end-to-end test (e2e/) leaves behind, so the
# ledger of a whole association day is checked by the shipped command too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
keep=$(mktemp /tmp/guildmart-e2e-XXXXXX)
trap 'rm -f "$keep"' EXIT
GUILDMART_E2E_KEEP="$keep" go test -count=1 -timeout 25m "$@" ./...
if [[ -s "$keep" ]]; then
	set -a
	# shellcheck disable=SC1090
	source "$keep"
	set +a
	go run ./cmd/guildmart ledger check
else
	echo "make test: the settlement end-to-end test did not run (stripe-mock or Kratos missing, or filtered out): no ledger check" >&2
fi
