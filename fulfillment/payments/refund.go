package payments

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
)

// Refund is money given back to the customer of an order.
type Refund struct {
	Amount         int64
	Method         string // CARD: through Stripe; INVOICE: the seller pays it back
	StripeRefundID string
}

// RefundOwed gives back what the customer paid for units that will not ship (after
// cancellations, or rejections without reroute, have reversed their share of the
// order): for a card order a Stripe Refund on the order's PaymentIntent (idempotency key
// derived from the order and what was refunded before), then the REFUND ledger
// transaction and the invoice reduced. Nothing owed is a conflict.
func (s *Service) RefundOwed(ctx context.Context, p tenants.Principal, orderID uuid.UUID) (*Refund, error) {
	if err := p.Require(tenants.FamilySelling); err != nil {
		return nil, err
	}
	r, err := s.refundOwed(ctx, p, orderID)
	if err == nil && r == nil {
		return nil, apperr.Conflict("orderId", "nothing is owed back on this order")
	}
	return r, err
}

// refundOwed refunds what is owed back on the order; nil when nothing is.
func (s *Service) refundOwed(ctx context.Context, p tenants.Principal, orderID uuid.UUID) (*Refund, error) {
	var owed, refunded int64
	var method string
	var intent *string
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT owed, method, intent, refunded FROM gm_refund_quote($1)`, orderID).Scan(&owed, &method, &intent, &refunded)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	if owed == 0 {
		return nil, nil
	}
	r := &Refund{Amount: owed, Method: method}
	if method == MethodCard && intent != nil {
		if s.stripe == nil {
			return nil, apperr.Conflict("orderId", "card refunds need Stripe, which is not configured")
		}
		params := &stripe.RefundParams{PaymentIntent: intent, Amount: stripe.Int64(owed)}
		params.Context = ctx
		params.AddMetadata("order_id", orderID.String())
		params.SetIdempotencyKey("refund-" + orderID.String() + "-" + strconv.FormatInt(refunded, 10))
		re, err := s.stripe.Refunds.New(params)
		if err != nil {
			return nil, err
		}
		r.StripeRefundID = re.ID
	}
	var ref *string
	if r.StripeRefundID != "" {
		ref = &r.StripeRefundID
	}
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT gm_refund_post($1, $2, $3)`, orderID, owed, ref)
		return err
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return r, nil
}
