package federation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestPublishListing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)

	t.Run("OK", func(t *testing.T) {
		offer, vids := w.offer(t, "Chef's Knife 20 cm", v{1000, 2500, nil}, v{1200, 2900, nil})
		l, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer,
			Rule: &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000, Rounding: "CHARM_99"}})
		if err != nil {
			t.Fatal(err)
		}
		if l.Title != "Chef's Knife 20 cm" || !strings.HasPrefix(l.Handle, "chef-s-knife-20-cm-") || l.Status != "PUBLISHED" || l.RuleID == uuid.Nil {
			t.Fatalf("listing %+v", l)
		}
		vs := w.variants(t, w.sel, l)
		if len(vs) != 2 || vs[0].VariantID != vids[0] || vs[0].Price != 1599 || vs[1].Price != 1899 || vs[0].Status != "ACTIVE" {
			t.Fatalf("variants %+v %+v", vs[0], vs[1])
		}
		if vs[0].CompareAt == nil || *vs[0].CompareAt != 2500 || vs[0].StockLevel != "IN_STOCK" || vs[0].Options[0].Value != "S0" {
			t.Fatalf("variant %+v", vs[0])
		}
	})
	t.Run("OKChosenVariantsOwnPrice", func(t *testing.T) {
		offer, vids := w.offer(t, "Paring Knife", v{500, 1500, nil}, v{600, 1600, nil})
		title := "Our paring knife"
		l, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer, Handle: "paring",
			Title: &title, VariantIDs: []uuid.UUID{vids[1]}, Prices: []federation.VariantPrice{{VariantID: vids[1], Price: 1234}}})
		if err != nil {
			t.Fatal(err)
		}
		if l.Handle != "paring" || l.Title != title {
			t.Fatalf("listing %+v", l)
		}
		if x := w.one(t, l); x.VariantID != vids[1] || x.Price != 1234 || *x.FixedPrice != 1234 {
			t.Fatalf("variant %+v", x)
		}
	})
	t.Run("OKDefaultIsSuggestedRetail", func(t *testing.T) {
		offer, _ := w.offer(t, "Bread Knife", v{800, 1999, nil})
		if x := w.one(t, w.publish(t, offer, nil)); x.Price != 1999 || x.CompareAt != nil {
			t.Fatalf("variant %+v", x)
		}
	})
	t.Run("ErrUnderFloor", func(t *testing.T) {
		offer, _ := w.offer(t, "Santoku", v{1000, 3000, i64p(2000)})
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer,
			Rule: &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000}})
		wantCode(t, err, apperr.EINVALID)
		if e := apperr.All(err)[0]; e.Field[0] != "pricingRule" || !strings.Contains(e.Message, "minimum resale price 20.00") {
			t.Fatalf("error %+v", e)
		}
		var n int
		if err := w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM listings WHERE offer_id = $1`, offer).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d listings written (%v)", n, err)
		}
		// CLAMP raises the price to the floor instead.
		l, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer,
			Rule: &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000, ClampToFloor: true}})
		if err != nil {
			t.Fatal(err)
		}
		if x := w.one(t, l); x.Price != 2000 || x.Status != "ACTIVE" || x.Reason != "CLAMPED_TO_MINIMUM_RESALE_PRICE" {
			t.Fatalf("variant %+v", x)
		}
	})
	t.Run("ErrFixedAtLoss", func(t *testing.T) {
		offer, vids := w.offer(t, "Cleaver", v{1000, 3000, nil})
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer,
			Prices: []federation.VariantPrice{{VariantID: vids[0], Price: 900}}})
		wantCode(t, err, apperr.EINVALID)
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		offer, _ := w.offer(t, "Peeler", v{100, 300, nil})
		w.publish(t, offer, nil)
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		wantCode(t, err, apperr.ECONFLICT)
	})
	t.Run("ErrNotEntitled", func(t *testing.T) {
		offer, _ := w.offer(t, "Secret", v{100, 300, nil})
		w.exec(t, w.sup, `UPDATE offers SET visibility = 'ALLOW_LIST' WHERE id = $1`, offer)
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: uuid.New()})
		wantCode(t, err, apperr.ENOTFOUND)
	})
	t.Run("ErrNotOwnStorefront", func(t *testing.T) {
		offer, _ := w.offer(t, "Whetstone", v{100, 300, nil})
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf2.ID, OfferID: offer})
		wantCode(t, err, apperr.ENOTFOUND)
	})
	t.Run("ErrSupplierOps", func(t *testing.T) {
		offer, _ := w.offer(t, "Strop", v{100, 300, nil})
		p := w.sel
		p.Role = tenants.RoleSupplierOps
		_, err := w.svc.PublishListing(ctx, p, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		wantCode(t, err, apperr.EFORBIDDEN)
		_, err = w.svc.PublishListing(ctx, w.shopper(w.sf), federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		wantCode(t, err, apperr.EFORBIDDEN)
	})
	t.Run("ErrValidation", func(t *testing.T) {
		offer, _ := w.offer(t, "Honing Rod", v{100, 300, nil})
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer, Handle: "Bad Handle",
			Rule: &federation.Rule{Kind: "NOPE"}, VariantIDs: []uuid.UUID{uuid.New()}})
		if len(apperr.All(err)) != 2 {
			t.Fatalf("errors %v", err)
		}
		_, err = w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer, VariantIDs: []uuid.UUID{uuid.New()}})
		if e := apperr.All(err); len(e) != 1 || strings.Join(e[0].Field, ".") != "variantIds.0" {
			t.Fatalf("errors %v", err)
		}
	})
	t.Run("ErrDiscontinued", func(t *testing.T) {
		offer, _ := w.offer(t, "Old", v{100, 300, nil})
		w.exec(t, w.sup, `UPDATE offers SET status = 'DISCONTINUED' WHERE id = $1`, offer)
		_, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		wantCode(t, err, apperr.EINVALID)
	})
}

func TestPublishListingsBulk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	var offers []uuid.UUID
	for i := range 30 {
		o, _ := w.offer(t, "Bulk item", v{int64(100 + i), 500, nil}, v{200, 600, nil})
		offers = append(offers, o)
	}
	t.Run("OK", func(t *testing.T) {
		w.d.Counter.Reset()
		res, err := w.svc.PublishListings(ctx, w.sel, federation.BulkPublishInput{StorefrontID: w.sf.ID, OfferIDs: offers[:20],
			Rule: &federation.Rule{Kind: "MARKUP_FIXED", Amount: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.ListingIDs) != 20 {
			t.Fatalf("%d listings", len(res.ListingIDs))
		}
		if n := w.d.Counter.Count(); n > 20 {
			t.Errorf("%d statements for 20 offers: not set-based", n)
		}
		vs, err := w.svc.VariantsOfListings(ctx, w.sel, w.sf.ID, res.ListingIDs)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range vs {
			if len(l) != 2 || l[1].Price != 300 || l[0].Status != "ACTIVE" {
				t.Fatalf("variants %+v", l)
			}
		}
	})
	t.Run("ErrDuplicateAndUnknown", func(t *testing.T) {
		_, err := w.svc.PublishListings(ctx, w.sel, federation.BulkPublishInput{StorefrontID: w.sf.ID, OfferIDs: []uuid.UUID{offers[20], offers[0], uuid.New()}})
		errs := apperr.All(err)
		if len(errs) != 2 || strings.Join(errs[0].Field, ".") != "offerIds.1" || errs[0].Code != apperr.ECONFLICT || strings.Join(errs[1].Field, ".") != "offerIds.2" {
			t.Fatalf("errors %v", err)
		}
	})
	t.Run("OKFilterSkipsListed", func(t *testing.T) {
		res, err := w.svc.PublishListings(ctx, w.sel, federation.BulkPublishInput{StorefrontID: w.sf.ID,
			Filter: &federation.OfferFilter{SupplierID: w.sup.MemberID, Query: "bulk"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.ListingIDs) != 10 || res.Skipped != 20 {
			t.Fatalf("published %d, skipped %d", len(res.ListingIDs), res.Skipped)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		_, err := w.svc.PublishListings(ctx, w.sel, federation.BulkPublishInput{StorefrontID: w.sf.ID, OfferIDs: make([]uuid.UUID, 1001)})
		wantCode(t, err, apperr.EINVALID)
	})
}

func TestUpdateAndUnpublish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	offer, _ := w.offer(t, "Pan", v{1000, 3000, i64p(1500)})
	l := w.publish(t, offer, nil)

	t.Run("OK", func(t *testing.T) {
		title := "Great pan"
		l2, err := w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Title: &title, Rule: &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 10000}})
		if err != nil {
			t.Fatal(err)
		}
		if l2.Title != "Great pan" || w.one(t, l2).Price != 2000 {
			t.Fatalf("listing %+v variant %+v", l2, w.one(t, l2))
		}
		empty := ""
		if l2, err = w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Title: &empty, ClearRule: true}); err != nil {
			t.Fatal(err)
		}
		if l2.Title != "Pan" || l2.RuleID != uuid.Nil || w.one(t, l2).Price != 3000 {
			t.Fatalf("listing %+v", l2)
		}
	})
	t.Run("ErrUnderFloor", func(t *testing.T) {
		_, err := w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Rule: &federation.Rule{Kind: "FIXED_PRICE", Amount: 1400}})
		wantCode(t, err, apperr.EINVALID)
		if x := w.one(t, l); x.Price != 3000 {
			t.Fatalf("half-written: %+v", x)
		}
	})
	t.Run("ErrForeign", func(t *testing.T) {
		_, err := w.svc.UpdateListing(ctx, w.sel2, l.ID, federation.ListingUpdate{})
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.UnpublishListings(ctx, w.sel2, []uuid.UUID{l.ID})
		wantCode(t, err, apperr.ENOTFOUND)
	})
	t.Run("OKUnpublishRepublish", func(t *testing.T) {
		n, err := w.svc.UnpublishListings(ctx, w.sel, []uuid.UUID{l.ID})
		if err != nil || n != 1 {
			t.Fatalf("%d, %v", n, err)
		}
		if x := w.one(t, l); x.Status != "UNPUBLISHED" {
			t.Fatalf("variant %+v", x)
		}
		if _, err := w.svc.ListingByHandle(ctx, w.shopper(w.sf), w.sf.ID, l.Handle); apperr.Code(err) != apperr.ENOTFOUND {
			t.Fatalf("shopper sees unpublished listing: %v", err)
		}
		pub := "PUBLISHED"
		if _, err := w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Status: &pub}); err != nil {
			t.Fatal(err)
		}
		if x := w.one(t, l); x.Status != "ACTIVE" {
			t.Fatalf("variant %+v", x)
		}
	})
}

func TestPublishListingsByCategory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	var root, child uuid.UUID
	if err := w.d.Owner.QueryRow(ctx, `INSERT INTO categories (consortium_id, handle, name, path) VALUES ($1, 'kitchen', 'Kitchen', 'kitchen') RETURNING id`, w.c.ID).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := w.d.Owner.QueryRow(ctx, `INSERT INTO categories (consortium_id, parent_id, handle, name, path) VALUES ($1, $2, 'knives', 'Knives', 'kitchen/knives') RETURNING id`, w.c.ID, root).Scan(&child); err != nil {
		t.Fatal(err)
	}
	a, _ := w.offer(t, "In child", v{100, 300, nil})
	b, _ := w.offer(t, "In root", v{100, 300, nil})
	w.offer(t, "Elsewhere", v{100, 300, nil})
	w.exec(t, w.sup, `UPDATE offers SET category_id = $2 WHERE id = $1`, a, child)
	w.exec(t, w.sup, `UPDATE offers SET category_id = $2 WHERE id = $1`, b, root)
	res, err := w.svc.PublishListings(ctx, w.sel, federation.BulkPublishInput{StorefrontID: w.sf.ID, Filter: &federation.OfferFilter{CategoryID: root}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ListingIDs) != 2 {
		t.Fatalf("published %d", len(res.ListingIDs))
	}
	// the storefront filters by category path, descendants included
	page, err := w.svc.Listings(ctx, w.shopper(w.sf), w.sf.ID, federation.ListingFilter{Category: "kitchen/knives"})
	if err != nil || len(page.Listings) != 1 || page.Listings[0].Title != "In child" {
		t.Fatalf("page %+v %v", page, err)
	}
	page, err = w.svc.Listings(ctx, w.shopper(w.sf), w.sf.ID, federation.ListingFilter{Category: "kitchen", Sort: "TITLE"})
	if err != nil || len(page.Listings) != 2 || page.Listings[0].Title != "In child" {
		t.Fatalf("page %+v %v", page, err)
	}
	page, err = w.svc.Listings(ctx, w.shopper(w.sf), w.sf.ID, federation.ListingFilter{First: 1, Sort: "TITLE"})
	if err != nil || len(page.Listings) != 1 || !page.HasNext {
		t.Fatalf("page %+v %v", page, err)
	}
	next, err := w.svc.Listings(ctx, w.shopper(w.sf), w.sf.ID, federation.ListingFilter{First: 5, Sort: "TITLE", After: page.Cursors[0]})
	if err != nil || len(next.Listings) != 1 || next.HasNext || next.Listings[0].ID == page.Listings[0].ID {
		t.Fatalf("next %+v %v", next, err)
	}
}
