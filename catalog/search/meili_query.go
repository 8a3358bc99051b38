package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/tenants"
	"github.com/meilisearch/meilisearch-go"
)

// quote renders a string literal of Meilisearch's filter syntax.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quote(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// visibilityFilter is what caller may see, at the price it pays: offer_entitled in
// Meilisearch's filter syntax, plus the choice of exactly one price class per offer.
func visibilityFilter(c caller) string {
	f := "consortium_id = " + quote(c.consortiumID.String()) + ` AND status = "ACTIVE"`
	if c.all {
		return f + ` AND price_class = "list"`
	}
	me := quote(c.memberID.String())
	return f + " AND (supplier_id = " + me +
		` OR ((visibility = "CONSORTIUM" OR allowed_member_ids = ` + me + `)` +
		` AND (agreement_required = false OR approved_seller_ids = ` + me + `)))` +
		" AND (class_seller_ids = " + me + ` OR (price_class = "list" AND NOT discounted_seller_ids = ` + me + "))"
}

// meiliFilter is the whole filter of a query: visibility first, then the query's filters.
func meiliFilter(c caller, f Filter) string {
	parts := []string{visibilityFilter(c)}
	if f.CategoryPath != "" {
		parts = append(parts, "category_paths = "+quote(f.CategoryPath))
	}
	if len(f.Brands) > 0 {
		parts = append(parts, "brand IN "+quoteList(f.Brands))
	}
	if len(f.SupplierIDs) > 0 {
		parts = append(parts, "supplier_id IN "+quoteList(uuidStrings(f.SupplierIDs)))
	}
	if len(f.FulfillmentModes) > 0 {
		modes := make([]string, len(f.FulfillmentModes))
		for i, m := range f.FulfillmentModes {
			modes[i] = string(m)
		}
		parts = append(parts, "fulfillment_modes IN "+quoteList(modes))
	}
	if f.ShipsTo != "" {
		parts = append(parts, "regions = "+quote(f.ShipsTo))
	}
	if f.InStock {
		parts = append(parts, "in_stock = true")
	}
	num := func(field, op string, v *int64) {
		if v != nil {
			parts = append(parts, field+" "+op+" "+strconv.FormatInt(*v, 10))
		}
	}
	num("effective_wholesale", ">=", f.WholesaleMin)
	num("effective_wholesale", "<=", f.WholesaleMax)
	num("margin", ">=", f.MarginMin)
	num("margin", "<=", f.MarginMax)
	if f.MarginBpsMin != nil {
		parts = append(parts, "margin_bps >= "+strconv.Itoa(*f.MarginBpsMin))
	}
	if f.MarginBpsMax != nil {
		parts = append(parts, "margin_bps <= "+strconv.Itoa(*f.MarginBpsMax))
	}
	return strings.Join(parts, " AND ")
}

func meiliSort(s Sort) []string {
	switch s {
	case SortNewest:
		return []string{"created_at:desc", "offer_id:asc"}
	case SortPriceAsc:
		return []string{"effective_wholesale:asc", "offer_id:asc"}
	case SortPriceDesc:
		return []string{"effective_wholesale:desc", "offer_id:asc"}
	case SortMarginDesc:
		return []string{"margin:desc", "offer_id:asc"}
	case SortMarginPercentDesc:
		return []string{"margin_bps:desc", "margin:desc", "offer_id:asc"}
	}
	return nil // relevance
}

// Facet attributes of the index, by facet.
const (
	facetCategory = "category"
	facetBrand    = "brand"
	facetSupplier = "supplier_id"
	facetMode     = "fulfillment_modes"
)

// searchRequest builds the request for one query. Pages are Meilisearch pages (exact
// totalHits); a cursor that is not on a page boundary of this page size asks for one
// larger first page and drops the head.
func searchRequest(c caller, q Query, offset int) (*meilisearch.SearchRequest, int) {
	per, page, skip := q.First, offset/q.First+1, 0
	if offset%q.First != 0 {
		per, page, skip = offset+q.First, 1, offset
	}
	hpp := int64(per)
	req := &meilisearch.SearchRequest{
		Query:                q.Text,
		Filter:               meiliFilter(c, q.Filter),
		Sort:                 meiliSort(q.Sort),
		HitsPerPage:          &hpp,
		Page:                 int64(page),
		MatchingStrategy:     meilisearch.All,
		AttributesToRetrieve: []string{"offer_id", "supplier_id", "title", "brand", "currency", "wholesale", "discount_bps", "suggested_retail"},
	}
	if !q.NoFacets {
		req.Facets = []string{facetCategory, facetBrand, facetSupplier, facetMode}
	}
	return req, skip
}

// meiliHit is what a search retrieves of a document.
type meiliHit struct {
	OfferID         uuid.UUID `json:"offer_id"`
	SupplierID      uuid.UUID `json:"supplier_id"`
	Title           string    `json:"title"`
	Brand           string    `json:"brand"`
	Currency        string    `json:"currency"`
	Wholesale       int64     `json:"wholesale"`
	DiscountBps     int       `json:"discount_bps"`
	SuggestedRetail int64     `json:"suggested_retail"`
}

// Search implements Searcher.
func (m *Meili) Search(ctx context.Context, p tenants.Principal, q Query) (*Result, error) {
	c, err := callerOf(p)
	if err != nil {
		return nil, err
	}
	q, offset, err := q.Validate()
	if err != nil {
		return nil, err
	}
	req, skip := searchRequest(c, q, offset)
	resp, err := m.client.Index(m.IndexUID(c.consortiumID)).SearchWithContext(ctx, q.Text, req)
	if isIndexNotFound(err) {
		return &Result{Hits: []Hit{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("meilisearch search: %w", err)
	}
	res := &Result{TotalCount: int(resp.TotalHits), Hits: make([]Hit, 0, len(resp.Hits))}
	for i, raw := range resp.Hits {
		if i < skip {
			continue
		}
		var h meiliHit
		if err := raw.DecodeInto(&h); err != nil {
			return nil, fmt.Errorf("meilisearch hit: %w", err)
		}
		hit := Hit{OfferID: h.OfferID, SupplierID: h.SupplierID, Title: h.Title, Brand: h.Brand, Currency: h.Currency,
			Wholesale: h.Wholesale, DiscountBps: h.DiscountBps, SuggestedRetail: h.SuggestedRetail,
			Cursor: EncodeCursor(offset + len(res.Hits))}
		hit.EffectiveWholesale, hit.Margin, hit.MarginBps = marginOf(hit.Wholesale, hit.SuggestedRetail, hit.DiscountBps)
		res.Hits = append(res.Hits, hit)
	}
	end := offset + len(res.Hits)
	res.HasNextPage = end < res.TotalCount && end < MaxOffset && end < MeiliMaxTotalHits
	if !q.NoFacets && len(resp.FacetDistribution) > 0 {
		var dist map[string]map[string]int
		if err := json.Unmarshal(resp.FacetDistribution, &dist); err != nil {
			return nil, fmt.Errorf("meilisearch facets: %w", err)
		}
		res.Facets = Facets{
			Category: facetValues(dist[facetCategory]), Brand: facetValues(dist[facetBrand]),
			Supplier: facetValues(dist[facetSupplier]), FulfillmentMode: facetValues(dist[facetMode]),
		}
	}
	return res, nil
}

// facetValues turns a distribution into values by count; "" (no category, no brand) is
// not a value.
func facetValues(d map[string]int) []FacetValue {
	var vs []FacetValue
	for v, n := range d {
		if v != "" && n > 0 {
			vs = append(vs, FacetValue{Value: v, Count: n})
		}
	}
	return sortFacet(vs)
}
