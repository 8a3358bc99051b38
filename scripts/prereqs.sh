# Shared checks for the make targets: each failure says what is missing and how to get it.

need_go() {
	command -v go >/dev/null 2>&1 || { echo "Go is not installed: get Go 1.26 or newer from https://go.dev/dl/ and put it on PATH" >&2; exit 1; }
}

find_pg_bin() {
	if [[ -n "${PG_BINDIR:-}" && -x "$PG_BINDIR/initdb" ]]; then echo "$PG_BINDIR"; return 0; fi
	if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$d/initdb" ]]; then echo "$d"; return 0; fi
	done
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}
