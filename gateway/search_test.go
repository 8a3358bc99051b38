package gateway_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/gateway"
)

// withSearch serves w with the catalog and the PostgreSQL search backend, after seeding
// two active offers and a draft of one-supplier (straight into the tables) and indexing.
func withSearch(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	c1, sup := w.c1.ID, w.members["one-supplier"].ID
	for _, sql := range []string{
		`INSERT INTO categories (consortium_id, handle, name, path) SELECT $1, 'kitchen', 'Kitchen', 'kitchen' WHERE $2::uuid IS NOT NULL`,
		`INSERT INTO offers (consortium_id, supplier_id, handle, title, brand, status, category_id)
		 SELECT $1, $2, h, t, b, s, (SELECT id FROM categories WHERE consortium_id = $1)
		 FROM (VALUES ('knife', 'Chef Knife', 'Kiru', 'ACTIVE'), ('board', 'Oak Board', 'Woodly', 'ACTIVE'),
		              ('draft', 'Draft Knife', 'Kiru', 'DRAFT')) v(h, t, b, s)`,
		`INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price,
		   available_quantity, ships_direct, ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions)
		 SELECT consortium_id, id, supplier_id, upper(handle) || '-1', 'EUR', CASE handle WHEN 'knife' THEN 4000 ELSE 1000 END,
		   CASE handle WHEN 'knife' THEN 10000 ELSE 1500 END, 5, true, 52.5, 13.4, 'DE', '{DE}'
		 FROM offers WHERE consortium_id = $1 AND supplier_id = $2`,
	} {
		if _, err := w.db.Owner.Exec(ctx, sql, c1, sup); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	s := search.NewPostgres(w.db.App)
	if _, err := s.Reindex(ctx, c1); err != nil {
		t.Fatal(err)
	}
	srv, err := gateway.NewServer(gateway.Config{Introspection: true}, gateway.Services{Pool: w.db.App, Tenants: w.svc,
		Catalog: catalog.NewService(w.db.App, nil), Search: s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
}

const catalogSearchQuery = `query($q: String, $f: CatalogSearchFilter, $first: Int, $after: String) {
  catalogSearch(query: $q, filter: $f, sort: MARGIN_DESC, first: $first, after: $after) {
    totalCount
    edges { cursor node { title supplier { handle } } effectiveWholesale { amount currencyCode } discountBps
      suggestedRetail { amount } margin { amount } marginPercent }
    pageInfo { hasNextPage endCursor }
    facets { category { value count } brand { value count } supplier { value count } fulfillmentMode { value count } } } }`

func TestCatalogSearch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	withSearch(t, w)
	t.Run("OK", func(t *testing.T) {
		d := w.ok("one-seller", catalogSearchQuery, map[string]any{"first": 1})
		r := dig(d, "catalogSearch").(map[string]any)
		if r["totalCount"] != 2.0 || dig(r, "pageInfo", "hasNextPage") != true {
			t.Fatalf("result %v", r)
		}
		e := r["edges"].([]any)[0]
		if dig(e, "node", "title") != "Chef Knife" || dig(e, "node", "supplier", "handle") != "one-supplier" ||
			dig(e, "effectiveWholesale", "amount") != "40.00" || dig(e, "effectiveWholesale", "currencyCode") != "EUR" ||
			dig(e, "margin", "amount") != "60.00" || dig(e, "suggestedRetail", "amount") != "100.00" ||
			dig(e, "marginPercent") != 60.0 || dig(e, "discountBps") != 0.0 {
			t.Errorf("edge %v", e)
		}
		supplier := w.gid("Member", w.members["one-supplier"].ID.String())
		f := dig(r, "facets")
		if got := dig(f, "supplier").([]any); len(got) != 1 || dig(got[0], "value") != supplier || dig(got[0], "count") != 2.0 {
			t.Errorf("supplier facet %v", got)
		}
		if got := dig(f, "fulfillmentMode").([]any); len(got) != 1 || dig(got[0], "value") != "DIRECT" {
			t.Errorf("mode facet %v", got)
		}
		if got := dig(f, "category").([]any); len(got) != 1 || dig(got[0], "value") != "kitchen" || dig(got[0], "count") != 2.0 {
			t.Errorf("category facet %v", got)
		}
		next := w.ok("one-seller", catalogSearchQuery, map[string]any{"first": 1, "after": dig(r, "pageInfo", "endCursor")})
		if e := dig(next, "catalogSearch", "edges").([]any); len(e) != 1 || dig(e[0], "node", "title") != "Oak Board" {
			t.Errorf("page 2 %v", e)
		}
	})
	t.Run("OKFilters", func(t *testing.T) {
		d := w.ok("one-seller", catalogSearchQuery, map[string]any{"q": "knife", "f": map[string]any{
			"categoryPath": "kitchen", "brands": []string{"Kiru"}, "suppliers": []string{w.gid("Member", w.members["one-supplier"].ID.String())},
			"fulfillmentModes": []string{"DIRECT"}, "shipsTo": "DE", "inStock": true, "wholesaleMin": "39.99", "wholesaleMax": "40",
			"marginMin": "60", "marginPercentMin": 59.99, "marginPercentMax": 60}})
		if e := dig(d, "catalogSearch", "edges").([]any); len(e) != 1 || dig(e[0], "node", "title") != "Chef Knife" {
			t.Errorf("edges %v", e)
		}
	})
	t.Run("OKStatementsDoNotGrowWithThePage", func(t *testing.T) {
		q := `query($first: Int) { catalogSearch(first: $first) { edges { node { title category { path } variants { sku } } } facets { brand { value } } } }`
		count := func(first int) int64 {
			w.db.Counter.Reset()
			w.ok("one-seller", q, map[string]any{"first": first})
			return w.db.Counter.Count()
		}
		if one, two := count(1), count(2); one != two {
			t.Errorf("statements: %d for one hit, %d for two", one, two)
		}
	})
	t.Run("OKOtherConsortiumSeesNothing", func(t *testing.T) {
		d := w.ok("two-seller", catalogSearchQuery, map[string]any{"q": "knife"})
		if dig(d, "catalogSearch", "totalCount") != 0.0 {
			t.Errorf("two-seller sees %v", d)
		}
	})
	for _, tc := range []struct {
		name, key, code string
		vars            map[string]any
	}{
		{"ErrUnauthenticated", "", "UNAUTHENTICATED", nil},
		{"ErrForbiddenStorefront", "one-shop", "FORBIDDEN", nil},
		{"ErrFirstTooLarge", "one-seller", "INVALID", map[string]any{"first": 101}},
		{"ErrBadAmount", "one-seller", "INVALID", map[string]any{"f": map[string]any{"wholesaleMin": "1.234"}}},
		{"ErrBadSupplierID", "one-seller", "INVALID", map[string]any{"f": map[string]any{"suppliers": []string{"nope"}}}},
		{"ErrBadCursor", "one-seller", "INVALID", map[string]any{"after": "nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := w.do(tc.key, nil, catalogSearchQuery, tc.vars); r.code() != tc.code {
				t.Errorf("code %q, want %s: %s", r.code(), tc.code, r.Raw)
			}
		})
	}
}
