package payments_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// shipAll accepts and ships every supplier fulfilment order of o (the ledger follows by
// itself: the derive trigger syncs it).
func shipAll(t *testing.T, w *world, o *fulfillment.Order, sups ...tenants.Principal) {
	t.Helper()
	ctx := context.Background()
	fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fos[0] {
		for _, s := range sups {
			if f.SupplierID != s.MemberID {
				continue
			}
			if _, err := w.Svc.AcceptFulfillmentOrder(ctx, s, f.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Svc.ShipFulfillmentOrder(ctx, s, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T-" + f.Reference}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestReturnUnits (fee 5% of retail): the customer buys 4 × 25.00 of sup (wholesale
// 10.00) and pays the invoice; it ships, sup is paid out 40.00; 1 unit comes back:
// the receivable, fee (1.25), payable due (10.00) and margin (13.75) of one unit are
// reversed, 25.00 is refunded, and 10.00 is taken back from sup's transfer. A second
// return of 4 more is refused (3 remain); the same idempotency key does nothing twice.
func TestReturnUnits(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w := newWorld(t, 500)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", BackendURL: stripeMockURL})
	lv := w.Offer(t, w.Sup, 1000, 2500)
	o := w.Buy(t, map[uuid.UUID]int{lv: 4}, lv)
	if _, err := svc.MarkPaid(ctx, w.Sel, o.ID, "paid"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetPayoutAccount(ctx, w.Sup, "acct_1SUP"); err != nil {
		t.Fatal(err)
	}
	shipAll(t, w, o, w.Sup)
	if n, err := svc.RunPayouts(ctx, 100); err != nil || n != 1 {
		t.Fatalf("payouts %d, %v; want 1", n, err)
	}
	line := o.Lines[0].ID

	t.Run("ErrMoreThanShipped", func(t *testing.T) {
		_, err := svc.ReturnUnits(ctx, w.Sel, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: line, Quantity: 5}}})
		if apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v, want INVALID", err)
		}
	})
	t.Run("ErrSupplierMayNotReturn", func(t *testing.T) {
		_, err := svc.ReturnUnits(ctx, w.Sup, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: line, Quantity: 1}}})
		if err == nil {
			t.Fatal("a supplier recorded a return")
		}
	})
	t.Run("OK", func(t *testing.T) {
		r, err := svc.ReturnUnits(ctx, w.Sel, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: line, Quantity: 1}},
			Reason: "damaged", IdempotencyKey: "ret-1"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Amount != 2500 || r.Refund == nil || r.Refund.Amount != 2500 || len(r.Reversals) != 1 || r.Reversals[0].Amount != 1000 {
			t.Fatalf("return %+v refund %+v reversals %+v; want 25.00 refunded and 10.00 reversed", r, r.Refund, r.Reversals)
		}
		again, err := svc.ReturnUnits(ctx, w.Sel, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: line, Quantity: 1}},
			IdempotencyKey: "ret-1"})
		if err != nil || again.ID != r.ID || again.Refund != nil {
			t.Fatalf("retry %+v, %v; want the first return, nothing repeated", again, err)
		}
		// By hand: placed 100.00 = 40.00 payable + 5.00 fee + 55.00 margin; paid 100.00 to
		// the storefront; shipped → 40.00 due, paid out from the platform's cash; one unit
		// back: 25.00 refunded by the storefront, 10.00 taken back from sup, fee 1.25 and
		// margin 13.75 reversed.
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"): -375,
			key("CONSORTIUM", w.C.ID, "CASH"):        -3000,
			key("STOREFRONT", w.SF.ID, "MARGIN"):     -4125,
			key("STOREFRONT", w.SF.ID, "CASH"):       7500,
		})
		inv, err := svc.Invoice(ctx, w.Sel, o.ID)
		if err != nil || inv.Amount != 7500 || inv.Paid != 7500 || inv.Status != "PAID" {
			t.Fatalf("invoice %+v, %v; want 75.00 paid", inv, err)
		}
		w.Check(t)
	})
	t.Run("ErrNoMoreThanRemain", func(t *testing.T) {
		_, err := svc.ReturnUnits(ctx, w.Sel, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: line, Quantity: 4}}})
		if apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v, want INVALID (3 left)", err)
		}
	})
}

// TestReturnBeforePayout: a unit returned before the payout job ran is never paid out:
// the supplier gets 3 × 10.00, nothing to reverse.
func TestReturnBeforePayout(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w := newWorld(t, 500)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", BackendURL: stripeMockURL})
	lv := w.Offer(t, w.Sup, 1000, 2500)
	o := w.Buy(t, map[uuid.UUID]int{lv: 4}, lv)
	if err := svc.SetPayoutAccount(ctx, w.Sup, "acct_1SUP"); err != nil {
		t.Fatal(err)
	}
	shipAll(t, w, o, w.Sup)
	r, err := svc.ReturnUnits(ctx, w.Sel, payments.ReturnInput{OrderID: o.ID, Lines: []payments.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Refund != nil || len(r.Reversals) != 0 {
		t.Fatalf("unpaid order: refund %+v reversals %+v, want none", r.Refund, r.Reversals)
	}
	if n, err := svc.RunPayouts(ctx, 100); err != nil || n != 1 {
		t.Fatalf("payouts %d, %v", n, err)
	}
	wantBalances(t, w.Balances(t), map[acct]int64{
		key("CUSTOMER", w.Cust.ID, "RECEIVABLE"): 7500,
		key("CONSORTIUM", w.C.ID, "FEE_REVENUE"): -375,
		key("CONSORTIUM", w.C.ID, "CASH"):        -3000,
		key("STOREFRONT", w.SF.ID, "MARGIN"):     -4125,
	})
	inv, err := svc.Invoice(ctx, w.Sel, o.ID)
	if err != nil || inv.Amount != 7500 || inv.Status != "OPEN" {
		t.Fatalf("invoice %+v, %v; want 75.00 open", inv, err)
	}
	w.Check(t)
}
