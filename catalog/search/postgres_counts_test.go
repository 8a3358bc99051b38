package search_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/pgtest"
)

// TestPostgresCounts checks the tables offer_search's triggers keep in step, after each
// kind of change the triggers must follow: that offer_search_counts equals offer_search
// regrouped and offer_search_regions equals it unnested, and that for every kind of
// caller the count and facets of a browse, which come from the counts, equal those of the
// live scan (a filter that matches every offer forces it), and a search by region, which
// reads offer_search_regions, equals the same search read from offer_search (a supplier
// filter naming every supplier forces that).
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
		const unnested = `SELECT s.consortium_id, s.offer_id, r, s.supplier_id, s.status, s.visibility, s.category_id, s.brand,
			s.wholesale, s.suggested_retail, s.ships_direct, s.in_warehouse, s.in_stock, s.created_at FROM offer_search s, unnest(s.regions) r`
		const regions = `SELECT consortium_id, offer_id, region, supplier_id, status, visibility, category_id, brand,
			wholesale, suggested_retail, ships_direct, in_warehouse, in_stock, created_at FROM offer_search_regions`
		var rows, extra, absent int
		if err := d.Owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM offer_search_regions),
			(SELECT count(*) FROM (`+regions+` EXCEPT `+unnested+`) x), (SELECT count(*) FROM (`+unnested+` EXCEPT `+regions+`) y)`).Scan(&rows, &extra, &absent); err != nil {
			t.Fatal(err)
		}
		if rows == 0 || extra != 0 || absent != 0 {
			t.Errorf("offer_search_regions: %d rows, %d differ from offer_search, %d missing", rows, extra, absent)
		}
		every := w.MemberIDs("alpha", "bravo", "charlie")
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
			for _, f := range []search.Filter{{ShipsTo: "FR"}, {ShipsTo: "AT"}, {ShipsTo: "DE", InStock: true}, {ShipsTo: "AT", WholesaleMax: ptr(int64(2500))}} {
				for _, sort := range []search.Sort{search.SortNewest, search.SortPriceAsc, search.SortMarginDesc} {
					q := search.Query{Filter: f, Sort: sort}
					regional, err := s.Search(ctx, p, q)
					if err != nil {
						t.Fatal(err)
					}
					q.Filter.SupplierIDs = every
					scanned, err := s.Search(ctx, p, q)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(regional.Hits, scanned.Hits) || regional.TotalCount != scanned.TotalCount ||
						!reflect.DeepEqual(regional.Facets, scanned.Facets) {
						t.Errorf("%q %+v %s: by region %d %+v, scanned %d %+v", who, f, sort, regional.TotalCount, regional.Hits, scanned.TotalCount, scanned.Hits)
					}
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
	t.Run("OKRegionsChange", func(t *testing.T) {
		// knife reaches AT instead of FR, board no longer from its warehouse, hose's
		// price changes: each offer's rows are rewritten. santoku's title changes, which
		// rewrites its offer_search row but nothing its region rows carry: they stay.
		exec(t, `UPDATE offer_variants SET ships_to_regions = '{DE,AT}' WHERE offer_id = $1`, w.Offers["knife"])
		exec(t, `UPDATE offers SET title = title || ' (new edition)' WHERE id = $1`, w.Offers["santoku"])
		exec(t, `DELETE FROM variant_warehouses WHERE variant_id IN (SELECT id FROM offer_variants WHERE offer_id = $1)`, w.Offers["board"])
		exec(t, `UPDATE offer_variants SET wholesale_price = wholesale_price + 1 WHERE offer_id = $1`, w.Offers["hose"])
		var before []string
		if err := d.Owner.QueryRow(ctx, `SELECT array_agg(ctid::text ORDER BY region) FROM offer_search_regions WHERE offer_id = $1`, w.Offers["santoku"]).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if err := s.Index(ctx, w.ConsortiumID, w.Offers["knife"], w.Offers["board"], w.Offers["hose"], w.Offers["santoku"]); err != nil {
			t.Fatal(err)
		}
		check(t)
		var after []string
		if err := d.Owner.QueryRow(ctx, `SELECT array_agg(ctid::text ORDER BY region) FROM offer_search_regions WHERE offer_id = $1`, w.Offers["santoku"]).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) || len(before) == 0 {
			t.Errorf("santoku's unchanged rows were rewritten: %v, then %v", before, after)
		}
	})
	t.Run("OKAgreementsLive", func(t *testing.T) {
		exec(t, `UPDATE sourcing_agreements SET status = 'APPROVED' WHERE seller_id = $1`, w.Members["shop2"])
		exec(t, `UPDATE sourcing_agreements SET status = 'REVOKED' WHERE seller_id = $1`, w.Members["shop1"])
		check(t)
	})
	t.Run("OKReindexWritesOnlyChanges", func(t *testing.T) {
		// Row versions (xmin) of both tables by offer: an unchanged offer's rows are
		// not rewritten by a full reindex; a changed one's are.
		versions := func(t *testing.T) map[string]string {
			t.Helper()
			out := map[string]string{}
			rows, err := d.Owner.Query(ctx, `SELECT s.offer_id, s.xmin::text || '/' || x.xmin::text
				FROM offer_search s JOIN offer_search_text x USING (consortium_id, offer_id)`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id uuid.UUID
				var v string
				if err := rows.Scan(&id, &v); err != nil {
					t.Fatal(err)
				}
				out[w.OfferName(id)] = v
			}
			return out
		}
		if _, err := s.Reindex(ctx, w.ConsortiumID); err != nil {
			t.Fatal(err)
		}
		before := versions(t)
		exec(t, `UPDATE offers SET description = description || ' Now with a sheath.' WHERE id = $1`, w.Offers["santoku"])
		n, err := s.Reindex(ctx, w.ConsortiumID)
		if err != nil {
			t.Fatal(err)
		}
		after := versions(t)
		for name, v := range before {
			if changed := after[name] != v; changed != (name == "santoku") {
				t.Errorf("%s: rows %s, then %s", name, v, after[name])
			}
		}
		if n != len(before) || len(after) != len(before) {
			t.Errorf("reindex reports %d offers; %d rows before, %d after", n, len(before), len(after))
		}
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

func ptr[T any](v T) *T { return &v }
