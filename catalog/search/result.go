package search

import (
	"sort"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
)

// Result is one page of a search.
type Result struct {
	Hits        []Hit
	TotalCount  int // everything that matches, up to the backend's cap (see docs/api/search.md)
	HasNextPage bool
	Facets      Facets // empty when the query set NoFacets
}

// EndCursor is the cursor of the last hit ("" for an empty page).
func (r *Result) EndCursor() string {
	if len(r.Hits) == 0 {
		return ""
	}
	return r.Hits[len(r.Hits)-1].Cursor
}

// Hit is one offer found, with the numbers of its lead variant as the caller sees them.
type Hit struct {
	OfferID            uuid.UUID
	SupplierID         uuid.UUID
	Title              string
	Brand              string
	Currency           string
	Wholesale          int64 // list price
	DiscountBps        int   // the caller's approved agreement discount with the supplier
	EffectiveWholesale int64 // what the caller pays: catalog.ApplyDiscount(Wholesale, DiscountBps)
	SuggestedRetail    int64
	Margin             int64 // SuggestedRetail − EffectiveWholesale
	MarginBps          int   // Margin ÷ SuggestedRetail in basis points, rounded down
	Cursor             string
}

// Facets are counts of matching offers per value, largest first (at most MaxFacet each).
type Facets struct {
	Category        []FacetValue // value: category path (the offer's own category)
	Brand           []FacetValue
	Supplier        []FacetValue // value: supplier member id
	FulfillmentMode []FacetValue // value: DIRECT or WAREHOUSE
}

// FacetValue is one value of a facet and how many matching offers have it.
type FacetValue struct {
	Value string
	Count int
}

// sortFacet orders by count descending, then value, and keeps MaxFacet values.
func sortFacet(vs []FacetValue) []FacetValue {
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Count != vs[j].Count {
			return vs[i].Count > vs[j].Count
		}
		return vs[i].Value < vs[j].Value
	})
	if len(vs) > MaxFacet {
		vs = vs[:MaxFacet]
	}
	return vs
}

// marginOf computes the caller's numbers from list prices. The SQL of the PostgreSQL
// backend (effExpr) computes the same; the behaviour suite checks both against
// catalog.ApplyDiscount.
func marginOf(wholesale, retail int64, bps int) (eff, margin int64, marginBps int) {
	eff = catalog.ApplyDiscount(wholesale, bps)
	margin = retail - eff
	if retail > 0 {
		marginBps = int(margin * 10000 / retail)
	}
	return eff, margin, marginBps
}
