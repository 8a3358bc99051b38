#!/usr/bin/env bash
# Installs the pinned stripe-mock into the cache (outside the clone) and links it into
# .cache/bin; prints its path.
set -euo pipefail
VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/guildmart"
OUT="$CACHE/stripe-mock-$VERSION"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -x "$OUT/stripe-mock" ]]; then
	(cd "$(mktemp -d)" && GOWORK=off GOBIN="$OUT" go install "github.com/stripe/stripe-mock@$VERSION")
fi
mkdir -p "$ROOT/.cache/bin"
ln -sf "$OUT/stripe-mock" "$ROOT/.cache/bin/stripe-mock"
echo "$OUT/stripe-mock"
