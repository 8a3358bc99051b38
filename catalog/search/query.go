package search

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Query is one catalog search request.
type Query struct {
	Text   string // full text over title, brand, description, SKU, GTIN; "" browses
	Filter Filter
	Sort   Sort   // default RELEVANCE with text, NEWEST without
	First  int    // page size, 1..MaxFirst, 0 means DefaultFirst
	After  string // cursor of the last hit of the previous page
	// NoFacets skips the facet counts (pages after the first rarely need them).
	NoFacets bool
}

// Filter narrows a search; zero fields do not filter. All money is in minor units of the
// consortium's currency, and prices and margins are the lead variant's (the cheapest
// active one) as the caller would pay: after its approved agreement's discount.
type Filter struct {
	CategoryPath     string            // the category and its descendants ("home/kitchen")
	Brands           []string          // any of
	SupplierIDs      []uuid.UUID       // any of
	FulfillmentModes []FulfillmentMode // any of
	ShipsTo          string            // a region code reachable direct or from a holding warehouse
	InStock          bool              // some active variant is IN_STOCK with a quantity
	WholesaleMin     *int64            // effective wholesale price range, inclusive
	WholesaleMax     *int64
	MarginMin        *int64 // suggested retail − effective wholesale, inclusive
	MarginMax        *int64
	MarginBpsMin     *int // margin ÷ suggested retail in basis points (2550 = 25.50 %), inclusive
	MarginBpsMax     *int
}

// FulfillmentMode is how an offer can be fulfilled.
type FulfillmentMode string

// Fulfilment modes.
const (
	ModeDirect    FulfillmentMode = "DIRECT"    // supplier drop-ships
	ModeWarehouse FulfillmentMode = "WAREHOUSE" // consigned to a consortium warehouse
)

// Sort orders hits; ties are broken by offer id so pages never overlap.
type Sort string

// Sorts.
const (
	SortRelevance         Sort = "RELEVANCE" // text rank; NEWEST when there is no text
	SortNewest            Sort = "NEWEST"
	SortPriceAsc          Sort = "PRICE_ASC" // effective wholesale
	SortPriceDesc         Sort = "PRICE_DESC"
	SortMarginDesc        Sort = "MARGIN_DESC" // absolute margin
	SortMarginPercentDesc Sort = "MARGIN_PERCENT_DESC"
)

// Page limits.
const (
	DefaultFirst = 20
	MaxFirst     = 100
	MaxOffset    = 10000 // deepest hit a cursor may reach; search engines cap it too
	MaxTextLen   = 200
	MaxFacet     = 100 // values per facet, by count
)

// Validate checks q and returns it normalised (trimmed text, defaults applied) and the
// offset its cursor points at. Errors name the GraphQL argument path.
func (q Query) Validate() (Query, int, error) {
	var errs []error
	q.Text = strings.TrimSpace(q.Text)
	if utf8.RuneCountInString(q.Text) > MaxTextLen {
		errs = append(errs, apperr.Invalid("query", "must be at most %d characters", MaxTextLen))
	}
	if !hasWord(q.Text) {
		q.Text = ""
	}
	switch {
	case q.First == 0:
		q.First = DefaultFirst
	case q.First < 0 || q.First > MaxFirst:
		errs = append(errs, apperr.Invalid("first", "must be between 1 and %d", MaxFirst))
	}
	offset, err := DecodeCursor(q.After)
	if err != nil {
		errs = append(errs, err)
	}
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortNewest, SortPriceAsc, SortPriceDesc, SortMarginDesc, SortMarginPercentDesc:
	default:
		errs = append(errs, apperr.Invalid("sort", "unknown sort %q", q.Sort))
	}
	if q.Sort == SortRelevance && q.Text == "" {
		q.Sort = SortNewest
	}
	errs = append(errs, q.Filter.validate()...)
	if err := errors.Join(errs...); err != nil {
		return q, 0, err
	}
	return q, offset, nil
}

func (f *Filter) validate() []error {
	var errs []error
	f.CategoryPath = strings.Trim(strings.TrimSpace(f.CategoryPath), "/")
	if len(f.CategoryPath) > 1000 {
		errs = append(errs, apperr.Invalid("filter.categoryPath", "is too long"))
	}
	if len(f.Brands) > 100 {
		errs = append(errs, apperr.Invalid("filter.brands", "at most 100 brands"))
	}
	if len(f.SupplierIDs) > 100 {
		errs = append(errs, apperr.Invalid("filter.suppliers", "at most 100 suppliers"))
	}
	for i, m := range f.FulfillmentModes {
		if m != ModeDirect && m != ModeWarehouse {
			errs = append(errs, apperr.Invalid("filter.fulfillmentModes."+strconv.Itoa(i), "unknown fulfilment mode %q", m))
		}
	}
	f.ShipsTo = strings.TrimSpace(f.ShipsTo)
	if len(f.ShipsTo) > 20 {
		errs = append(errs, apperr.Invalid("filter.shipsTo", "is not a region code"))
	}
	rng := func(field string, lo, hi *int64) {
		if lo != nil && *lo < 0 {
			errs = append(errs, apperr.Invalid("filter."+field+"Min", "must not be negative"))
		}
		if lo != nil && hi != nil && *lo > *hi {
			errs = append(errs, apperr.Invalid("filter."+field+"Max", "must not be below the minimum"))
		}
	}
	rng("wholesale", f.WholesaleMin, f.WholesaleMax)
	rng("margin", f.MarginMin, f.MarginMax)
	var bLo, bHi *int64
	if f.MarginBpsMin != nil {
		v := int64(*f.MarginBpsMin)
		bLo = &v
	}
	if f.MarginBpsMax != nil {
		v := int64(*f.MarginBpsMax)
		bHi = &v
	}
	rng("marginPercent", bLo, bHi)
	return errs
}

// hasWord reports whether s has a letter or digit: punctuation alone is no query.
func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// Cursors are offsets into the ordered result: both backends page by offset, the way
// search engines do, and a cursor stays valid while the query is the same.
const cursorPrefix = "s1:"

// EncodeCursor returns the cursor of the hit at offset (0-based).
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// DecodeCursor returns the offset just after the hit whose cursor is c ("" is 0).
func DecodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return 0, apperr.Invalid("after", "is not a search cursor")
	}
	n, err := strconv.Atoi(string(b[len(cursorPrefix):]))
	if err != nil || n < 0 {
		return 0, apperr.Invalid("after", "is not a search cursor")
	}
	if n+1 > MaxOffset {
		return 0, apperr.Invalid("after", "results are available up to the %dth hit; narrow the search", MaxOffset)
	}
	return n + 1, nil
}
