package federation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

var federationTables = []string{"pricing_rules", "storefront_pricing", "storefront_collections", "listings", "listing_variants",
	"customer_groups", "customer_group_tiers", "listing_variant_prices", "listing_changes"}

// TestIsolation fills two consortia (each with two sellers) with listings, rules,
// groups and feed rows, then reads and writes every federation table with raw SQL under
// every foreign scope — another consortium, another member, another storefront's
// frontends, the supplier — and through the service, and fails if anything crosses.
func TestIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	a, b := newWorldIn(t, d, "alpha"), newWorldIn(t, d, "beta")
	for _, w := range []*world{a, b} {
		offer, vids := w.offer(t, "Lamp", v{1000, 3000, nil})
		l := w.publish(t, offer, &federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 5000})
		name := "Shops"
		g, err := w.svc.CreateCustomerGroup(ctx, w.sel, federation.GroupInput{StorefrontID: w.sf.ID, Name: &name,
			Tiers: &[]federation.GroupTier{{MinQuantity: 5, DiscountBps: 100}}, Rule: &federation.Rule{Kind: "MARKUP_FIXED", Amount: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.CreateCollection(ctx, w.sel, federation.CollectionCreate{StorefrontID: w.sf.ID, Handle: "lamps", Title: "Lamps"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SetPricingRule(ctx, w.sel, federation.RuleTarget{Kind: "STOREFRONT", ID: w.sf.ID}, &federation.Rule{Kind: "SUGGESTED_RETAIL"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AssignCustomerGroup(ctx, w.sel, w.cust.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		w.exec(t, w.sup, `UPDATE offer_variants SET wholesale_price = 1100 WHERE id = $1`, vids[0])
		_ = l
		// the second seller lists the same offer in its own storefront
		if _, err := w.svc.PublishListing(ctx, w.sel2, federation.PublishInput{StorefrontID: w.sf2.ID, OfferID: offer}); err != nil {
			t.Fatal(err)
		}
	}
	// Every table holds rows of a's first storefront.
	for _, tbl := range federationTables {
		var n int
		if err := d.Owner.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE storefront_id = $1`, tbl), a.sf.ID).Scan(&n); err != nil || n == 0 {
			t.Fatalf("%s: %d rows of a's storefront (%v)", tbl, n, err)
		}
	}
	type scope struct {
		name string
		s    db.Scope
		// visible: tables this scope may read some of a.sf's rows from
		visible map[string]bool
	}
	scopes := []scope{
		{"other consortium's member", b.sel.Scope(), nil},
		{"other consortium's system", db.Scope{ConsortiumID: b.c.ID, Role: db.RoleSystem}, nil},
		{"other seller", a.sel2.Scope(), nil},
		{"supplier", a.sup.Scope(), nil},
		{"operator", a.op.Scope(), nil},
		{"other storefront's shopper", a.shopper(a.sf2).Scope(), nil},
		{"other storefront key", tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: a.c.ID, MemberID: a.sel2.MemberID, StorefrontID: a.sf2.ID}.Scope(), nil},
		{"own shopper", a.shopper(a.sf).Scope(), map[string]bool{"storefront_collections": true, "listings": true, "listing_variants": true}},
		{"own customer", a.customer().Scope(), map[string]bool{"storefront_collections": true, "listings": true, "listing_variants": true,
			"customer_groups": true, "customer_group_tiers": true, "listing_variant_prices": true}},
		{"unset", db.Scope{}, nil},
	}
	for _, sc := range scopes {
		for _, tbl := range federationTables {
			err := rollback(ctx, d, sc.s, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE storefront_id = $1`, tbl), a.sf.ID).Scan(&n); err != nil {
					return err
				}
				if n > 0 && !sc.visible[tbl] {
					return fmt.Errorf("reads %d rows", n)
				}
				if sc.visible[tbl] && n == 0 {
					return fmt.Errorf("reads none of its own")
				}
				tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET consortium_id = consortium_id WHERE storefront_id = $1`, tbl), a.sf.ID)
				if err == nil && tag.RowsAffected() > 0 {
					return fmt.Errorf("updates %d rows", tag.RowsAffected())
				}
				tag, err = tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE storefront_id = $1`, tbl), a.sf.ID)
				if err == nil && tag.RowsAffected() > 0 {
					return fmt.Errorf("deletes %d rows", tag.RowsAffected())
				}
				return nil
			})
			if err != nil {
				t.Errorf("%s on %s: %v", sc.name, tbl, err)
			}
		}
	}
	// Writing rows into a's storefront under foreign scopes is refused.
	for _, sc := range scopes[:7] {
		err := rollback(ctx, d, sc.s, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO pricing_rules (storefront_id, consortium_id, member_id, kind) VALUES ($1, $2, $3, 'SUGGESTED_RETAIL')`,
				a.sf.ID, a.c.ID, a.sel.MemberID)
			return err
		})
		if err == nil || !db.IsCheckViolation(err) {
			t.Errorf("%s inserts a rule into a's storefront: %v", sc.name, err)
		}
	}
	// The refresh entry point refuses storefronts the caller does not own.
	err := rollback(ctx, d, a.sel2.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT gm_federation_refresh_storefront($1, NULL)`, a.sf.ID)
		return err
	})
	if err == nil {
		t.Error("another seller refreshes a's storefront")
	}
	err = rollback(ctx, d, a.sel.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT gm_federation_refresh('storefront', $1, NULL, $2, NULL, NULL)`, a.c.ID, a.sf.ID)
		return err
	})
	if err == nil {
		t.Error("the application may call the internal refresh")
	}

	// Through the service: foreign principals see and change nothing of a's.
	ls, err := a.svc.Listings(ctx, a.sel, a.sf.ID, federation.ListingFilter{})
	if err != nil || len(ls.Listings) != 1 {
		t.Fatalf("own listings %v %v", ls, err)
	}
	own := ls.Listings[0]
	for name, p := range map[string]tenants.Principal{"other seller": a.sel2, "other consortium": b.sel, "supplier": a.sup,
		"other shopper": a.shopper(a.sf2), "other consortium shopper": b.shopper(b.sf)} {
		if got, err := a.svc.ListingsByIDs(ctx, p, []uuid.UUID{own.ID}); err != nil || got[0] != nil {
			t.Errorf("%s: ListingsByIDs = %v, %v", name, got[0], err)
		}
		if page, err := a.svc.Listings(ctx, p, a.sf.ID, federation.ListingFilter{}); err == nil && len(page.Listings) > 0 {
			t.Errorf("%s lists a's listings", name)
		}
		if vs, err := a.svc.VariantsOfListings(ctx, p, a.sf.ID, []uuid.UUID{own.ID}); err != nil || len(vs[0]) > 0 {
			t.Errorf("%s: variants %v %v", name, vs, err)
		}
		if _, err := a.svc.UpdateListing(ctx, p, own.ID, federation.ListingUpdate{}); !hiddenErr(err) {
			t.Errorf("%s updates a's listing: %v", name, err)
		}
		if _, err := a.svc.SetPricingRule(ctx, p, federation.RuleTarget{Kind: "LISTING", ID: own.ID}, nil); !hiddenErr(err) {
			t.Errorf("%s sets a's rule: %v", name, err)
		}
		if _, err := a.svc.SetPricingRule(ctx, p, federation.RuleTarget{Kind: "STOREFRONT", ID: a.sf.ID}, nil); !hiddenErr(err) {
			t.Errorf("%s sets a's storefront rule: %v", name, err)
		}
		if gs, err := a.svc.CustomerGroups(ctx, p, a.sf.ID); err != nil || len(gs) > 0 {
			t.Errorf("%s sees a's groups: %v %v", name, gs, err)
		}
		if _, err := a.svc.ListingChanges(ctx, p, a.sf.ID, 10, 0); err == nil {
			if page, _ := a.svc.ListingChanges(ctx, p, a.sf.ID, 10, 0); len(page.Changes) > 0 {
				t.Errorf("%s sees a's feed", name)
			}
		}
		if _, err := a.svc.PublishListing(ctx, p, federation.PublishInput{StorefrontID: a.sf.ID, OfferID: own.OfferID}); !hiddenErr(err) {
			t.Errorf("%s publishes into a's storefront: %v", name, err)
		}
	}
}

func hiddenErr(err error) bool {
	c := apperr.Code(err)
	return c == apperr.ENOTFOUND || c == apperr.EFORBIDDEN
}

var errRollback = errors.New("rollback")

func rollback(ctx context.Context, d *pgtest.DB, s db.Scope, fn func(tx pgx.Tx) error) error {
	err := db.InTx(ctx, d.App, s, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}
