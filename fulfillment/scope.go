package fulfillment

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// scopeSQL is db.Scope's set_config plus app.cart_id, which lets an anonymous shopper's
// scope see the one cart (and its order) whose id it presented. One statement, so it can
// lead a pipelined batch.
const scopeSQL = `SELECT set_config('app.consortium_id', $1, true), set_config('app.member_id', $2, true),
	set_config('app.storefront_id', $3, true), set_config('app.customer_id', $4, true), set_config('app.role', $5, true),
	set_config('app.cart_id', $6, true)`

func str(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func queueScope(b *pgx.Batch, s db.Scope, cart uuid.UUID) {
	b.Queue(scopeSQL, str(s.ConsortiumID), str(s.MemberID), str(s.StorefrontID), str(s.CustomerID), s.Role, str(cart))
}

func applyScope(ctx context.Context, tx pgx.Tx, s db.Scope, cart uuid.UUID) error {
	_, err := tx.Exec(ctx, scopeSQL, str(s.ConsortiumID), str(s.MemberID), str(s.StorefrontID), str(s.CustomerID), s.Role, str(cart))
	return err
}

// systemScope is the consortium's system scope: what a transaction switches to for the
// consequences of an action on rows its caller may not write (see the package doc).
func systemScope(consortium uuid.UUID) db.Scope {
	return db.Scope{ConsortiumID: consortium, Role: db.RoleSystem}
}

// inTx runs fn in one transaction scoped to s (and cart), like db.InTx.
func inTx(ctx context.Context, pool *pgxpool.Pool, s db.Scope, cart uuid.UUID, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := applyScope(ctx, tx, s, cart); err != nil {
			return err
		}
		return fn(tx)
	})
}

// readBatch runs read-only queries under s in one round trip: BEGIN READ ONLY, the
// scope, the queries fill adds (with their result callbacks), COMMIT.
func readBatch(ctx context.Context, pool *pgxpool.Pool, s db.Scope, cart uuid.UUID, fill func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	b.Queue("BEGIN READ ONLY")
	queueScope(b, s, cart)
	fill(b)
	b.Queue("COMMIT")
	return pool.SendBatch(ctx, b).Close()
}
