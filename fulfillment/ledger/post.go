package ledger

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQL states raised by the posting functions of schema/migrations/008_payments.sql.
const (
	stateImmutable  = "GML01"
	stateUnbalanced = "GML02"
	stateNotFound   = "GML03"
	stateOverpaid   = "GML04"
)

// PostOrderPlaced posts the order-placed transaction of orderID (receivable, payables,
// fee, referral, margin per line) and opens its invoice. It runs inside the checkout's
// transaction tx, under the checkout's scope, so the order and its ledger commit or
// roll back together. Posting twice is a no-op.
func PostOrderPlaced(ctx context.Context, tx pgx.Tx, orderID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT gm_ledger_post_order($1)`, orderID)
	return mapErr(err)
}

// PostLineShipped makes the payable of the order's shipped units due. Call it in the
// transaction that ships; it posts only what changed since the last call.
func PostLineShipped(ctx context.Context, tx pgx.Tx, orderID uuid.UUID) error {
	return Sync(ctx, tx, orderID)
}

// PostLineCancelled reverses the cancelled (or rejected and not rerouted) units' share of
// the order-placed entries. Call it in the transaction that cancels.
func PostLineCancelled(ctx context.Context, tx pgx.Tx, orderID uuid.UUID) error {
	return Sync(ctx, tx, orderID)
}

// Sync brings the order's ledger up to date with its fulfilment (shipped and cancelled
// quantities): idempotent, set-based, one statement.
func Sync(ctx context.Context, tx pgx.Tx, orderID uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT gm_ledger_sync_order($1)`, orderID)
	return mapErr(err)
}

func mapErr(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case stateNotFound:
		return apperr.NotFound("order")
	case stateOverpaid:
		return apperr.Invalid("amount", "is more than the invoice still has open")
	}
	return err
}
