package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/tenants"
)

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	var sups []uuid.UUID
	for _, h := range []string{"acme-tools", "nordic-home", "sunrise-textiles"} {
		sups = append(sups, w.member(t, h, true, false).MemberID)
	}
	seller := w.member(t, "shop", false, true)

	// Through the app role: every part must pass RLS under its own scope.
	res, err := catalog.SeedDemo(ctx, w.d.App, w.c.ID, sups, catalog.SeedOptions{})
	ok(t, err)
	if res.Offers != 200 || res.Warehouses != 2 || res.Categories < 10 || res.Variants < 200 {
		t.Fatalf("first run %+v", res)
	}
	again, err := catalog.SeedDemo(ctx, w.d.Owner, w.c.ID, sups, catalog.SeedOptions{})
	ok(t, err)
	if again != (catalog.SeedResult{}) {
		t.Fatalf("second run created %+v", again)
	}

	var offers, suppliers, brands, cats, whOnly, directOnly, both, badGTIN int
	ok(t, w.d.Owner.QueryRow(ctx, `SELECT count(*), count(DISTINCT supplier_id), count(DISTINCT brand), count(DISTINCT category_id) FROM offers`).Scan(&offers, &suppliers, &brands, &cats))
	ok(t, w.d.Owner.QueryRow(ctx, `SELECT
		  count(*) FILTER (WHERE NOT ships_direct AND EXISTS (SELECT 1 FROM variant_warehouses w WHERE w.variant_id = v.id)),
		  count(*) FILTER (WHERE ships_direct AND NOT EXISTS (SELECT 1 FROM variant_warehouses w WHERE w.variant_id = v.id)),
		  count(*) FILTER (WHERE ships_direct AND EXISTS (SELECT 1 FROM variant_warehouses w WHERE w.variant_id = v.id)),
		  count(*) FILTER (WHERE NOT ships_direct AND NOT EXISTS (SELECT 1 FROM variant_warehouses w WHERE w.variant_id = v.id))
		FROM offer_variants v`).Scan(&whOnly, &directOnly, &both, &badGTIN))
	if offers != 200 || suppliers != 3 || brands < 6 || cats < 8 || whOnly == 0 || directOnly == 0 || both == 0 || badGTIN != 0 {
		t.Fatalf("offers %d suppliers %d brands %d categories %d; warehouse-only %d direct-only %d both %d neither %d",
			offers, suppliers, brands, cats, whOnly, directOnly, both, badGTIN)
	}

	// Every seeded variant passes the same rules as the API's, and a seller sees them.
	for _, sp := range sups {
		p := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: w.c.ID, MemberID: sp, Role: tenants.RoleOwner}
		os, _, err := w.svc.Offers(ctx, p, catalog.OfferFilter{Page: tenants.Page{First: 100}})
		ok(t, err)
		ids := make([]uuid.UUID, len(os))
		for i, o := range os {
			ids[i] = o.ID
		}
		vss, err := w.svc.VariantsByOfferIDs(ctx, p, ids)
		ok(t, err)
		for _, vs := range vss {
			for _, v := range vs {
				in := catalog.VariantCreate{SKU: v.SKU, GTIN: v.GTIN, Options: v.Options, WeightGrams: v.WeightGrams, Currency: v.Currency,
					Prices: v.VariantPrices, Availability: v.Availability, Quantity: v.Quantity, LeadTimeDays: v.LeadTimeDays,
					Direct: v.Direct, Warehouses: v.WarehouseHandles}
				if err := in.Validate("", "EUR"); err != nil {
					t.Fatalf("seeded %s is invalid: %v", v.SKU, err)
				}
			}
		}
		visible, _, err := w.svc.Offers(ctx, seller, catalog.OfferFilter{SupplierID: sp, Page: tenants.Page{First: 100}})
		ok(t, err)
		if len(visible) == 0 || len(visible) >= len(os)+1 {
			t.Fatalf("seller sees %d of %d offers", len(visible), len(os))
		}
	}
}
