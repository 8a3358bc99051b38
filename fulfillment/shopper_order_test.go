package fulfillment_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// TestShopperOrder: the anonymous shopper who placed an order reads it by ID and e-mail,
// without routing; every miss is nil (no error to probe with); only shoppers may ask.
func TestShopperOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 1)), "so-1") // e-mail anon@example.com
	mine := w.checkout(t, w.customer(), w.cart(t, w.customer(), line(lamp, 1)), "so-2")

	t.Run("OK", func(t *testing.T) {
		got, ships, err := w.svc.ShopperOrder(ctx, w.shopper(), o.ID, "  ANON@example.com ")
		if err != nil || got == nil || got.ID != o.ID || len(got.Lines) != 1 || len(ships) != 0 {
			t.Fatalf("got %+v, %v", got, err)
		}
		if got.Lines[0].Routing != nil {
			t.Fatalf("the shopper sees the routing: %+v", got.Lines[0].Routing)
		}
	})
	t.Run("ErrMissesAreNil", func(t *testing.T) {
		other := w.shopper()
		other.StorefrontID = uuid.New()
		for name, c := range map[string]struct {
			id    uuid.UUID
			email string
		}{
			"wrongEmail":    {o.ID, "someone@example.com"},
			"emptyEmail":    {o.ID, " "},
			"unknownID":     {uuid.New(), "anon@example.com"},
			"customerOrder": {mine.ID, mine.Email},
		} {
			if got, _, err := w.svc.ShopperOrder(ctx, w.shopper(), c.id, c.email); got != nil || err != nil {
				t.Errorf("%s: %+v, %v; want nil", name, got, err)
			}
		}
		if got, _, err := w.svc.ShopperOrder(ctx, other, o.ID, "anon@example.com"); got != nil || err != nil {
			t.Errorf("another storefront: %+v, %v; want nil", got, err)
		}
	})
	t.Run("ErrNotAShopper", func(t *testing.T) {
		if _, _, err := w.svc.ShopperOrder(ctx, w.storefrontKey(), o.ID, "anon@example.com"); apperr.Code(err) != apperr.EFORBIDDEN {
			t.Fatalf("storefront key: %v, want FORBIDDEN", err)
		}
	})
}
