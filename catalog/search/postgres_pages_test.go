package search_test

import (
	"context"
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
// catalog is the benchmark's, small: 40 suppliers, 5 of them discounting the seller 3–12 %.
func TestPostgresListPricePages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	cid, seller := benchCatalog(t, d, 3000)
	s := search.NewPostgres(d.App)
	if _, err := s.Reindex(ctx, cid); err != nil {
		t.Fatal(err)
	}
	callers := map[string]tenants.Principal{
		"discounted seller": {Kind: tenants.KindMember, ConsortiumID: cid, MemberID: seller, Role: tenants.RoleOwner},
		"operator":          {Kind: tenants.KindOperator, ConsortiumID: cid},
	}
	zero := int64(0)
	ids := func(res *search.Result) []uuid.UUID {
		out := make([]uuid.UUID, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = h.OfferID
		}
		return out
	}
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
