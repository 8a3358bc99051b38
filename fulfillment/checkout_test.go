package fulfillment_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/pgtest"
)

func TestCheckout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	pan := w.offer(t, w.sup, "Pan", v{wholesale: 2000, srp: 5999})[0]
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	w.receive(t, w.whMunich, mug, 5)
	w.receive(t, w.whMunich, pan, 5)

	t.Run("OK", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(mug, 2), line(pan, 1), line(lamp, 1))
		if got := c.Subtotal(); got != 2*4777+5999+8999 {
			t.Fatalf("cart subtotal %d", got)
		}
		o := w.checkout(t, w.shopper(), c, "k1")
		if o.Number != 1001 || o.Name() != "#1001" || o.Subtotal != 2*4777+5999+8999 || o.Status != fulfillment.StatusUnfulfilled {
			t.Fatalf("order %+v", o)
		}
		if o.Lines[0].Routing != nil {
			t.Fatal("a shopper sees routing")
		}
		seen := w.order(t, o.ID)
		for i, want := range []string{"WAREHOUSE", "WAREHOUSE", "SUPPLIER"} {
			r := seen.Lines[i].Routing
			if r == nil || r.Kind != want {
				t.Fatalf("line %d routing %+v, want %s", i, r, want)
			}
		}
		if r := seen.Lines[0].Routing.Reason; !strings.Contains(r, "warehouse munich consolidates 2 of 3 lines") {
			t.Errorf("reason %q", r)
		}
		if on, res := w.stock(t, w.whMunich, mug); on != 5 || res != 2 {
			t.Errorf("mug stock %d/%d, want 5 on hand, 2 reserved", on, res)
		}
		fos := w.fos(t, o)
		if len(fos) != 2 || fos[0].Kind != fulfillment.KindWarehouse || fos[1].Kind != fulfillment.KindSupplier ||
			fos[1].SupplierID != w.sup2.MemberID || len(fos[0].Lines) != 2 || fos[1].Lines[0].UnitCost != 3000 {
			t.Fatalf("fulfillment orders %+v", fos)
		}
		if fos[1].SLADueAt == nil {
			t.Error("a supplier order without SLA")
		}
		// The next order of the storefront is the next number.
		o2 := w.checkout(t, w.customer(), w.cart(t, w.customer(), line(lamp, 1)), "k1")
		if o2.Number != 1002 || o2.Email != "buyer@c1.example" {
			t.Fatalf("second order %d %s", o2.Number, o2.Email)
		}
	})

	t.Run("OKReplay", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(lamp, 1))
		o1 := w.checkout(t, w.shopper(), c, "same")
		o2 := w.checkout(t, w.shopper(), c, "same")
		if o1.ID != o2.ID || o1.Number != o2.Number {
			t.Fatalf("replay made another order: %d vs %d", o1.Number, o2.Number)
		}
	})

	t.Run("ErrValidation", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(lamp, 1))
		for name, tc := range map[string]struct {
			in    fulfillment.CheckoutInput
			field string
		}{
			"ErrKeyRequired":   {fulfillment.CheckoutInput{CartID: c.ID, ShippingAddress: munich}, "idempotencyKey"},
			"ErrCountry":       {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", ShippingAddress: with(munich, func(a *fulfillment.Address) { a.Country = "Germany" })}, "shippingAddress.country"},
			"ErrRegion":        {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", ShippingAddress: with(munich, func(a *fulfillment.Address) { a.Region = "AT-9" })}, "shippingAddress.region"},
			"ErrLatitude":      {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", ShippingAddress: with(munich, func(a *fulfillment.Address) { a.Latitude = 91 })}, "shippingAddress.latitude"},
			"ErrName":          {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", ShippingAddress: with(munich, func(a *fulfillment.Address) { a.Name = " " })}, "shippingAddress.name"},
			"ErrEmail":         {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", Email: "nope", ShippingAddress: munich}, "email"},
			"ErrEmailRequired": {fulfillment.CheckoutInput{CartID: c.ID, IdempotencyKey: "x", ShippingAddress: munich}, "email"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.Checkout(ctx, w.shopper(), tc.in)
				wantField(t, err, tc.field)
			})
		}
	})

	t.Run("ErrEmptyCart", func(t *testing.T) {
		_, err := w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: w.cart(t, w.shopper()).ID, Email: "a@b.example",
			ShippingAddress: munich, IdempotencyKey: "e"})
		wantField(t, err, "cartId")
	})

	t.Run("ErrNoRoute", func(t *testing.T) {
		// Vienna: no warehouse serves AT, the mug has no direct option, the lamp ships to DE only.
		c := w.cart(t, w.shopper(), line(mug, 1), line(lamp, 1))
		_, err := w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: c.ID, Email: "a@b.example", ShippingAddress: vienna, IdempotencyKey: "v"})
		all := apperr.All(err)
		if len(all) != 2 || !strings.Contains(all[0].Message, `"Mug" is out of stock for delivery to AT-9`) || !strings.Contains(all[1].Message, `"Lamp" cannot be delivered to AT-9`) {
			t.Fatalf("errors %v", err)
		}
	})

	t.Run("ErrCartCheckedOut", func(t *testing.T) {
		c := w.cart(t, w.shopper(), line(lamp, 1))
		w.checkout(t, w.shopper(), c, "a")
		_, err := w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: c.ID, Email: "a@b.example", ShippingAddress: munich, IdempotencyKey: "b"})
		wantCode(t, err, apperr.ECONFLICT)
		_, err = w.svc.AddCartLines(ctx, w.shopper(), c.ID, []fulfillment.CartLineInput{line(mug, 1)})
		wantCode(t, err, apperr.ECONFLICT)
	})
}

func with(a fulfillment.Address, f func(*fulfillment.Address)) fulfillment.Address {
	f(&a)
	return a
}

func wantField(t testing.TB, err error, field string) {
	t.Helper()
	for _, e := range apperr.All(err) {
		if strings.Join(e.Field, ".") == field {
			return
		}
	}
	t.Fatalf("got %v, want an error on %s", err, field)
}

// TestOrderNumbersPerStorefront: every storefront numbers its own orders from #1001 (a
// sequence each, created with the storefront), in one database.
func TestOrderNumbersPerStorefront(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	a, b := newWorldIn(t, d, "c1"), newWorldIn(t, d, "c2")
	lampA := a.offer(t, a.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	lampB := b.offer(t, b.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	var got []int64
	for _, step := range []struct {
		w  *world
		it item
	}{{a, lampA}, {b, lampB}, {a, lampA}, {a, lampA}, {b, lampB}} {
		got = append(got, step.w.checkout(t, step.w.shopper(), step.w.cart(t, step.w.shopper(), line(step.it, 1)), "k").Number)
	}
	if want := []int64{1001, 1001, 1002, 1003, 1002}; !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
}
