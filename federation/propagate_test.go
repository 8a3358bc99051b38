package federation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// TestPropagation changes the catalog the way suppliers do — plain UPDATEs under the
// supplier's own scope, as the catalog service, the importer and ERP availability calls
// issue them — and checks every listing reflects it in the same transaction.
func TestPropagation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	markup := &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000}
	changes := func(t *testing.T, l *federation.Listing) []*federation.ListingChange {
		t.Helper()
		page, err := w.svc.ListingChanges(ctx, w.sel, w.sf.ID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []*federation.ListingChange
		for _, c := range page.Changes {
			if c.ListingID == l.ID {
				out = append(out, c)
			}
		}
		return out
	}

	t.Run("OKWholesale", func(t *testing.T) {
		offer, vids := w.offer(t, "Kettle", v{1000, 3000, nil})
		l := w.publish(t, offer, markup)
		// a second storefront of another seller lists it too
		if _, err := w.svc.PublishListing(ctx, w.sel2, federation.PublishInput{StorefrontID: w.sf2.ID, OfferID: offer}); err != nil {
			t.Fatal(err)
		}
		w.exec(t, w.sup, `UPDATE offer_variants SET wholesale_price = 1200, version = version + 1 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.Price != 1800 || x.Status != "ACTIVE" {
			t.Fatalf("variant %+v", x)
		}
		cs := changes(t, l)
		if len(cs) != 2 || *cs[0].OldPrice != 1500 || cs[0].NewPrice != 1800 {
			t.Fatalf("feed %+v", cs[0])
		}
	})
	t.Run("OKTier", func(t *testing.T) {
		offer, vids := w.offer(t, "Mug", v{1000, 3000, nil})
		l := w.publish(t, offer, &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000, BasisQuantity: 10})
		w.exec(t, w.sup, `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price) VALUES ($1, $3, $2, 10, 800)`, w.c.ID, vids[0], w.sup.MemberID)
		if x := w.one(t, l); x.Price != 1200 {
			t.Fatalf("after tier insert %+v", x)
		}
		w.exec(t, w.sup, `UPDATE variant_price_tiers SET price = 900 WHERE variant_id = $1`, vids[0])
		if x := w.one(t, l); x.Price != 1350 {
			t.Fatalf("after tier update %+v", x)
		}
		w.exec(t, w.sup, `DELETE FROM variant_price_tiers WHERE variant_id = $1`, vids[0])
		if x := w.one(t, l); x.Price != 1500 {
			t.Fatalf("after tier delete %+v", x)
		}
	})
	t.Run("OKFloorRaiseHoldsFixedPrice", func(t *testing.T) {
		offer, vids := w.offer(t, "Teapot", v{1000, 3000, i64p(1200)})
		l, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer,
			Rule: &federation.Rule{Kind: "FIXED_PRICE", Amount: 1500}})
		if err != nil {
			t.Fatal(err)
		}
		w.exec(t, w.sup, `UPDATE offer_variants SET minimum_resale_price = 1600 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.Status != "PRICE_HELD" || x.Reason != "BELOW_MINIMUM_RESALE_PRICE" || x.Price != 1500 {
			t.Fatalf("variant %+v", x)
		}
		if _, err := w.svc.ListingByHandle(ctx, w.shopper(w.sf), w.sf.ID, l.Handle); err == nil {
			t.Fatal("shopper sees a held listing")
		}
		key := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.c.ID, MemberID: w.sel.MemberID, StorefrontID: w.sf.ID}
		if vs := w.variants(t, key, l); len(vs) != 0 {
			t.Fatal("a storefront key (frontend) gets a held price")
		}
		// wholesale above the fixed price: at a loss
		w.exec(t, w.sup, `UPDATE offer_variants SET minimum_resale_price = NULL, wholesale_price = 1600 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.Status != "PRICE_HELD" || x.Reason != "BELOW_COST" {
			t.Fatalf("variant %+v", x)
		}
		w.exec(t, w.sup, `UPDATE offer_variants SET wholesale_price = 1000 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.Status != "ACTIVE" {
			t.Fatalf("variant %+v", x)
		}
		if cs := changes(t, l); len(cs) != 4 || cs[0].NewStatus != "ACTIVE" || cs[2].NewStatus != "PRICE_HELD" {
			t.Fatalf("feed %d", len(cs))
		}
	})
	t.Run("OKDiscontinue", func(t *testing.T) {
		offer, vids := w.offer(t, "Jug", v{1000, 3000, nil}, v{1000, 3000, nil})
		l := w.publish(t, offer, nil)
		w.exec(t, w.sup, `UPDATE offer_variants SET status = 'DISCONTINUED' WHERE id = $1`, vids[1])
		vs := w.variants(t, w.sel, l)
		if vs[0].Status != "ACTIVE" || vs[1].Status != "UNAVAILABLE" || vs[1].Reason != "VARIANT_DISCONTINUED" {
			t.Fatalf("variants %+v %+v", vs[0], vs[1])
		}
		if got := w.variants(t, w.shopper(w.sf), l); len(got) != 1 {
			t.Fatalf("shopper sees %d variants", len(got))
		}
		w.exec(t, w.sup, `UPDATE offers SET status = 'DISCONTINUED' WHERE id = $1`, offer)
		if x := w.variants(t, w.sel, l)[0]; x.Status != "UNAVAILABLE" || x.Reason != "OFFER_DISCONTINUED" {
			t.Fatalf("variant %+v", x)
		}
	})
	t.Run("OKNewVariantJoins", func(t *testing.T) {
		offer, _ := w.offer(t, "Glass", v{1000, 3000, nil})
		all := w.publish(t, offer, markup)
		offer2, vids2 := w.offer(t, "Tumbler", v{1000, 3000, nil})
		chosen, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer2, VariantIDs: vids2})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []uuid.UUID{offer, offer2} {
			w.exec(t, w.sup, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price, available_quantity)
				VALUES ($1, $2, $3, $4, 'EUR', 2000, 4000, 10)`, w.c.ID, o, w.sup.MemberID, "NEW-"+o.String()[:8])
		}
		vs := w.variants(t, w.sel, all)
		if len(vs) != 2 || vs[1].Price != 3000 || vs[1].Status != "ACTIVE" || vs[1].Position != 2 {
			t.Fatalf("variants %+v", vs)
		}
		if vs := w.variants(t, w.sel, chosen); len(vs) != 1 {
			t.Fatalf("a listing of chosen variants grew: %d", len(vs))
		}
	})
	t.Run("OKAvailability", func(t *testing.T) {
		offer, vids := w.offer(t, "Bowl", v{1000, 3000, nil})
		l := w.publish(t, offer, nil)
		w.exec(t, w.sup, `UPDATE offer_variants SET available_quantity = 3 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.StockLevel != "LOW" || x.Status != "ACTIVE" {
			t.Fatalf("variant %+v", x)
		}
		w.exec(t, w.sup, `UPDATE offer_variants SET availability = 'OUT_OF_STOCK', available_quantity = 0 WHERE id = $1`, vids[0])
		if x := w.one(t, l); x.StockLevel != "OUT_OF_STOCK" || x.Status != "OUT_OF_STOCK" {
			t.Fatalf("variant %+v", x)
		}
		if got := w.variants(t, w.shopper(w.sf), l); len(got) != 1 || got[0].StockLevel != "OUT_OF_STOCK" {
			t.Fatalf("shopper variants %+v", got)
		}
	})
	t.Run("OKAgreementDiscountAndRevoke", func(t *testing.T) {
		sup := w.member(t, "picky", true, false)
		w.exec(t, sup, `INSERT INTO supplier_profiles (consortium_id, member_id, agreement_required) VALUES ($1, $2, true)`, w.c.ID, sup.MemberID)
		var agreement uuid.UUID
		w.as(t, w.sel, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO sourcing_agreements (consortium_id, supplier_id, seller_id) VALUES ($1, $2, $3) RETURNING id`,
				w.c.ID, sup.MemberID, w.sel.MemberID).Scan(&agreement)
		})
		w.exec(t, sup, `UPDATE sourcing_agreements SET status = 'APPROVED', discount_bps = 1000 WHERE id = $1`, agreement)
		saved := w.sup
		w.sup = sup
		offer, _ := w.offer(t, "Plate", v{1000, 3000, nil})
		w.sup = saved
		l := w.publish(t, offer, markup)
		if x := w.one(t, l); x.Price != 1350 { // (1000 − 10 %) × 1.5
			t.Fatalf("variant %+v", x)
		}
		w.exec(t, sup, `UPDATE sourcing_agreements SET discount_bps = 2000 WHERE id = $1`, agreement)
		if x := w.one(t, l); x.Price != 1200 {
			t.Fatalf("variant %+v", x)
		}
		w.exec(t, sup, `UPDATE sourcing_agreements SET status = 'REVOKED' WHERE id = $1`, agreement)
		if x := w.one(t, l); x.Status != "UNAVAILABLE" || x.Reason != "ACCESS_REVOKED" {
			t.Fatalf("variant %+v", x)
		}
		// the supplier hides its brand: storefronts stop showing it
		w.exec(t, sup, `UPDATE supplier_profiles SET show_brand = false WHERE member_id = $1`, sup.MemberID)
		ls, err := w.svc.ListingsByIDs(ctx, w.sel, []uuid.UUID{l.ID})
		if err != nil || ls[0].Brand != "" || ls[0].Vendor != "" {
			t.Fatalf("listing %+v %v", ls[0], err)
		}
	})
	t.Run("OKVisibility", func(t *testing.T) {
		offer, _ := w.offer(t, "Cup", v{1000, 3000, nil})
		l := w.publish(t, offer, nil)
		w.exec(t, w.sup, `UPDATE offers SET visibility = 'ALLOW_LIST' WHERE id = $1`, offer)
		if x := w.one(t, l); x.Reason != "ACCESS_REVOKED" {
			t.Fatalf("variant %+v", x)
		}
		// republishing an unavailable listing is refused with the reason
		if _, err := w.svc.UnpublishListings(ctx, w.sel, []uuid.UUID{l.ID}); err != nil {
			t.Fatal(err)
		}
		pub := "PUBLISHED"
		_, err := w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Status: &pub})
		if e := apperr.All(err); len(e) != 1 || !strings.Contains(e[0].Message, "ACCESS_REVOKED") {
			t.Fatalf("republish: %v", err)
		}
		w.exec(t, w.sup, `INSERT INTO offer_visibility (consortium_id, offer_id, member_id) VALUES ($1, $2, $3)`, w.c.ID, offer, w.sel.MemberID)
		if _, err := w.svc.UpdateListing(ctx, w.sel, l.ID, federation.ListingUpdate{Status: &pub}); err != nil {
			t.Fatal(err)
		}
		if x := w.one(t, l); x.Status != "ACTIVE" {
			t.Fatalf("variant %+v", x)
		}
	})
	t.Run("OKContent", func(t *testing.T) {
		offer, _ := w.offer(t, "Saucer", v{1000, 3000, nil})
		l := w.publish(t, offer, nil)
		w.exec(t, w.sup, `UPDATE offers SET title = 'Fine saucer', images = '{https://img.example/2.jpg}' WHERE id = $1`, offer)
		ls, err := w.svc.ListingsByIDs(ctx, w.shopper(w.sf), []uuid.UUID{l.ID})
		if err != nil || ls[0].Title != "Fine saucer" || ls[0].Images[0] != "https://img.example/2.jpg" {
			t.Fatalf("listing %+v %v", ls[0], err)
		}
	})
	t.Run("OKStorefrontRuleHolds", func(t *testing.T) {
		offer, _ := w.offer(t, "Tray", v{1000, 3000, i64p(2500)})
		l, err := w.svc.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.svc.SetPricingRule(ctx, w.sel, federation.RuleTarget{Kind: "STOREFRONT", ID: w.sf.ID}, &federation.Rule{Kind: "MARKUP_FIXED", Amount: 500})
		if err != nil {
			t.Fatal(err)
		}
		if x := w.one(t, l); x.Status != "PRICE_HELD" || res.HeldCount < 1 {
			t.Fatalf("variant %+v held %d", x, res.HeldCount)
		}
		if _, err := w.svc.SetPricingRule(ctx, w.sel, federation.RuleTarget{Kind: "STOREFRONT", ID: w.sf.ID}, nil); err != nil {
			t.Fatal(err)
		}
		if x := w.one(t, l); x.Status != "ACTIVE" || x.Price != 3000 {
			t.Fatalf("variant %+v", x)
		}
	})
}

// TestCustomerGroupPrices: a B2B group with its own rule sees its own prices; other
// customers and shoppers see the default.
func TestCustomerGroupPrices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	offer, vids := w.offer(t, "Case of mugs", v{1000, 3000, i64p(1100)})
	l := w.publish(t, offer, nil)
	name := "Shops"
	terms, mov := 30, int64(20000)
	g, err := w.svc.CreateCustomerGroup(ctx, w.sel, federation.GroupInput{StorefrontID: w.sf.ID, Name: &name, PaymentTermsDays: &terms,
		MinOrderValue: &mov, Tiers: &[]federation.GroupTier{{MinQuantity: 10, DiscountBps: 500}},
		Rule: &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 2000}})
	if err != nil {
		t.Fatal(err)
	}
	if g.PaymentTermsDays != 30 || len(g.Tiers) != 1 || g.RuleID == uuid.Nil {
		t.Fatalf("group %+v", g)
	}
	if _, err := w.svc.AssignCustomerGroup(ctx, w.sel, w.cust.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if x := w.variants(t, w.customer(), l)[0]; x.Price != 1200 {
		t.Fatalf("customer sees %+v", x)
	}
	if x := w.variants(t, w.shopper(w.sf), l)[0]; x.Price != 3000 {
		t.Fatalf("shopper sees %+v", x)
	}
	// propagation reaches group prices too; the floor holds the group's price back
	w.exec(t, w.sup, `UPDATE offer_variants SET wholesale_price = 1100, minimum_resale_price = 1400 WHERE id = $1`, vids[0])
	if got := w.variants(t, w.customer(), l); len(got) != 0 {
		t.Fatalf("customer sees a held group price %+v", got[0])
	}
	if x := w.one(t, l); x.Price != 3000 || x.Status != "ACTIVE" {
		t.Fatalf("default %+v", x)
	}
	// a price-list entry: the group's own fixed price for the variant, floor-checked
	lv := w.one(t, l)
	if _, err := w.svc.SetGroupPrices(ctx, w.sel, g.ID, []federation.GroupPrice{{ListingVariantID: lv.ID, Price: 1500}}); err != nil {
		t.Fatal(err)
	}
	if x := w.variants(t, w.customer(), l); len(x) != 1 || x[0].Price != 1500 {
		t.Fatalf("customer sees %+v", x)
	}
	_, err = w.svc.SetGroupPrices(ctx, w.sel, g.ID, []federation.GroupPrice{{ListingVariantID: lv.ID, Price: 1300}})
	wantCode(t, err, "INVALID")
	if x := w.variants(t, w.customer(), l); len(x) != 1 || x[0].Price != 1500 {
		t.Fatalf("half-written: customer sees %+v", x)
	}
	_, err = w.svc.SetGroupPrices(ctx, w.sel2, g.ID, []federation.GroupPrice{{ListingVariantID: lv.ID, Price: 1500}})
	wantCode(t, err, "NOT_FOUND")
	if _, err := w.svc.SetGroupPrices(ctx, w.sel, g.ID, []federation.GroupPrice{{ListingVariantID: lv.ID, Price: 0}}); err != nil {
		t.Fatal(err)
	}
	if x := w.variants(t, w.customer(), l); len(x) != 0 {
		t.Fatalf("entry removed: the group's held rule price applies again, got %+v", x)
	}
	// the customer sees its group
	mine, err := w.svc.CustomerGroupOf(ctx, w.customer())
	if err != nil || mine == nil || mine.ID != g.ID {
		t.Fatalf("group %+v %v", mine, err)
	}
	if got := federation.TierUnitPrice(1200, 10, g.Tiers, 1100); got != 1140 {
		t.Fatalf("tier price %d", got)
	}
	if got := federation.TierUnitPrice(1200, 10, g.Tiers, 1180); got != 1180 {
		t.Fatalf("tier price under floor %d", got)
	}
	t.Run("ErrForeignGroup", func(t *testing.T) {
		name := "Other"
		g2, err := w.svc.CreateCustomerGroup(ctx, w.sel2, federation.GroupInput{StorefrontID: w.sf2.ID, Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.AssignCustomerGroup(ctx, w.sel, w.cust.ID, g2.ID)
		wantCode(t, err, "INVALID")
		_, err = w.svc.AssignCustomerGroup(ctx, w.sel2, w.cust.ID, g2.ID)
		wantCode(t, err, "NOT_FOUND")
		_, err = w.svc.UpdateCustomerGroup(ctx, w.sel2, g.ID, federation.GroupInput{Name: &name})
		wantCode(t, err, "NOT_FOUND")
		_, err = w.svc.CreateCustomerGroup(ctx, w.sel, federation.GroupInput{StorefrontID: w.sf.ID, Name: &g.Name})
		wantCode(t, err, "CONFLICT")
	})
	_ = tenants.KindCustomer
}
