package search_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/pgtest"
)

// TestPostgresCounts checks that the count and facets of a browse, which come from
// offer_search_counts, equal those of the live scan (a filter that matches every offer
// forces it) for every kind of caller, and that the counts equal offer_search regrouped,
// after each kind of change the triggers must follow.
func TestPostgresCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	w := searchtest.NewWorld(t, d)
	s := search.NewPostgres(d.App)
	if _, err := s.Reindex(ctx, w.ConsortiumID); err != nil {
		t.Fatal(err)
	}
	exec := func(t *testing.T, sql string, args ...any) {
		t.Helper()
		if _, err := d.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	zero := int64(0)
	check := func(t *testing.T) {
		t.Helper()
		var drift int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM (
			SELECT consortium_id, supplier_id, allow_list, category_id, brand, n, direct, warehouse FROM offer_search_counts WHERE n <> 0 OR direct <> 0 OR warehouse <> 0
			EXCEPT
			SELECT consortium_id, supplier_id, visibility = 'ALLOW_LIST', coalesce(category_id, '00000000-0000-0000-0000-000000000000'), brand,
			       count(*), count(*) FILTER (WHERE ships_direct), count(*) FILTER (WHERE in_warehouse)
			FROM offer_search WHERE status = 'ACTIVE' GROUP BY 1, 2, 3, 4, 5) x`).Scan(&drift); err != nil {
			t.Fatal(err)
		}
		var missing int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM (
			SELECT consortium_id, supplier_id, visibility = 'ALLOW_LIST', coalesce(category_id, '00000000-0000-0000-0000-000000000000'), brand,
			       count(*), count(*) FILTER (WHERE ships_direct), count(*) FILTER (WHERE in_warehouse)
			FROM offer_search WHERE status = 'ACTIVE' GROUP BY 1, 2, 3, 4, 5
			EXCEPT
			SELECT consortium_id, supplier_id, allow_list, category_id, brand, n, direct, warehouse FROM offer_search_counts) x`).Scan(&missing); err != nil {
			t.Fatal(err)
		}
		if drift != 0 || missing != 0 {
			t.Errorf("offer_search_counts: %d rows differ from offer_search, %d missing", drift, missing)
		}
		for _, who := range []string{"shop1", "shop2", "alpha", "bravo", "charlie", ""} {
			p := w.Operator()
			if who != "" {
				p = w.Member(who)
			}
			for _, f := range []search.Filter{{}, {CategoryPath: "home"}, {Brands: []string{"Kiru", "Cutco"}}, {SupplierIDs: w.MemberIDs("alpha", "charlie")}} {
				counted, err := s.Search(ctx, p, search.Query{Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				f.WholesaleMin = &zero
				scanned, err := s.Search(ctx, p, search.Query{Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				if counted.TotalCount != scanned.TotalCount || !reflect.DeepEqual(counted.Facets, scanned.Facets) {
					t.Errorf("%q %+v: counted %d %+v, scanned %d %+v", who, f, counted.TotalCount, counted.Facets, scanned.TotalCount, scanned.Facets)
				}
			}
		}
	}
	t.Run("OKIndexed", check)
	t.Run("OKStatusAndVisibilityChangeAtOnce", func(t *testing.T) {
		// offers' trigger copies them into offer_search before any job runs.
		exec(t, `UPDATE offers SET status = 'DISCONTINUED' WHERE id = $1`, w.Offers["hose"])
		exec(t, `UPDATE offers SET visibility = 'ALLOW_LIST' WHERE id = $1`, w.Offers["board"])
		exec(t, `INSERT INTO offer_visibility (consortium_id, offer_id, member_id) VALUES ($1, $2, $3)`, w.ConsortiumID, w.Offers["board"], w.Members["shop2"])
		check(t)
	})
	t.Run("OKReindexedChanges", func(t *testing.T) {
		exec(t, `UPDATE offers SET brand = 'Kiru', category_id = NULL WHERE id = $1`, w.Offers["bread"])
		exec(t, `UPDATE offers SET status = 'ACTIVE' WHERE id = $1`, w.Offers["prototype"])
		if err := s.Index(ctx, w.ConsortiumID, w.Offers["bread"], w.Offers["prototype"], w.Offers["hose"], w.Offers["board"]); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("OKAgreementsLive", func(t *testing.T) {
		exec(t, `UPDATE sourcing_agreements SET status = 'APPROVED' WHERE seller_id = $1`, w.Members["shop2"])
		exec(t, `UPDATE sourcing_agreements SET status = 'REVOKED' WHERE seller_id = $1`, w.Members["shop1"])
		check(t)
	})
	t.Run("OKDeleted", func(t *testing.T) {
		exec(t, `DELETE FROM offers WHERE id = $1`, w.Offers["knife"])
		check(t)
		if _, err := s.Reindex(ctx, w.ConsortiumID); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
}
