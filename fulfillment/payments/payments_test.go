package payments_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
)

// An order of 3425 (see the ledger tests) by a customer of a group on 30 days' terms.
func ordered(t *testing.T) (*world, *fulfillment.Order) {
	w := newWorld(t, 500)
	ctx := context.Background()
	if _, err := w.D.Owner.Exec(ctx, `WITH g AS (INSERT INTO customer_groups (storefront_id, consortium_id, member_id, name, payment_terms_days)
		VALUES ($1, $2, $3, 'shops', 30) RETURNING id) UPDATE customers SET customer_group_id = (SELECT id FROM g) WHERE id = $4`,
		w.SF.ID, w.C.ID, w.Sel.MemberID, w.Cust.ID); err != nil {
		t.Fatal(err)
	}
	l1, l2, l3 := w.Offer(t, w.Sup, 333, 999), w.Offer(t, w.Sup, 101, 337), w.Offer(t, w.Sup2, 7, 13)
	return w, w.Buy(t, map[uuid.UUID]int{l1: 3, l2: 1, l3: 7}, l1, l2, l3)
}

func TestRecordPayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		w, o := ordered(t)
		inv, err := w.pay.Invoice(ctx, w.Sel, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Amount != 3425 || inv.Status != "OPEN" || inv.Method != payments.MethodInvoice || inv.DueAt.Sub(o.CreatedAt).Round(time.Hour) != 30*24*time.Hour {
			t.Fatalf("invoice %+v, want 3425 OPEN due in 30 days", inv)
		}
		in := payments.RecordInput{OrderID: o.ID, Amount: 1000, IdempotencyKey: "k1"}
		p1, err := w.pay.RecordPayment(ctx, w.Sel, in)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := w.pay.RecordPayment(ctx, w.Sel, in)
		if err != nil || p2.ID != p1.ID {
			t.Fatalf("replay gave %v, %v; want payment %s", p2, err, p1.ID)
		}
		inv, _ = w.pay.Invoice(ctx, w.Sel, o.ID)
		if inv.Paid != 1000 || inv.Status != "OPEN" {
			t.Fatalf("invoice %+v, want 1000 paid, OPEN", inv)
		}
		b := w.Balances(t)
		if b[key("STOREFRONT", w.SF.ID, "CASH")] != 1000 || b[key("CUSTOMER", w.Cust.ID, "RECEIVABLE")] != 2425 {
			t.Fatalf("balances %v", b)
		}
		if inv, err = w.pay.MarkPaid(ctx, w.Sel, o.ID, ""); err != nil || inv.Status != "PAID" || inv.Paid != 3425 {
			t.Fatalf("mark paid: %+v, %v", inv, err)
		}
		if _, err := w.pay.MarkPaid(ctx, w.Sel, o.ID, ""); apperr.Code(err) != apperr.ECONFLICT {
			t.Fatalf("second mark paid: %v, want CONFLICT", err)
		}
		if b := w.Balances(t); b[key("CUSTOMER", w.Cust.ID, "RECEIVABLE")] != 0 || b[key("STOREFRONT", w.SF.ID, "CASH")] != 3425 {
			t.Fatalf("balances %v", b)
		}
		ps, err := w.pay.PaymentsOfOrders(ctx, w.StorefrontKey(), []uuid.UUID{o.ID})
		if err != nil || len(ps[0]) != 2 {
			t.Fatalf("payments %v, %v", ps, err)
		}
		w.Check(t)
	})
	t.Run("ErrAmount", func(t *testing.T) {
		t.Parallel()
		w, o := ordered(t)
		for _, amt := range []int64{0, -5, 3426} {
			_, err := w.pay.RecordPayment(ctx, w.Sel, payments.RecordInput{OrderID: o.ID, Amount: amt})
			if apperr.Code(err) != apperr.EINVALID {
				t.Errorf("amount %d: %v, want INVALID", amt, err)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		w, o := ordered(t)
		// A supplier of the order is not its seller.
		_, err := w.pay.RecordPayment(ctx, w.Sup, payments.RecordInput{OrderID: o.ID, Amount: 1})
		if apperr.Code(err) != apperr.ENOTFOUND {
			t.Fatalf("got %v, want NOT_FOUND", err)
		}
		if b := w.Balances(t); b[key("STOREFRONT", w.SF.ID, "CASH")] != 0 {
			t.Fatal("a refused payment was posted")
		}
	})
}

func TestOverdueInvoices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, o := ordered(t)
	t.Run("OKNotYet", func(t *testing.T) {
		inv, err := w.pay.OverdueInvoices(ctx, w.Sel, 10)
		if err != nil || len(inv) != 0 {
			t.Fatalf("got %v, %v; want none", inv, err)
		}
	})
	t.Run("OKOverdue", func(t *testing.T) {
		later := w.pay.WithClock(func() time.Time { return time.Now().Add(31 * 24 * time.Hour) })
		inv, err := later.OverdueInvoices(ctx, w.Sel, 10)
		if err != nil || len(inv) != 1 || inv[0].OrderID != o.ID {
			t.Fatalf("got %v, %v; want the order", inv, err)
		}
		if inv, _ := later.OverdueInvoices(ctx, w.Sup, 10); len(inv) != 0 {
			t.Fatal("a supplier sees the seller's invoices")
		}
	})
	t.Run("ErrFirst", func(t *testing.T) {
		if _, err := w.pay.OverdueInvoices(ctx, w.Sel, 0); apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v, want INVALID", err)
		}
	})
}
