#!/usr/bin/env bash
# Builds Ory Kratos (pinned version) from its Go module once and caches the
# binary outside the clone; links it into <repo>/.cache/bin/kratos.
set -euo pipefail

KRATOS_VERSION="${KRATOS_VERSION:-v1.3.1}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/guildmart"
OUT_DIR="$CACHE/kratos-$KRATOS_VERSION"
OUT="$OUT_DIR/kratos"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

link_into_repo() {
	mkdir -p "$REPO_ROOT/.cache/bin"
	ln -sf "$OUT" "$REPO_ROOT/.cache/bin/kratos"
}

# The binary reports the pinned version (set with -ldflags below). Its output is read
# whole: `| grep -q` stops reading at the first match, the binary then dies of SIGPIPE
# writing the lines after it, and pipefail turned that into "not built" now and then.
reports_version() {
	local out
	out="$("$OUT" version 2>/dev/null)" || return 1
	[[ "$out" == *"$KRATOS_VERSION"* ]]
}
if [[ -x "$OUT" ]] && reports_version; then
	link_into_repo
	echo "kratos $KRATOS_VERSION already built: $OUT (linked to .cache/bin/kratos)"
	exit 0
fi

command -v go >/dev/null 2>&1 || { echo "kratos-build: go is not on PATH" >&2; exit 1; }

start=$(date +%s)
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# Run outside any module so go.mod/go.work of this repo is never touched.
json="$(cd "$work" && GOWORK=off GOFLAGS= go mod download -json "github.com/ory/kratos@$KRATOS_VERSION")"
dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}[[:space:]]*$/\1/p' | head -n1)"
if [[ -z "$dir" || ! -d "$dir" ]]; then
	echo "kratos-build: could not find module dir in go mod download output:" >&2
	printf '%s\n' "$json" >&2
	exit 1
fi

cp -R "$dir" "$work/src"
chmod -R u+w "$work/src"
mkdir -p "$OUT_DIR"
(cd "$work/src" && GOWORK=off GOFLAGS=-mod=mod go build -buildvcs=false -trimpath \
	-ldflags "-X github.com/ory/kratos/driver/config.Version=$KRATOS_VERSION" -o "$OUT.tmp" .)
mv -f "$OUT.tmp" "$OUT"
reports_version || { echo "kratos-build: built binary does not run: $OUT" >&2; exit 1; }
link_into_repo
echo "kratos $KRATOS_VERSION built in $(( $(date +%s) - start ))s: $OUT (linked to .cache/bin/kratos)"
