package fulfillment_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
)

func TestStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	other := w.offer(t, w.sup2, "Lamp", v{wholesale: 1000, srp: 4777})[0]

	t.Run("OKReceiveIdempotent", func(t *testing.T) {
		in := fulfillment.StockReceipt{WarehouseID: w.whMunich, VariantID: mug.variant, Quantity: 7, Reference: "DN-1", IdempotencyKey: "dn-1"}
		for i := 0; i < 2; i++ {
			st, err := w.svc.ReceiveStock(ctx, w.sup, in)
			if err != nil || st.OnHand != 7 || st.SKU != mug.sku {
				t.Fatalf("receipt %d: %+v %v", i, st, err)
			}
		}
	})

	t.Run("OKAdjust", func(t *testing.T) {
		st, err := w.svc.AdjustStock(ctx, w.op, fulfillment.StockAdjustment{WarehouseID: w.whMunich, VariantID: mug.variant, Delta: -2, Reason: "broken in transit"})
		if err != nil || st.OnHand != 5 {
			t.Fatalf("%+v %v", st, err)
		}
		ms, err := w.svc.StockMovements(ctx, w.sup, w.whMunich, mug.variant, 10)
		if err != nil || len(ms) != 2 || ms[0].Kind != "ADJUSTMENT" || ms[0].OnHandDelta != -2 || ms[0].Reason != "broken in transit" {
			t.Fatalf("movements %+v %v", ms, err)
		}
	})

	t.Run("ErrAdjustUnderReserved", func(t *testing.T) {
		w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(mug, 4)), "k")
		_, err := w.svc.AdjustStock(ctx, w.op, fulfillment.StockAdjustment{WarehouseID: w.whMunich, VariantID: mug.variant, Delta: -2, Reason: "count"})
		wantCode(t, err, apperr.ECONFLICT)
	})

	t.Run("ErrValidation", func(t *testing.T) {
		for name, tc := range map[string]struct {
			in    fulfillment.StockReceipt
			field string
		}{
			"ErrQuantity":      {fulfillment.StockReceipt{WarehouseID: w.whMunich, VariantID: mug.variant}, "quantity"},
			"ErrWarehouse":     {fulfillment.StockReceipt{WarehouseID: uuid.New(), VariantID: mug.variant, Quantity: 1}, "warehouseId"},
			"ErrOthersVariant": {fulfillment.StockReceipt{WarehouseID: w.whMunich, VariantID: other.variant, Quantity: 1}, "variantId"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.ReceiveStock(ctx, w.sup, tc.in)
				wantField(t, err, tc.field)
			})
		}
		_, err := w.svc.AdjustStock(ctx, w.op, fulfillment.StockAdjustment{WarehouseID: w.whMunich, VariantID: mug.variant, Delta: 1})
		wantField(t, err, "reason")
		_, err = w.svc.AdjustStock(ctx, w.sup, fulfillment.StockAdjustment{WarehouseID: w.whMunich, VariantID: mug.variant, Delta: 1, Reason: "x"})
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("OKWhoSeesStock", func(t *testing.T) {
		w.receive(t, w.whHamburg, other, 3)
		all, err := w.svc.StockLevels(ctx, w.op, fulfillment.StockFilter{})
		if err != nil || len(all.Stock) != 2 {
			t.Fatalf("operator sees %d rows (%v)", len(all.Stock), err)
		}
		own, err := w.svc.StockLevels(ctx, w.sup, fulfillment.StockFilter{})
		if err != nil || len(own.Stock) != 1 || own.Stock[0].VariantID != mug.variant {
			t.Fatalf("supplier sees %+v (%v)", own.Stock, err)
		}
		page, err := w.svc.StockLevels(ctx, w.op, fulfillment.StockFilter{First: 1})
		if err != nil || !page.HasNext {
			t.Fatal("no next page")
		}
		next, err := w.svc.StockLevels(ctx, w.op, fulfillment.StockFilter{First: 1, After: page.Cursors[0]})
		if err != nil || len(next.Stock) != 1 || next.HasNext || next.Stock[0].VariantID == page.Stock[0].VariantID {
			t.Fatalf("second page %+v (%v)", next, err)
		}
		none, _ := w.svc.StockLevels(ctx, w.shopper(), fulfillment.StockFilter{})
		if len(none.Stock) != 0 {
			t.Fatal("a shopper sees stock")
		}
	})
}

