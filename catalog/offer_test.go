package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestCreateOffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)
	cat, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{Handle: "kitchen", Name: "Kitchen"})
	ok(t, err)

	t.Run("OK", func(t *testing.T) {
		in := offerIn("knife", "KN-1", "KN-2")
		in.CategoryID = &cat.ID
		in.Variants[1].Direct = nil
		in.Variants[1].Warehouses = []string{w.wh("wh-north"), w.wh("wh-south")}
		in.Variants[1].Availability, in.Variants[1].Quantity, in.Variants[1].LeadTimeDays = catalog.MadeToOrder, 99, 14
		o := mustOffer(t, w, sup, in)
		if o.SupplierID != sup.MemberID || o.Status != catalog.StatusActive || o.Version != 1 || *o.CategoryID != cat.ID ||
			len(o.Attributes) != 1 || o.Attributes[0] != (catalog.Attribute{Key: "material", Value: "steel"}) || len(o.Images) != 1 {
			t.Fatalf("offer %+v", o)
		}
		vs := mustVariants(t, w, sup, o.ID)
		if len(vs) != 2 {
			t.Fatalf("%d variants", len(vs))
		}
		v1, v2 := vs[0], vs[1]
		if v1.SKU != "KN-1" || v1.Currency != "EUR" || v1.Wholesale != 1000 || len(v1.Tiers) != 2 || v1.Tiers[1] != (catalog.Tier{100, 800}) ||
			v1.Direct == nil || v1.Direct.Region != "DE-BY" || len(v1.Direct.ShipsTo) != 2 || v1.GTIN != "4006381333931" ||
			v1.Quantity != 25 || len(v1.WarehouseIDs) != 0 || v1.EffectiveWholesale != 1000 {
			t.Fatalf("variant 1 %+v", v1)
		}
		if v2.Direct != nil || len(v2.WarehouseHandles) != 2 || v2.WarehouseHandles[0] != w.wh("wh-north") ||
			v2.Availability != catalog.MadeToOrder || v2.Quantity != 0 || v2.LeadTimeDays != 14 {
			t.Fatalf("variant 2 %+v", v2)
		}
	})
	t.Run("OKSupplierOpsDraftNoVariants", func(t *testing.T) {
		in := offerIn("draft")
		in.Status = ""
		o := mustOffer(t, w, as(sup, tenants.RoleSupplierOps), in)
		if o.Status != catalog.StatusDraft || o.Visibility != catalog.VisibilityConsortium {
			t.Fatalf("offer %+v", o)
		}
	})
	t.Run("OKGeneratedHandleAndIdempotent", func(t *testing.T) {
		in := offerIn("", "IDEM-1")
		in.IdempotencyKey = "k1"
		a := mustOffer(t, w, sup, in)
		b := mustOffer(t, w, sup, in)
		if a.ID != b.ID || a.Handle != a.ID.String() {
			t.Fatalf("idempotent create gave %s and %s (handle %q)", a.ID, b.ID, a.Handle)
		}
	})
	t.Run("ErrNotSupplier", func(t *testing.T) {
		_, err := w.svc.CreateOffer(ctx, seller, offerIn("x", "S-1"))
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrStorefrontPrincipal", func(t *testing.T) {
		p := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.c.ID, MemberID: sup.MemberID, StorefrontID: uuid.New(), Role: tenants.RoleStorefront}
		_, err := w.svc.CreateOffer(ctx, p, offerIn("x", "S-2"))
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrOperator", func(t *testing.T) {
		_, err := w.svc.CreateOffer(ctx, w.op, offerIn("x", "S-3"))
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrOtherCurrency", func(t *testing.T) {
		in := offerIn("usd", "USD-1")
		in.Variants[0].Currency = "USD"
		_, err := w.svc.CreateOffer(ctx, sup, in)
		wantCode(t, err, apperr.EINVALID, "variants.0.currency")
	})
	t.Run("ErrUnknownWarehouse", func(t *testing.T) {
		in := offerIn("wh", "WH-1")
		in.Variants[0].Warehouses = []string{w.wh("wh-north"), "nowhere"}
		_, err := w.svc.CreateOffer(ctx, sup, in)
		wantCode(t, err, apperr.EINVALID, "variants.0.warehouses.1")
	})
	t.Run("ErrUnknownCategory", func(t *testing.T) {
		in := offerIn("cat", "CAT-1")
		id := uuid.New()
		in.CategoryID = &id
		_, err := w.svc.CreateOffer(ctx, sup, in)
		wantCode(t, err, apperr.EINVALID, "categoryId")
	})
	t.Run("ErrUnknownAllowListMember", func(t *testing.T) {
		in := offerIn("al", "AL-1")
		in.Visibility, in.AllowList = catalog.VisibilityAllowList, []string{"shop", "ghost"}
		_, err := w.svc.CreateOffer(ctx, sup, in)
		wantCode(t, err, apperr.EINVALID, "allowList.1")
	})
	t.Run("ErrSKUTaken", func(t *testing.T) {
		_, err := w.svc.CreateOffer(ctx, sup, offerIn("again", "KN-1"))
		wantCode(t, err, apperr.ECONFLICT, "variants.0.sku")
	})
	t.Run("ErrHandleTaken", func(t *testing.T) {
		_, err := w.svc.CreateOffer(ctx, sup, offerIn("knife", "NEW-1"))
		wantCode(t, err, apperr.ECONFLICT, "handle")
	})
	t.Run("ErrActiveWithoutVariants", func(t *testing.T) {
		_, err := w.svc.CreateOffer(ctx, sup, offerIn("empty"))
		wantCode(t, err, apperr.EINVALID, "status")
	})
	t.Run("ErrNothingWrittenOnFailure", func(t *testing.T) {
		in := offerIn("half", "HALF-1", "HALF-2")
		in.Variants[1].Prices.Wholesale = -1
		_, err := w.svc.CreateOffer(ctx, sup, in)
		wantCode(t, err, apperr.EINVALID, "variants.1.wholesalePrice")
		var n int
		ok(t, w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM offers WHERE handle = 'half'`).Scan(&n))
		if n != 0 {
			t.Fatal("a failed create wrote an offer")
		}
	})
}

func TestUpdateOffer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	other := w.member(t, "rival", true, true)
	w.member(t, "shop", false, true)

	draft := offerIn("d")
	draft.Status = catalog.StatusDraft
	o := mustOffer(t, w, sup, draft)

	t.Run("ErrActivateWithoutVariants", func(t *testing.T) {
		st := catalog.StatusActive
		_, err := w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{Status: &st})
		wantCode(t, err, apperr.ECONFLICT, "status")
	})
	t.Run("OKContentDoesNotBumpVersion", func(t *testing.T) {
		title, brand := "New title", "Brandy"
		nilCat := uuid.Nil
		got, err := w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{Title: &title, Brand: &brand, CategoryID: &nilCat,
			Attributes: &[]catalog.Attribute{{"a", "1"}, {"b", "2"}}})
		ok(t, err)
		if got.Title != title || got.Brand != brand || len(got.Attributes) != 2 || got.Version != 1 {
			t.Fatalf("offer %+v", got)
		}
	})
	t.Run("OKActivateBumpsAndLogs", func(t *testing.T) {
		_, err := w.svc.CreateVariant(ctx, sup, o.ID, variantIn("D-1"))
		ok(t, err)
		st, vis := catalog.StatusActive, catalog.VisibilityAllowList
		got, err := w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{Status: &st, Visibility: &vis, AllowList: &[]string{"shop"}})
		ok(t, err)
		if got.Version != 2 || got.Status != st || got.Visibility != vis || len(got.AllowList) != 1 {
			t.Fatalf("offer %+v", got)
		}
		cs, _, err := w.svc.OfferChanges(ctx, sup, o.ID, tenants.Page{})
		ok(t, err)
		last := cs[len(cs)-1]
		if last.VariantID != nil || last.Version != 2 || last.Actor != catalog.Actor(sup) ||
			string(last.Changes["status"].Old) != `"DRAFT"` || string(last.Changes["status"].New) != `"ACTIVE"` ||
			len(last.Fields()) != 3 {
			t.Fatalf("change %+v %v", last, last.Fields())
		}
	})
	t.Run("ErrBackToDraft", func(t *testing.T) {
		st := catalog.StatusDraft
		_, err := w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{Status: &st})
		wantCode(t, err, apperr.ECONFLICT, "status")
	})
	t.Run("ErrOtherSuppliersOffer", func(t *testing.T) {
		title := "hijack"
		_, err := w.svc.UpdateOffer(ctx, other, o.ID, catalog.OfferUpdate{Title: &title})
		wantCode(t, err, apperr.ENOTFOUND, "")
		_, err = w.svc.DiscontinueOffer(ctx, other, o.ID)
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrStaffOfSellerOnlyMember", func(t *testing.T) {
		title := "x"
		_, err := w.svc.UpdateOffer(ctx, as(w.members["shop"], tenants.RoleStaff), o.ID, catalog.OfferUpdate{Title: &title})
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("OKDiscontinue", func(t *testing.T) {
		got, err := w.svc.DiscontinueOffer(ctx, as(sup, tenants.RoleStaff), o.ID)
		ok(t, err)
		if got.Status != catalog.StatusDiscontinued || got.Version != 3 {
			t.Fatalf("offer %+v", got)
		}
		// Visibility back to the consortium clears the allow-list.
		vis := catalog.VisibilityConsortium
		got, err = w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{Visibility: &vis})
		ok(t, err)
		if len(got.AllowList) != 0 || got.Version != 4 {
			t.Fatalf("offer %+v", got)
		}
	})
	t.Run("ErrAllowListWithConsortium", func(t *testing.T) {
		_, err := w.svc.UpdateOffer(ctx, sup, o.ID, catalog.OfferUpdate{AllowList: &[]string{"shop"}})
		wantCode(t, err, apperr.EINVALID, "allowList")
	})
}
