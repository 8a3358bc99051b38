package web_test

import (
	"encoding/json"
	"testing"

	"github.com/guildmart/guildmart/web/webtest"
)

// shippable is a hanse-shop listing of the supplier's that can be bought for delivery
// to Germany and goes supplier-direct (drop-ship, no warehouse holds it): its title,
// handle and the variant's options.
type shippable struct {
	Title, Handle string
	Options       map[string]string
}

func findShippable(t *testing.T, a *webtest.App, supplier string) shippable {
	t.Helper()
	var s shippable
	var opts []byte
	err := a.Owner.QueryRow(t.Context(), `
		SELECT l.handle, coalesce(l.title_override, o.title), lv.options
		FROM listings l
		JOIN storefronts s ON s.id = l.storefront_id
		JOIN offers o ON o.consortium_id = l.consortium_id AND o.id = l.offer_id
		JOIN members m ON m.id = o.supplier_id
		JOIN listing_variants lv ON lv.storefront_id = l.storefront_id AND lv.listing_id = l.id
		JOIN offer_variants v ON v.consortium_id = l.consortium_id AND v.id = lv.variant_id
		WHERE s.handle = 'hanse-shop' AND m.handle = $1 AND l.status = 'PUBLISHED' AND lv.stock_level = 'IN_STOCK'
		  AND v.status = 'ACTIVE' AND v.ships_direct AND v.availability = 'IN_STOCK' AND v.available_quantity >= 5
		  AND 'DE' = ANY (v.ships_to_regions)
		  AND NOT EXISTS (SELECT 1 FROM warehouse_stock ws WHERE ws.variant_id = v.id AND ws.on_hand > 0)
		ORDER BY l.handle, lv.position LIMIT 1`, supplier).Scan(&s.Handle, &s.Title, &opts)
	if err != nil {
		t.Fatalf("no drop-ship listing of %s in hanse-shop: %v", supplier, err)
	}
	if err := json.Unmarshal(opts, &s.Options); err != nil {
		t.Fatal(err)
	}
	return s
}
