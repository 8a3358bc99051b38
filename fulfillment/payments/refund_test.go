package payments_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
)

// cancelSup2 cancels the second supplier's fulfilment order of o (L3: 0.91 retail) and
// posts the reversal.
func cancelSup2(t *testing.T, w *world, oid uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{oid})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fos[0] {
		if f.SupplierID == w.Sup2.MemberID {
			if _, err := w.Svc.CancelFulfillmentOrder(ctx, w.Sel, f.ID, "gone"); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.As(t, w.Sel, func(tx pgx.Tx) error { return ledger.PostLineCancelled(ctx, tx, oid) })
}

// TestRefundOwed: a card order is paid in full, a line is cancelled, the 0.91 it cost is
// refunded through Stripe (stripe-mock) and the ledger and invoice balance out.
func TestRefundOwed(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w, o := ordered(t)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: whsec, BackendURL: stripeMockURL})
	t.Run("ErrNothingOwed", func(t *testing.T) {
		if _, err := svc.RefundOwed(ctx, w.Sel, o.ID); apperr.Code(err) != apperr.ECONFLICT {
			t.Fatalf("got %v, want CONFLICT", err)
		}
	})
	cp, err := svc.CreatePaymentIntent(ctx, w.Sel, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev := event("evt_r", "payment_intent.succeeded", cp.PaymentIntentID, stripeAPIVersion())
	if _, err := svc.HandleStripeWebhook(ctx, ev, signed(ev, whsec, nowT())); err != nil {
		t.Fatal(err)
	}
	cancelSup2(t, w, o.ID)
	t.Run("OK", func(t *testing.T) {
		r, err := svc.RefundOwed(ctx, w.Sel, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != 91 || r.Method != payments.MethodCard || r.StripeRefundID == "" {
			t.Fatalf("refund %+v, want 0.91 by card", r)
		}
		b := w.Balances(t)
		if b[key("CUSTOMER", w.Cust.ID, "RECEIVABLE")] != 0 || b[key("CONSORTIUM", w.C.ID, "CASH")] != 3425-91 {
			t.Fatalf("balances %v", b)
		}
		inv, _ := w.pay.Invoice(ctx, w.Sel, o.ID)
		if inv.Amount != 3334 || inv.Paid != 3334 || inv.Status != "PAID" {
			t.Fatalf("invoice %+v", inv)
		}
		w.Check(t)
	})
	t.Run("ErrAlreadyRefunded", func(t *testing.T) {
		if _, err := svc.RefundOwed(ctx, w.Sel, o.ID); apperr.Code(err) != apperr.ECONFLICT {
			t.Fatalf("got %v, want CONFLICT", err)
		}
	})
}
