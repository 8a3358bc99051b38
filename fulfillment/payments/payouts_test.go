package payments_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
)

func TestPayoutStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, o := ordered(t)
	shipSup(t, w, o)
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	t.Run("OK", func(t *testing.T) {
		sts, err := w.pay.PayoutStatements(ctx, w.Sup, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) != 1 || sts[0].SupplierID != w.Sup.MemberID || sts[0].Due != 1100 || sts[0].Lines != 2 {
			t.Fatalf("statements %+v, want sup 11.00 for 2 lines", sts)
		}
		var b bytes.Buffer
		if err := payments.WriteStatementsCSV(&b, sts); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), w.Sup.MemberID.String()+",EUR,11.00,2,") {
			t.Fatalf("csv %q", b.String())
		}
	})
	t.Run("OKOtherSupplierSeesNothing", func(t *testing.T) {
		sts, err := w.pay.PayoutStatements(ctx, w.Sup2, from, to)
		if err != nil || len(sts) != 0 {
			t.Fatalf("got %+v, %v", sts, err)
		}
	})
	t.Run("ErrPeriod", func(t *testing.T) {
		if _, err := w.pay.PayoutStatements(ctx, w.Sup, to, from); apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v, want INVALID", err)
		}
	})
}

func TestSetPayoutAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 500)
	t.Run("OK", func(t *testing.T) {
		if err := w.pay.SetPayoutAccount(ctx, w.Sup, "acct_123ABC"); err != nil {
			t.Fatal(err)
		}
		if err := w.pay.SetPayoutAccount(ctx, w.Sup, "acct_456DEF"); err != nil {
			t.Fatal(err)
		}
		if a, err := w.pay.PayoutAccount(ctx, w.Sup); err != nil || a != "acct_456DEF" {
			t.Fatalf("got %q, %v", a, err)
		}
		if a, _ := w.pay.PayoutAccount(ctx, w.Sup2); a != "" {
			t.Fatalf("another member sees %q", a)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, bad := range []string{"", "acct_", "cus_123", "acct_12 3"} {
			if err := w.pay.SetPayoutAccount(ctx, w.Sup, bad); apperr.Code(err) != apperr.EINVALID {
				t.Errorf("%q: %v, want INVALID", bad, err)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if err := w.pay.SetPayoutAccount(ctx, w.Op, "acct_1"); apperr.Code(err) != apperr.EFORBIDDEN {
			t.Fatalf("operator: %v, want FORBIDDEN", err)
		}
	})
}

// shipSup ships the first supplier's fulfilment order of o (lines L1 and L2: 11.00 due).
func shipSup(t *testing.T, w *world, o *fulfillment.Order) {
	t.Helper()
	ctx := context.Background()
	fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fos[0] {
		if f.SupplierID != w.Sup.MemberID {
			continue
		}
		if _, err := w.Svc.AcceptFulfillmentOrder(ctx, w.Sup, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.ShipFulfillmentOrder(ctx, w.Sup, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "1"}}); err != nil {
			t.Fatal(err)
		}
		w.As(t, w.Sup, func(tx pgx.Tx) error { return ledger.PostLineShipped(ctx, tx, o.ID) })
	}
}

// TestRunPayouts: shipped payables go to the supplier's connected account (stripe-mock),
// once.
func TestRunPayouts(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w, o := ordered(t)
	if err := w.pay.SetPayoutAccount(ctx, w.Sup, "acct_1SUP"); err != nil {
		t.Fatal(err)
	}
	shipSup(t, w, o)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", BackendURL: stripeMockURL})
	n, err := svc.RunPayouts(ctx, 100)
	if err != nil || n != 2 {
		t.Fatalf("paid %d, %v; want the 2 shipped lines", n, err)
	}
	if n, err := svc.RunPayouts(ctx, 100); err != nil || n != 0 {
		t.Fatalf("second run paid %d, %v; want 0", n, err)
	}
	b := w.Balances(t)
	if b[key("SUPPLIER", w.Sup.MemberID, "PAYABLE_DUE")] != 0 || b[key("CONSORTIUM", w.C.ID, "CASH")] != -1100 {
		t.Fatalf("balances %v", b)
	}
	w.Check(t)
}
