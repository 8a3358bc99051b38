package fulfillment

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connTx is a pgx.Tx over a connection whose transaction the checkout opens and ends
// itself inside pipelined batches (BEGIN leads the first batch, COMMIT ends the last),
// so that neither takes a round trip of its own and the stock rows the placement locks
// last are held for no round trip at all. River inserts the checkout's jobs through it.
type connTx struct{ c *pgx.Conn }

var _ pgx.Tx = connTx{}

func (t connTx) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("fulfillment: no nested transactions in a checkout")
}
func (t connTx) Commit(ctx context.Context) error {
	_, err := t.c.Exec(ctx, "COMMIT")
	return err
}
func (t connTx) Rollback(ctx context.Context) error {
	_, err := t.c.Exec(ctx, "ROLLBACK")
	return err
}
func (t connTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.c.CopyFrom(ctx, table, cols, src)
}
func (t connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}
func (t connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
func (t connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.c.Prepare(ctx, name, sql)
}
func (t connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.c.Exec(ctx, sql, args...)
}
func (t connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.c.Query(ctx, sql, args...)
}
func (t connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}
func (t connTx) Conn() *pgx.Conn { return t.c }
