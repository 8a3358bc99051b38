package search_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

// TestPostgresListPricePages checks the pages of an unfiltered browse sorted by price or
// margin, which walk the list-price indexes for suppliers that give the caller no discount
// and sort only the discounted suppliers' rows that could still make the page, against the
// same pages sorted from every match (a filter matching every offer forces that). The
// catalog is pagesCatalog.
func TestPostgresListPricePages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s, _, callers := pagesCatalog(t)
	zero := int64(0)
	for name, p := range callers {
		for _, sort := range []search.Sort{search.SortPriceAsc, search.SortPriceDesc, search.SortMarginDesc, search.SortMarginPercentDesc} {
			for _, pg := range []struct{ first, offset int }{{1, 0}, {5, 0}, {20, 0}, {20, 40}, {7, 13}, {50, 500}} {
				q := search.Query{Sort: sort, First: pg.first, NoFacets: true}
				if pg.offset > 0 {
					q.After = search.EncodeCursor(pg.offset - 1)
				}
				walked, err := s.Search(ctx, p, q)
				if err != nil {
					t.Fatal(err)
				}
				q.Filter.WholesaleMin = &zero
				sorted, err := s.Search(ctx, p, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(sorted.Hits) != pg.first {
					t.Fatalf("%s %s %+v: %d hits, want %d", name, sort, pg, len(sorted.Hits), pg.first)
				}
				if walked.TotalCount != sorted.TotalCount || !slices.Equal(ids(walked), ids(sorted)) {
					t.Errorf("%s %s first %d after %d: index walk %v, full sort %v", name, sort, pg.first, pg.offset, ids(walked), ids(sorted))
				}
			}
		}
	}
}

// TestPostgresInStockPricePages checks the pages of in-stock searches sorted by price,
// which walk offer_search_stock_price_idx, or with a region offer_search_regions_stock_price_idx,
// with their filters (and merge the discounted suppliers' rows that could still make the
// page), against the same pages sorted from every match of offer_search: naming every
// supplier in a filter forces that.
func TestPostgresInStockPricePages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, s, cid, callers := pagesCatalog(t)
	var suppliers []uuid.UUID
	rows, err := d.Owner.Query(ctx, `SELECT id FROM members WHERE consortium_id = $1 AND is_supplier`, cid)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		suppliers = append(suppliers, id)
	}
	if rows.Err() != nil || len(suppliers) != 40 {
		t.Fatalf("suppliers: %d, %v", len(suppliers), rows.Err())
	}
	i64 := func(v int64) *int64 { return &v }
	filters := map[string]search.Filter{
		"in stock":               {InStock: true},
		"to FR":                  {InStock: true, ShipsTo: "FR"},
		"price range":            {InStock: true, WholesaleMin: i64(1000), WholesaleMax: i64(20000)},
		"to FR, price, direct":   {InStock: true, ShipsTo: "FR", WholesaleMin: i64(5000), WholesaleMax: i64(30000), FulfillmentModes: []search.FulfillmentMode{search.ModeDirect}},
		"narrow discounted band": {InStock: true, WholesaleMin: i64(9000), WholesaleMax: i64(9400)},
		// Not walked (any stock) but read from offer_search_regions, like the two "to FR".
		"to PL, any stock": {ShipsTo: "PL"},
		"to DE, price":     {ShipsTo: "DE", WholesaleMin: i64(2000), WholesaleMax: i64(9000)},
	}
	for name, p := range callers {
		for fname, f := range filters {
			for _, pg := range []struct{ first, offset int }{{1, 0}, {20, 0}, {20, 40}, {7, 13}, {50, 300}} {
				q := search.Query{Sort: search.SortPriceAsc, First: pg.first, Filter: f}
				if pg.offset > 0 {
					q.After = search.EncodeCursor(pg.offset - 1)
				}
				walked, err := s.Search(ctx, p, q)
				if err != nil {
					t.Fatal(err)
				}
				q.Filter.SupplierIDs = suppliers
				sorted, err := s.Search(ctx, p, q)
				if err != nil {
					t.Fatal(err)
				}
				if sorted.TotalCount < pg.offset+pg.first && fname != "narrow discounted band" {
					t.Fatalf("%s %s: only %d matches", name, fname, sorted.TotalCount)
				}
				if walked.TotalCount != sorted.TotalCount || !slices.Equal(ids(walked), ids(sorted)) {
					t.Errorf("%s %s first %d after %d: index walk %v, full sort %v", name, fname, pg.first, pg.offset, ids(walked), ids(sorted))
				}
				if !reflect.DeepEqual(walked.Facets, sorted.Facets) {
					t.Errorf("%s %s: facets differ:\n%+v\n%+v", name, fname, walked.Facets, sorted.Facets)
				}
			}
		}
	}
}

// ids are the offers of res's hits in order.
func ids(res *search.Result) []uuid.UUID {
	out := make([]uuid.UUID, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.OfferID
	}
	return out
}

// pagesCatalog is the benchmark's catalog, small (3,000 offers; 40 suppliers, 5 of them
// discounting the seller 3–12 %), indexed, with the two callers the page tests compare
// for: that seller and the operator.
func pagesCatalog(t *testing.T) (*pgtest.DB, *search.Postgres, uuid.UUID, map[string]tenants.Principal) {
	t.Helper()
	d := pgtest.New(t)
	cid, seller := benchCatalog(t, d, 3000)
	s := search.NewPostgres(d.App)
	if _, err := s.Reindex(context.Background(), cid); err != nil {
		t.Fatal(err)
	}
	return d, s, cid, map[string]tenants.Principal{
		"discounted seller": {Kind: tenants.KindMember, ConsortiumID: cid, MemberID: seller, Role: tenants.RoleOwner},
		"operator":          {Kind: tenants.KindOperator, ConsortiumID: cid},
	}
}
