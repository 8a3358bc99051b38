package gateway

import (
	"context"
	"errors"
	"math"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

var errNoSearch = errors.New("gateway: search backend not configured")

// catalogSearchFilter is the CatalogSearchFilter input.
type catalogSearchFilter struct {
	CategoryPath     *string
	Brands           *[]string
	Suppliers        *[]graphql.ID
	FulfillmentModes *[]string
	ShipsTo          *string
	InStock          *bool
	WholesaleMin     *string
	WholesaleMax     *string
	MarginMin        *string
	MarginMax        *string
	MarginPercentMin *float64
	MarginPercentMax *float64
}

// CatalogSearch searches the shared catalog for the caller.
func (r *Resolver) CatalogSearch(ctx context.Context, args struct {
	Query  *string
	Filter *catalogSearchFilter
	Sort   *string
	First  *int32
	After  *string
}) (*catalogSearchResult, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	s := r.svc.Search
	if s == nil {
		return nil, gqlError(ctx, errNoSearch)
	}
	q := search.Query{Text: deref(args.Query), Sort: search.Sort(deref(args.Sort)), After: deref(args.After),
		NoFacets: !graphql.HasSelectedField(ctx, "facets")}
	if args.First != nil {
		q.First = int(*args.First)
	}
	if args.Filter != nil {
		if q.Filter, err = r.searchFilter(ctx, p, args.Filter); err != nil {
			return nil, gqlError(ctx, err)
		}
	}
	res, err := s.Search(ctx, p, q)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	// The hits' offers in one batch; the catalog checks visibility once more and an offer
	// gone since it was indexed is left out rather than failing the page.
	offerIDs := make([]uuid.UUID, len(res.Hits))
	for i, h := range res.Hits {
		offerIDs[i] = h.OfferID
	}
	offers, err := r.svc.Catalog.OffersByIDs(ctx, p, offerIDs)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := &catalogSearchResult{r: r, res: res}
	for i, h := range res.Hits {
		if offers[i] != nil {
			out.edges = append(out.edges, &catalogSearchEdge{r: r, hit: h, offer: offers[i]})
		}
	}
	return out, nil
}

// searchFilter translates the input, parsing amounts in the consortium's currency.
func (r *Resolver) searchFilter(ctx context.Context, p tenants.Principal, in *catalogSearchFilter) (search.Filter, error) {
	f := search.Filter{CategoryPath: deref(in.CategoryPath), ShipsTo: deref(in.ShipsTo), InStock: in.InStock != nil && *in.InStock}
	if in.Brands != nil {
		f.Brands = *in.Brands
	}
	if in.Suppliers != nil {
		sups, err := parseIDs("filter.suppliers", *in.Suppliers, kindMember)
		if err != nil {
			return f, err
		}
		f.SupplierIDs = sups
	}
	if in.FulfillmentModes != nil {
		for _, m := range *in.FulfillmentModes {
			f.FulfillmentModes = append(f.FulfillmentModes, search.FulfillmentMode(m))
		}
	}
	var errs []error
	if in.WholesaleMin != nil || in.WholesaleMax != nil || in.MarginMin != nil || in.MarginMax != nil {
		c, err := r.svc.Tenants.Consortium(ctx, p)
		if err != nil {
			return f, err
		}
		amount := func(field string, s *string) *int64 {
			if s == nil {
				return nil
			}
			v, err := money.Parse(*s, c.Currency)
			if err != nil {
				errs = append(errs, apperr.Invalid("filter."+field, "%v", err))
				return nil
			}
			return &v
		}
		f.WholesaleMin, f.WholesaleMax = amount("wholesaleMin", in.WholesaleMin), amount("wholesaleMax", in.WholesaleMax)
		f.MarginMin, f.MarginMax = amount("marginMin", in.MarginMin), amount("marginMax", in.MarginMax)
	}
	// Percentages to basis points; the stored figure is rounded down to whole basis
	// points, so a minimum rounds up and a maximum down (1e-9 absorbs float noise).
	if v := in.MarginPercentMin; v != nil {
		bps := int(math.Ceil(*v*100 - 1e-9))
		f.MarginBpsMin = &bps
	}
	if v := in.MarginPercentMax; v != nil {
		bps := int(math.Floor(*v*100 + 1e-9))
		f.MarginBpsMax = &bps
	}
	return f, errors.Join(errs...)
}

type catalogSearchResult struct {
	r     *Resolver
	res   *search.Result
	edges []*catalogSearchEdge
}

func (s *catalogSearchResult) Edges() []*catalogSearchEdge { return s.edges }
func (s *catalogSearchResult) TotalCount() int32           { return int32(s.res.TotalCount) }
func (s *catalogSearchResult) PageInfo() pageInfo {
	return pageInfo{hasNext: s.res.HasNextPage, end: s.res.EndCursor()}
}
func (s *catalogSearchResult) Facets() *catalogSearchFacets {
	return &catalogSearchFacets{s.res.Facets}
}

type catalogSearchEdge struct {
	r     *Resolver
	hit   search.Hit
	offer *catalog.Offer
}

func (e *catalogSearchEdge) Cursor() string       { return e.hit.Cursor }
func (e *catalogSearchEdge) Node() *offerResolver { return &offerResolver{e.r, e.offer} }
func (e *catalogSearchEdge) EffectiveWholesale() *moneyResolver {
	return newMoney(e.hit.EffectiveWholesale, e.hit.Currency)
}
func (e *catalogSearchEdge) DiscountBps() int32 { return int32(e.hit.DiscountBps) }
func (e *catalogSearchEdge) SuggestedRetail() *moneyResolver {
	return newMoney(e.hit.SuggestedRetail, e.hit.Currency)
}
func (e *catalogSearchEdge) Margin() *moneyResolver { return newMoney(e.hit.Margin, e.hit.Currency) }
func (e *catalogSearchEdge) MarginPercent() float64 { return float64(e.hit.MarginBps) / 100 }

type catalogSearchFacets struct{ f search.Facets }

func (f *catalogSearchFacets) Category() []searchFacetValue {
	return searchFacetValues(f.f.Category, "")
}
func (f *catalogSearchFacets) Brand() []searchFacetValue { return searchFacetValues(f.f.Brand, "") }
func (f *catalogSearchFacets) Supplier() []searchFacetValue {
	return searchFacetValues(f.f.Supplier, kindMember)
}
func (f *catalogSearchFacets) FulfillmentMode() []searchFacetValue {
	return searchFacetValues(f.f.FulfillmentMode, "")
}

// searchFacetValue is a FacetValue; supplier values are Member IDs.
type searchFacetValue struct{ v search.FacetValue }

func (v searchFacetValue) Value() string { return v.v.Value }
func (v searchFacetValue) Count() int32  { return int32(v.v.Count) }

func searchFacetValues(vs []search.FacetValue, kind string) []searchFacetValue {
	out := make([]searchFacetValue, 0, len(vs))
	for _, v := range vs {
		if kind != "" {
			id, err := uuid.Parse(v.Value)
			if err != nil {
				continue
			}
			v.Value = ids.Global(kind, id)
		}
		out = append(out, searchFacetValue{v})
	}
	return out
}
