package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
)

// ReturnLine is some shipped units of one order line coming back.
type ReturnLine struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	Quantity    int       `json:"quantity"`
}

// ReturnInput is a return of shipped units the seller accepted.
type ReturnInput struct {
	OrderID        uuid.UUID
	Lines          []ReturnLine
	Reason         string
	IdempotencyKey string
}

// Validate reports every problem of in that needs no database.
func (in *ReturnInput) Validate() error {
	var errs []error
	if in.OrderID == uuid.Nil {
		errs = append(errs, apperr.Invalid("orderId", "is required"))
	}
	if len(in.Lines) == 0 {
		errs = append(errs, apperr.Invalid("lines", "name at least one line to return"))
	}
	if len(in.Lines) > 100 {
		errs = append(errs, apperr.Invalid("lines", "at most 100 lines per return"))
	}
	for i, l := range in.Lines {
		if l.OrderLineID == uuid.Nil {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("lines.%d.orderLineId", i), "is required"))
		}
		if l.Quantity <= 0 {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("lines.%d.quantity", i), "must be positive"))
		}
	}
	if len(in.Reason) > 500 {
		errs = append(errs, apperr.Invalid("reason", "must be at most 500 characters"))
	}
	if len(in.IdempotencyKey) > 200 {
		errs = append(errs, apperr.Invalid("idempotencyKey", "must be at most 200 characters"))
	}
	return errors.Join(errs...)
}

// Reversal is money taken back from a supplier's transfer after a return.
type Reversal struct {
	SupplierID       uuid.UUID
	TransferID       string
	StripeReversalID string
	Amount           int64
	Currency         string
}

// Return is the outcome of ReturnUnits.
type Return struct {
	ID     uuid.UUID
	Amount int64   // retail taken off what the customer owes
	Refund *Refund // what was given back (nil when the customer had not paid for them)
	// Reversals of transfers already made to suppliers for the returned units.
	Reversals []Reversal
}

// ReturnUnits records a return of shipped units (the seller or its storefront key): in
// one transaction the returned share of every account of the order is reversed (the
// supplier's due payable, the fee, a referral, the margin, the customer's receivable)
// and the invoice reduced; then what the customer paid for them is refunded (by card
// through Stripe, or recorded for an invoice order) and what suppliers were already paid
// for them is taken back by Stripe transfer reversals. Refund and reversal are retried
// safely: the same idempotency key returns the first return without repeating it and
// finishes a refund or reversal left undone; the payout job retries reversals too.
func (s *Service) ReturnUnits(ctx context.Context, p tenants.Principal, in ReturnInput) (*Return, error) {
	if err := p.Require(tenants.FamilySelling); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	lines, _ := json.Marshal(in.Lines)
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
	}
	r := &Return{}
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT return_id, amount FROM gm_order_return($1, $2, $3, $4)`,
			in.OrderID, lines, in.Reason, key).Scan(&r.ID, &r.Amount)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	// A retry with the same key (after Stripe failed, say) finishes what is left: the
	// refund is what the ledger still owes back, reversals what suppliers were overpaid.
	// Nothing owed back when the customer had not paid for them: the smaller invoice is all.
	if r.Refund, err = s.refundOwed(ctx, p, in.OrderID); err != nil {
		return r, err
	}
	if s.stripe != nil {
		if r.Reversals, err = s.ReverseTransfers(ctx, db.Scope{ConsortiumID: p.ConsortiumID, Role: db.RoleSystem}, in.OrderID); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ReverseTransfers takes back from suppliers' transfers what returns left them overpaid
// (of one order, or with order uuid.Nil of every order with a return): one Stripe
// transfer reversal per transfer, idempotency key derived from the transfer's payable and
// what was reversed before, then posted (supplier's due payable credited, the platform's
// cash debited).
func (s *Service) ReverseTransfers(ctx context.Context, scope db.Scope, order uuid.UUID) ([]Reversal, error) {
	if s.stripe == nil {
		return nil, nil
	}
	type due struct {
		consortium, storefront, entry, order, supplier uuid.UUID
		transfer, currency                             string
		amount, reversed                               int64
	}
	var dues []due
	var arg *uuid.UUID
	if order != uuid.Nil {
		arg = &order
	}
	err := db.ReadQuery(ctx, s.pool, scope, `SELECT * FROM gm_reversals_due($1)`, []any{arg}, func(rows pgx.Rows) error {
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.consortium, &d.storefront, &d.entry, &d.order, &d.supplier, &d.transfer, &d.amount, &d.reversed, &d.currency); err != nil {
				return err
			}
			dues = append(dues, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []Reversal
	for _, d := range dues { // one external call per transfer: not a set-based step
		params := &stripe.TransferReversalParams{ID: stripe.String(d.transfer), Amount: stripe.Int64(d.amount)}
		params.Context = ctx
		params.AddMetadata("order_id", d.order.String())
		params.SetIdempotencyKey("reversal-" + d.entry.String() + "-" + strconv.FormatInt(d.reversed, 10))
		rv, err := s.stripe.TransferReversals.New(params)
		if err != nil {
			return out, err
		}
		err = db.InTx(ctx, s.pool, db.Scope{ConsortiumID: d.consortium, Role: db.RoleSystem}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT gm_reversal_post($1, $2, $3, $4)`, d.storefront, d.entry, rv.ID, d.amount)
			return err
		})
		if err != nil {
			return out, err
		}
		out = append(out, Reversal{SupplierID: d.supplier, TransferID: d.transfer, StripeReversalID: rv.ID, Amount: d.amount, Currency: d.currency})
	}
	return out, nil
}
