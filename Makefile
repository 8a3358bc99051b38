# Guildmart — the two commands a new user needs are `make run` and `make test`.
GO ?= go
.DEFAULT_GOAL := help

.PHONY: help run test build bench lint kratos

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run: ## run Guildmart on the embedded default (local PostgreSQL under .data/, demo data, http://localhost:8080)
	@bash -c 'source scripts/prereqs.sh && need_go && (find_pg_bin >/dev/null || { echo "make run: PostgreSQL server binaries (initdb, pg_ctl) not found: install them with apt-get install postgresql (15 or newer), or set DATABASE_URL to an existing server" >&2; exit 1; })'
	$(GO) build -o bin/guildmart ./cmd/guildmart
	./bin/guildmart dev

test: ## run every test against a throwaway PostgreSQL cluster (builds Kratos once, ~3 min)
	@bash scripts/test.sh

build: ## build bin/guildmart
	$(GO) build -ldflags "-X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/guildmart ./cmd/guildmart

bench: ## run the benchmarks recorded in docs/BENCHMARKS.md
	@bash scripts/bench.sh

lint: ## gofmt, go vet, staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

kratos: ## build the pinned Ory Kratos into .cache/bin (done by make test too)
	@bash scripts/kratos-build.sh
