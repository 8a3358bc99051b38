package db

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadQuery runs one read-only query under scope s in a single network round trip: BEGIN
// READ ONLY, the scope's set_config, the query and COMMIT are pipelined as one batch. It
// is what loaders and other hot read paths use; scan is called with the query's rows.
func ReadQuery(ctx context.Context, pool *pgxpool.Pool, s Scope, sql string, args []any, scan func(pgx.Rows) error) error {
	b := &pgx.Batch{}
	b.Queue("BEGIN READ ONLY")
	b.Queue(setScopeSQL, str(s.ConsortiumID), str(s.MemberID), str(s.StorefrontID), str(s.CustomerID), s.Role)
	b.Queue(sql, args...).Query(scan)
	b.Queue("COMMIT")
	return pool.SendBatch(ctx, b).Close()
}

// TraceBatchStart implements pgx.BatchTracer.
func (c *QueryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer: each statement of a batch counts.
func (c *QueryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.n.Add(1)
}

// TraceBatchEnd implements pgx.BatchTracer.
func (c *QueryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
