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
	fos, err := w.svc.FulfillmentOrdersOfOrders(ctx, w.sel, []uuid.UUID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fos[0] {
		if f.SupplierID != w.sup.MemberID {
			continue
		}
		if _, err := w.svc.AcceptFulfillmentOrder(ctx, w.sup, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ShipFulfillmentOrder(ctx, w.sup, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "1"}}); err != nil {
			t.Fatal(err)
		}
		w.as(t, w.sup, func(tx pgx.Tx) error { return ledger.PostLineShipped(ctx, tx, o.ID) })
	}
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	t.Run("OK", func(t *testing.T) {
		sts, err := w.pay.PayoutStatements(ctx, w.sup, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) != 1 || sts[0].SupplierID != w.sup.MemberID || sts[0].Due != 1100 || sts[0].Lines != 2 {
			t.Fatalf("statements %+v, want sup 11.00 for 2 lines", sts)
		}
		var b bytes.Buffer
		if err := payments.WriteStatementsCSV(&b, sts); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), w.sup.MemberID.String()+",EUR,11.00,2,") {
			t.Fatalf("csv %q", b.String())
		}
	})
	t.Run("OKOtherSupplierSeesNothing", func(t *testing.T) {
		sts, err := w.pay.PayoutStatements(ctx, w.sup2, from, to)
		if err != nil || len(sts) != 0 {
			t.Fatalf("got %+v, %v", sts, err)
		}
	})
	t.Run("ErrPeriod", func(t *testing.T) {
		if _, err := w.pay.PayoutStatements(ctx, w.sup, to, from); apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v, want INVALID", err)
		}
	})
}

func TestSetPayoutAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 500)
	t.Run("OK", func(t *testing.T) {
		if err := w.pay.SetPayoutAccount(ctx, w.sup, "acct_123ABC"); err != nil {
			t.Fatal(err)
		}
		if err := w.pay.SetPayoutAccount(ctx, w.sup, "acct_456DEF"); err != nil {
			t.Fatal(err)
		}
		if a, err := w.pay.PayoutAccount(ctx, w.sup); err != nil || a != "acct_456DEF" {
			t.Fatalf("got %q, %v", a, err)
		}
		if a, _ := w.pay.PayoutAccount(ctx, w.sup2); a != "" {
			t.Fatalf("another member sees %q", a)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, bad := range []string{"", "acct_", "cus_123", "acct_12 3"} {
			if err := w.pay.SetPayoutAccount(ctx, w.sup, bad); apperr.Code(err) != apperr.EINVALID {
				t.Errorf("%q: %v, want INVALID", bad, err)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if err := w.pay.SetPayoutAccount(ctx, w.op, "acct_1"); apperr.Code(err) != apperr.EFORBIDDEN {
			t.Fatalf("operator: %v, want FORBIDDEN", err)
		}
	})
}
