package fulfillment_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
)

// TestOversell: 50 concurrent checkouts of one unit each of a variant with 10 units in
// one warehouse and no direct option: exactly 10 orders, 40 clear userErrors, stock
// never under zero.
func TestOversell(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	w.receive(t, w.whMunich, mug, 10)
	const n = 50
	carts := make([]*fulfillment.Cart, n)
	for i := range carts {
		carts[i] = w.cart(t, w.shopper(), line(mug, 1))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	orders := make([]*fulfillment.Order, n)
	for i := range carts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			orders[i], errs[i] = w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: carts[i].ID, Email: "a@b.example",
				ShippingAddress: munich, IdempotencyKey: fmt.Sprint("k", i)})
		}()
	}
	wg.Wait()
	ok, numbers := 0, map[int64]bool{}
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			numbers[orders[i].Number] = true
		case apperr.IsUserError(err) && strings.Contains(err.Error(), `"Mug"`):
		default:
			t.Errorf("checkout %d: %v (want an order or a userError naming the line)", i, err)
		}
	}
	if ok != 10 {
		t.Fatalf("%d checkouts succeeded, want exactly 10", ok)
	}
	for nr := int64(1001); nr <= 1010; nr++ {
		if !numbers[nr] {
			t.Errorf("order numbers %v are not 1001..1010", numbers)
			break
		}
	}
	if on, res := w.stock(t, w.whMunich, mug); on != 10 || res != 10 {
		t.Fatalf("stock on hand %d, reserved %d; want 10 and 10", on, res)
	}
	var moved int
	if err := w.d.Owner.QueryRow(ctx, `SELECT sum(reserved_delta) FROM stock_movements WHERE variant_id = $1`, mug.variant).Scan(&moved); err != nil || moved != 10 {
		t.Fatalf("movements reserve %d (%v), want 10", moved, err)
	}
}

// TestIdempotentCheckoutConcurrent: 10 concurrent identical checkouts make one order.
func TestIdempotentCheckoutConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	w.receive(t, w.whMunich, mug, 100)
	c := w.cart(t, w.customer(), line(mug, 3))
	const n = 10
	ids := make([]uuid.UUID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := w.svc.Checkout(ctx, w.customer(), fulfillment.CheckoutInput{CartID: c.ID, ShippingAddress: munich, IdempotencyKey: "once"})
			errs[i] = err
			if o != nil {
				ids[i] = o.ID
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("checkout %d: order %s, error %v; want order %s", i, ids[i], errs[i], ids[0])
		}
	}
	var orders, reserved int
	if err := w.d.Owner.QueryRow(ctx, `SELECT count(*), (SELECT reserved FROM warehouse_stock WHERE variant_id = $2) FROM orders WHERE cart_id = $1`,
		c.ID, mug.variant).Scan(&orders, &reserved); err != nil {
		t.Fatal(err)
	}
	if orders != 1 || reserved != 3 {
		t.Fatalf("%d orders, %d reserved; want 1 and 3", orders, reserved)
	}
}
