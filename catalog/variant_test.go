package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestVariantWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	rival := w.member(t, "rival", true, false)
	o := mustOffer(t, w, sup, offerIn("knife", "KN-1"))
	v := mustVariants(t, w, sup, o.ID)[0]

	t.Run("OKCreateLogsNewVariant", func(t *testing.T) {
		nv, err := w.svc.CreateVariant(ctx, sup, o.ID, variantIn("KN-2"))
		ok(t, err)
		if nv.OfferID != o.ID || nv.Version != 1 || nv.Status != catalog.StatusActive {
			t.Fatalf("variant %+v", nv)
		}
		cs, _, err := w.svc.OfferChanges(ctx, sup, o.ID, tenants.Page{})
		ok(t, err)
		if len(cs) != 1 || *cs[0].VariantID != nv.ID || string(cs[0].Changes["wholesalePrice"].Old) != "null" ||
			string(cs[0].Changes["wholesalePrice"].New) != "1000" {
			t.Fatalf("changes %+v", cs)
		}
	})
	t.Run("OKPriceChangeBumpsAndLogs", func(t *testing.T) {
		price, floor := int64(1100), int64(1200)
		tiers := []catalog.Tier{{5, 1050}}
		got, err := w.svc.UpdateVariant(ctx, as(sup, tenants.RoleSupplierOps), v.ID, catalog.VariantUpdate{Wholesale: &price, MinimumResale: &floor, Tiers: &tiers})
		ok(t, err)
		if got.Version != 2 || got.Wholesale != 1100 || *got.MinimumResale != 1200 || len(got.Tiers) != 1 || got.Tiers[0] != (catalog.Tier{5, 1050}) {
			t.Fatalf("variant %+v", got)
		}
		cs, _, err := w.svc.OfferChanges(ctx, sup, o.ID, tenants.Page{})
		ok(t, err)
		last := cs[len(cs)-1]
		if *last.VariantID != v.ID || last.Version != 2 || string(last.Changes["wholesalePrice"].Old) != "1000" ||
			js(last.Changes["priceTiers"].New) != "[[5,1050]]" || string(last.Changes["minimumResalePrice"].Old) != "1500" ||
			len(last.Changes) != 3 {
			t.Fatalf("change %+v", last.Changes)
		}
	})
	t.Run("OKOtherFieldsDoNotBump", func(t *testing.T) {
		weight := 900
		whs := []string{w.wh("wh-south")}
		got, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{WeightGrams: &weight, Warehouses: &whs, NoDirect: true})
		ok(t, err)
		if got.Version != 2 || got.WeightGrams != 900 || got.Direct != nil || len(got.WarehouseHandles) != 1 || got.WarehouseHandles[0] != w.wh("wh-south") {
			t.Fatalf("variant %+v", got)
		}
	})
	t.Run("OKAvailabilityResetsQuantity", func(t *testing.T) {
		a, days := catalog.MadeToOrder, 10
		got, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{Availability: &a, LeadTimeDays: &days})
		ok(t, err)
		if got.Availability != a || got.Quantity != 0 || got.LeadTimeDays != 10 || got.Version != 3 {
			t.Fatalf("variant %+v", got)
		}
	})
	t.Run("ErrNoFulfilment", func(t *testing.T) {
		_, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{Warehouses: &[]string{}})
		wantCode(t, err, apperr.EINVALID, "warehouses")
	})
	t.Run("ErrFloorAboveRetail", func(t *testing.T) {
		floor := int64(5000)
		_, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{MinimumResale: &floor})
		wantCode(t, err, apperr.EINVALID, "minimumResalePrice")
	})
	t.Run("ErrUnknownWarehouse", func(t *testing.T) {
		_, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{Warehouses: &[]string{"nope"}})
		wantCode(t, err, apperr.EINVALID, "warehouses.0")
	})
	t.Run("ErrBadGTIN", func(t *testing.T) {
		g := "4006381333932"
		_, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{GTIN: &g})
		wantCode(t, err, apperr.EINVALID, "gtin")
	})
	t.Run("ErrOtherSupplier", func(t *testing.T) {
		price := int64(1)
		_, err := w.svc.UpdateVariant(ctx, rival, v.ID, catalog.VariantUpdate{Wholesale: &price})
		wantCode(t, err, apperr.ENOTFOUND, "")
		_, err = w.svc.CreateVariant(ctx, rival, o.ID, variantIn("RIVAL-1"))
		wantCode(t, err, apperr.ENOTFOUND, "")
		_, err = w.svc.DiscontinueVariant(ctx, rival, v.ID)
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("OKIdempotentCreate", func(t *testing.T) {
		in := variantIn("KN-IDEM")
		in.IdempotencyKey = "v-1"
		a, err := w.svc.CreateVariant(ctx, sup, o.ID, in)
		ok(t, err)
		b, err := w.svc.CreateVariant(ctx, sup, o.ID, in)
		ok(t, err)
		if a.ID != b.ID {
			t.Fatalf("retry created %s and %s", a.ID, b.ID)
		}
	})
	t.Run("ErrSKUTaken", func(t *testing.T) {
		_, err := w.svc.CreateVariant(ctx, sup, o.ID, variantIn("KN-1"))
		wantCode(t, err, apperr.ECONFLICT, "sku")
	})
	t.Run("OKSameSKUOtherSupplier", func(t *testing.T) {
		ro := mustOffer(t, w, rival, offerIn("r", "KN-1"))
		if len(mustVariants(t, w, rival, ro.ID)) != 1 {
			t.Fatal("rival has no variant")
		}
	})
	t.Run("OKDiscontinue", func(t *testing.T) {
		got, err := w.svc.DiscontinueVariant(ctx, sup, v.ID)
		ok(t, err)
		if got.Status != catalog.StatusDiscontinued || got.Version != 4 {
			t.Fatalf("variant %+v", got)
		}
		if _, err := w.svc.VariantBySKU(ctx, sup, "KN-1"); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.VariantBySKU(ctx, sup, "nope")
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrUnknownVariant", func(t *testing.T) {
		_, err := w.svc.DiscontinueVariant(ctx, sup, uuid.New())
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
}
