package search

import (
	"context"
	"strings"

	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// ExplainSearch returns EXPLAIN ANALYZE of the full-text (or browse) statement q would run
// for p; the benchmark logs it with BENCH_EXPLAIN=1.
func ExplainSearch(ctx context.Context, tx pgx.Tx, p tenants.Principal, q Query) (string, error) {
	c, err := callerOf(p)
	if err != nil {
		return "", err
	}
	q, offset, err := q.Validate()
	if err != nil {
		return "", err
	}
	mode := textNone
	if q.Text != "" {
		mode = textFTS
	}
	sql, args := buildSearch(c, q, offset, mode)
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}

// ExplainReindex returns EXPLAIN ANALYZE of the whole-consortium index statement (the
// transaction is the caller's; roll it back).
func ExplainReindex(ctx context.Context, tx pgx.Tx, consortiumID any) (string, error) {
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+indexAllSQL, consortiumID)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(lines, "\n"), err
}