func TestCart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	pan := w.offer(t, w.sup, "Pan", v{wholesale: 2000, srp: 5999})[0]

	t.Run("OK", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(mug, 1))
		c, err := w.svc.AddCartLines(ctx, w.shopper(), c.ID, []fulfillment.CartLineInput{line(mug, 2), line(pan, 1)})
		if err != nil || len(c.Lines) != 2 || c.Lines[0].Quantity != 3 || c.Lines[1].Title != "Pan" {
			t.Fatalf("after add: %+v %v", c, err)
		}
		c, err = w.svc.UpdateCartLines(ctx, w.shopper(), c.ID, []fulfillment.CartLineInput{line(mug, 0), line(pan, 4)})
		if err != nil || len(c.Lines) != 1 || c.Lines[0].Quantity != 4 || c.Subtotal() != 4*5999 {
			t.Fatalf("after update: %+v %v", c, err)
		}
		c, err = w.svc.RemoveCartLines(ctx, w.shopper(), c.ID, []uuid.UUID{pan.lv})
		if err != nil || len(c.Lines) != 0 {
			t.Fatalf("after remove: %+v %v", c, err)
		}
	})

	t.Run("OKPriceChangeShowsAndIsAccepted", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(mug, 1))
		if _, err := w.d.Owner.Exec(ctx, `UPDATE offer_variants SET suggested_retail_price = 4999 WHERE id = $1`, mug.variant); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_, _ = w.d.Owner.Exec(ctx, `UPDATE offer_variants SET suggested_retail_price = 4777 WHERE id = $1`, mug.variant)
		}()
		c, _ = w.svc.Cart(ctx, w.shopper(), c.ID)
		if !c.Lines[0].PriceChanged() || c.Lines[0].CurrentUnitPrice != 4999 {
			t.Fatalf("line %+v", c.Lines[0])
		}
		w.receive(t, w.whMunich, mug, 1)
		in := fulfillment.CheckoutInput{CartID: c.ID, Email: "a@b.example", ShippingAddress: munich, IdempotencyKey: "p"}
		_, err := w.svc.Checkout(ctx, w.shopper(), in)
		wantField(t, err, "acceptPriceChanges")
		in.AcceptPriceChanges = true
		o, err := w.svc.Checkout(ctx, w.shopper(), in)
		if err != nil || o.Subtotal != 4999 {
			t.Fatalf("accepted: %+v %v", o, err)
		}
	})

	t.Run("ErrPriceHeld", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(pan, 1))
		// The seller sells at its own fixed price; the supplier then raises its floor above
		// it: the listing variant is held (PRICE_HELD), not sold under the floor.
		if _, err := w.d.Owner.Exec(ctx, `UPDATE listing_variants SET fixed_price = 5000 WHERE id = $1`, pan.lv); err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.Owner.Exec(ctx, `UPDATE offer_variants SET minimum_resale_price = 5500 WHERE id = $1`, pan.variant); err != nil {
			t.Fatal(err)
		}
		w.receive(t, w.whMunich, pan, 1)
		_, err := w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: c.ID, Email: "a@b.example", ShippingAddress: munich, IdempotencyKey: "h", AcceptPriceChanges: true})
		wantField(t, err, "cartId")
		_, err = w.svc.AddCartLines(ctx, w.shopper(), c.ID, []fulfillment.CartLineInput{line(pan, 1)})
		wantField(t, err, "lines.0.listingVariantId")
	})

	t.Run("ErrLines", func(t *testing.T) {
		c := w.cart(t, w.shopper())
		for name, tc := range map[string]struct {
			lines []fulfillment.CartLineInput
			field string
		}{
			"ErrQuantityZero": {[]fulfillment.CartLineInput{line(mug, 0)}, "lines.0.quantity"},
			"ErrQuantityHigh": {[]fulfillment.CartLineInput{line(mug, 10000)}, "lines.0.quantity"},
			"ErrUnknown":      {[]fulfillment.CartLineInput{{ListingVariantID: uuid.New(), Quantity: 1}}, "lines.0.listingVariantId"},
			"ErrTwice":        {[]fulfillment.CartLineInput{line(mug, 1), line(mug, 1)}, "lines.1.listingVariantId"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.AddCartLines(ctx, w.shopper(), c.ID, tc.lines)
				wantField(t, err, tc.field)
			})
		}
	})

	t.Run("ErrOthersCart", func(t *testing.T) {
		mine := w.cart(t, w.customer(), line(mug, 1))
		_, err := w.svc.Cart(ctx, w.shopper(), mine.ID) // a shopper cannot use a customer's cart
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.AddCartLines(ctx, w.shopper(), mine.ID, []fulfillment.CartLineInput{line(mug, 1)})
		wantCode(t, err, apperr.ENOTFOUND)
		other := newWorldIn(t, w.d, "c2")
		_, err = w.svc.Cart(ctx, other.shopper(), mine.ID)
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.CreateCart(ctx, w.sel, nil)
		wantCode(t, err, apperr.EFORBIDDEN)
	})
}

func TestCustomerGroupPricing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4000, floor: i64p(3800)})[0]
	w.receive(t, w.whMunich, mug, 100)
	g := w.group(t, 100000, 10, 1000) // minimum order 1000.00; 10+ units: 10 % off, never under the floor
	if _, err := w.fed.AssignCustomerGroup(ctx, w.sel, w.cust.ID, g); err != nil {
		t.Fatal(err)
	}
	t.Run("OKTierNeverUnderFloor", func(t *testing.T) {
		c := w.cart(t, w.customer(), line(mug, 10))
		if got := c.Lines[0].UnitPrice; got != 3800 {
			t.Fatalf("unit price %d, want the floor 3800 (10%% off 4000 is 3600)", got)
		}
	})
	t.Run("ErrMinimumOrderValue", func(t *testing.T) {
		c := w.cart(t, w.customer(), line(mug, 1))
		_, err := w.svc.Checkout(ctx, w.customer(), fulfillment.CheckoutInput{CartID: c.ID, ShippingAddress: munich, IdempotencyKey: "m"})
		wantField(t, err, "cartId")
		if !contains(err.Error(), "minimum order value") {
			t.Fatalf("error %v", err)
		}
	})
}
