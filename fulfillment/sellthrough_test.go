package fulfillment_test

import (
	"context"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/apperr"
)

func TestSellThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	w.receive(t, w.whMunich, mug, 10)
	w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(mug, 2), line(lamp, 1)), "a")
	w.checkout(t, w.customer(), w.cart(t, w.customer(), line(mug, 3)), "b")
	rejected := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 4)), "c")
	if _, err := w.svc.RejectFulfillmentOrder(ctx, w.sup2, w.fos(t, rejected)[0].ID, nil, "no"); err != nil {
		t.Fatal(err)
	}
	from, to := time.Now().Add(-24*time.Hour), time.Now().Add(time.Hour)

	t.Run("OK", func(t *testing.T) {
		rows, err := w.svc.SellThrough(ctx, w.sup, from, to)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%+v %v", rows, err)
		}
		if r := rows[0]; r.Units != 5 || r.WholesaleRevenue != 5000 || r.SKU != mug.sku || r.Region != "DE-BY" || r.Currency != "EUR" {
			t.Fatalf("row %+v", r)
		}
		rows, err = w.svc.SellThrough(ctx, w.sup2, from, to)
		if err != nil || len(rows) != 1 || rows[0].Units != 1 || rows[0].WholesaleRevenue != 3000 {
			t.Fatalf("the rejected units count: %+v %v", rows, err)
		}
	})
	t.Run("ErrRange", func(t *testing.T) {
		_, err := w.svc.SellThrough(ctx, w.sup, to, from)
		wantField(t, err, "to")
		_, err = w.svc.SellThrough(ctx, w.sup, from, from.Add(400*24*time.Hour))
		wantField(t, err, "to")
	})
	t.Run("ErrNotAMember", func(t *testing.T) {
		_, err := w.svc.SellThrough(ctx, w.customer(), from, to)
		wantCode(t, err, apperr.EFORBIDDEN)
	})
	t.Run("OKSellerGetsNothing", func(t *testing.T) {
		rows, err := w.svc.SellThrough(ctx, w.sel, from, to)
		if err != nil || len(rows) != 0 {
			t.Fatalf("%+v %v", rows, err)
		}
	})
}
