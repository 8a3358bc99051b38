package federation

import (
	"context"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Listing sorts.
const (
	SortNewest    = "NEWEST"
	SortTitle     = "TITLE"
	SortPriceAsc  = "PRICE_ASC"
	SortPriceDesc = "PRICE_DESC"
	SortRelevance = "RELEVANCE" // with Query; the default then
)

// ListingFilter selects a storefront's listings. Shop windows (shoppers, customers,
// storefront keys) see published listings with at least one sellable or out-of-stock
// variant; the seller sees every listing.
type ListingFilter struct {
	Collection string // collection handle
	Category   string // category path; includes descendants
	Brand      string
	Query      string // full text over title, brand, description
	Sort       string
	Status     string // PUBLISHED or UNPUBLISHED (seller only); "" any
	First      int
	After      string // opaque cursor of the previous page's last listing
}

// Cursors are offsets (sorts by price and relevance have no stable keyset), encoded.
func offsetCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(n)))
}

func parseOffset(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, apperr.Invalid("after", "is not a valid cursor")
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 {
		return 0, apperr.Invalid("after", "is not a valid cursor")
	}
	return n, nil
}

// ListingPage is one page of listings with each one's cursor.
type ListingPage struct {
	Listings []*Listing
	Cursors  []string
	HasNext  bool
}

const sellableSQL = `('ACTIVE', 'OUT_OF_STOCK')`

// Listings returns a page of a storefront's listings.
func (s *Service) Listings(ctx context.Context, p tenants.Principal, storefront uuid.UUID, f ListingFilter) (*ListingPage, error) {
	if !canRead(p, storefront) {
		return nil, apperr.NotFound("storefront")
	}
	off, err := parseOffset(f.After)
	if err != nil {
		return nil, err
	}
	limit := f.First
	if limit <= 0 {
		limit = 20
	} else if limit > MaxPage {
		limit = MaxPage
	}
	sort := f.Sort
	if sort == "" {
		sort = SortNewest
		if f.Query != "" {
			sort = SortRelevance
		}
	}
	priceSQL := `(SELECT min(lv.price) FROM listing_variants lv WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id AND lv.status IN ` + sellableSQL + `)`
	var order string
	switch sort {
	case SortNewest:
		order = `l.published_at DESC, l.id DESC`
	case SortTitle:
		order = `lower(l.title), l.id`
	case SortPriceAsc:
		order = priceSQL + ` ASC NULLS LAST, l.id`
	case SortPriceDesc:
		order = priceSQL + ` DESC NULLS LAST, l.id`
	case SortRelevance:
		if f.Query == "" {
			return nil, apperr.Invalid("sort", "RELEVANCE needs a query")
		}
		order = `ts_rank_cd(l.search, websearch_to_tsquery('simple', $7)) DESC, l.id`
	default:
		return nil, apperr.Invalid("sort", "must be one of NEWEST, TITLE, PRICE_ASC, PRICE_DESC, RELEVANCE")
	}
	if f.Status != "" && f.Status != ListingPublished && f.Status != ListingUnpublished {
		return nil, apperr.Invalid("status", "must be PUBLISHED or UNPUBLISHED")
	}
	win := window(p)
	sql := `SELECT ` + listingCols + ` FROM listings l
		WHERE l.storefront_id = $1 AND l.consortium_id = $2 AND (l.member_id = $3 OR l.storefront_id = $4)
		  AND (NOT $5 OR (l.status = 'PUBLISHED' AND EXISTS (SELECT 1 FROM listing_variants lv
		        WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id AND lv.status IN ` + sellableSQL + `)))
		  AND ($6 = '' OR l.collection_id = (SELECT c.id FROM storefront_collections c WHERE c.storefront_id = $1 AND c.handle = $6))
		  AND ($7 = '' OR l.search @@ websearch_to_tsquery('simple', $7))
		  AND ($8 = '' OR l.category_id IN (SELECT c.id FROM categories c WHERE c.consortium_id = $2 AND (c.path = $8 OR c.path LIKE $8 || '/%')))
		  AND ($9 = '' OR l.brand = $9)
		  AND ($10 = '' OR l.status = $10)
		ORDER BY ` + order + ` LIMIT $11 OFFSET $12`
	page := &ListingPage{}
	err = db.ReadQuery(ctx, s.pool, p.Scope(), sql, []any{storefront, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID, win,
		f.Collection, f.Query, f.Category, f.Brand, f.Status, limit + 1, off}, func(rows pgx.Rows) error {
		var err error
		page.Listings, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Listing, error) { return scanListing(r) })
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(page.Listings) > limit {
		page.Listings, page.HasNext = page.Listings[:limit], true
	}
	page.Cursors = make([]string, len(page.Listings))
	for i := range page.Listings {
		page.Cursors[i] = offsetCursor(off + i + 1)
	}
	return page, nil
}

// ListingByHandle finds a listing of a storefront by handle (nil, NOT_FOUND when not
// visible: unpublished or unsellable listings are not in a shop window).
func (s *Service) ListingByHandle(ctx context.Context, p tenants.Principal, storefront uuid.UUID, handle string) (*Listing, error) {
	if !canRead(p, storefront) {
		return nil, apperr.NotFound("listing")
	}
	var l *Listing
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+listingCols+` FROM listings l
		WHERE l.storefront_id = $1 AND l.handle = $2 AND l.consortium_id = $3 AND (l.member_id = $4 OR l.storefront_id = $5)
		  AND (NOT $6 OR (l.status = 'PUBLISHED' AND EXISTS (SELECT 1 FROM listing_variants lv
		        WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id AND lv.status IN `+sellableSQL+`)))`,
		[]any{storefront, handle, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID, window(p)}, func(rows pgx.Rows) error {
			for rows.Next() {
				var err error
				if l, err = scanListing(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	if err == nil && l == nil {
		err = apperr.NotFound("listing")
	}
	return l, err
}

// ListingsByIDs returns listings in key order (nil where not visible to p).
func (s *Service) ListingsByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Listing, error) {
	out := make([]*Listing, len(ids))
	byID := map[uuid.UUID]*Listing{}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+listingCols+` FROM listings l
		WHERE l.id = ANY($1) AND l.consortium_id = $2 AND (l.member_id = $3 OR l.storefront_id = $4)
		  AND (NOT $5 OR (l.status = 'PUBLISHED' AND EXISTS (SELECT 1 FROM listing_variants lv
		        WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id AND lv.status IN `+sellableSQL+`)))`,
		[]any{ids, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID, window(p)}, func(rows pgx.Rows) error {
			for rows.Next() {
				l, err := scanListing(rows)
				if err != nil {
					return err
				}
				byID[l.ID] = l
			}
			return rows.Err()
		})
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// VariantsOfListings returns the variants of each listing of one storefront, in key
// order. A shop window gets the sellable and out-of-stock ones; a customer in a group
// with its own prices gets the group's price and status.
func (s *Service) VariantsOfListings(ctx context.Context, p tenants.Principal, storefront uuid.UUID, listings []uuid.UUID) ([][]*ListingVariant, error) {
	out := make([][]*ListingVariant, len(listings))
	if !canRead(p, storefront) {
		return out, nil
	}
	idx := make(map[uuid.UUID][]int, len(listings))
	for i, id := range listings {
		idx[id] = append(idx[id], i)
	}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT lv.listing_id, lv.id, lv.variant_id, lv.position, lv.options, lv.currency,
			coalesce(gp.price, lv.price), CASE WHEN gp.listing_variant_id IS NULL THEN lv.compare_at ELSE gp.compare_at END,
			lv.stock_level, coalesce(gp.status, lv.status),
			coalesce(CASE WHEN gp.listing_variant_id IS NULL THEN lv.status_reason ELSE gp.status_reason END, ''),
			lv.fixed_price, lv.computed_at
		FROM listing_variants lv
		LEFT JOIN listing_variant_prices gp ON gp.storefront_id = lv.storefront_id AND gp.listing_variant_id = lv.id
		     AND gp.group_id = (SELECT c.customer_group_id FROM customers c WHERE c.storefront_id = lv.storefront_id AND c.id = $4)
		WHERE lv.storefront_id = $1 AND lv.listing_id = ANY($2) AND lv.consortium_id = $3
		  AND (lv.member_id = $5 OR lv.storefront_id = $6)
		  AND (NOT $7 OR coalesce(gp.status, lv.status) IN `+sellableSQL+`)
		ORDER BY lv.listing_id, lv.position`,
		[]any{storefront, listings, p.ConsortiumID, p.CustomerID, p.OwnMemberID(), p.StorefrontID, window(p)}, func(rows pgx.Rows) error {
			for rows.Next() {
				var v ListingVariant
				var opts map[string]string
				if err := rows.Scan(&v.ListingID, &v.ID, &v.VariantID, &v.Position, &opts, &v.Currency, &v.Price, &v.CompareAt,
					&v.StockLevel, &v.Status, &v.Reason, &v.FixedPrice, &v.ComputedAt); err != nil {
					return err
				}
				v.Options = attrs(opts)
				for _, i := range idx[v.ListingID] {
					out[i] = append(out[i], &v)
				}
			}
			return rows.Err()
		})
	return out, err
}

// ListingChange is one entry of the seller's feed.
type ListingChange struct {
	ID               int64
	ListingID        uuid.UUID
	ListingVariantID uuid.UUID
	OldPrice         *int64
	NewPrice         int64
	OldStatus        string
	NewStatus        string
	Reason           string
	At               time.Time
}

// ListingChangesPage is a page of the feed, newest first.
type ListingChangesPage struct {
	Changes []*ListingChange
	HasNext bool
}

// ListingChanges is the seller's feed of price and status changes of one storefront's
// listing variants, newest first; after is the previous page's last change ID (0: first).
func (s *Service) ListingChanges(ctx context.Context, p tenants.Principal, storefront uuid.UUID, first int, after int64) (*ListingChangesPage, error) {
	if p.Kind != tenants.KindMember && !(p.Kind == tenants.KindStorefront && p.StorefrontID == storefront) {
		return nil, apperr.Forbidden("only the storefront's seller sees its listing changes")
	}
	if first <= 0 {
		first = 20
	} else if first > MaxPage {
		first = MaxPage
	}
	page := &ListingChangesPage{}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT id, listing_id, listing_variant_id, old_price, new_price,
			coalesce(old_status, ''), new_status, coalesce(reason, ''), at
		FROM listing_changes
		WHERE storefront_id = $1 AND consortium_id = $2 AND (member_id = $3 OR storefront_id = $4) AND ($5 = 0 OR id < $5)
		ORDER BY id DESC LIMIT $6`, []any{storefront, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID, after, first + 1},
		func(rows pgx.Rows) error {
			for rows.Next() {
				var c ListingChange
				if err := rows.Scan(&c.ID, &c.ListingID, &c.ListingVariantID, &c.OldPrice, &c.NewPrice, &c.OldStatus, &c.NewStatus, &c.Reason, &c.At); err != nil {
					return err
				}
				page.Changes = append(page.Changes, &c)
			}
			return rows.Err()
		})
	if len(page.Changes) > first {
		page.Changes, page.HasNext = page.Changes[:first], true
	}
	return page, err
}

// Facet is a value and how many listings have it.
type Facet struct {
	Value string
	Count int
}

// ListingFacets counts the listings a filter matches by brand and by collection handle
// (the filter's own brand and collection are ignored, so every option shows).
func (s *Service) ListingFacets(ctx context.Context, p tenants.Principal, storefront uuid.UUID, f ListingFilter) (brands, collections []Facet, err error) {
	if !canRead(p, storefront) {
		return nil, nil, nil
	}
	err = db.ReadQuery(ctx, s.pool, p.Scope(), `WITH m AS (
			SELECT l.brand, l.collection_id FROM listings l
			WHERE l.storefront_id = $1 AND l.consortium_id = $2 AND (l.member_id = $3 OR l.storefront_id = $4)
			  AND (NOT $5 OR (l.status = 'PUBLISHED' AND EXISTS (SELECT 1 FROM listing_variants lv
			        WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id AND lv.status IN `+sellableSQL+`)))
			  AND ($6 = '' OR l.search @@ websearch_to_tsquery('simple', $6))
			  AND ($7 = '' OR l.category_id IN (SELECT c.id FROM categories c WHERE c.consortium_id = $2 AND (c.path = $7 OR c.path LIKE $7 || '/%'))))
		SELECT 'b', brand, count(*) FROM m WHERE brand <> '' GROUP BY brand
		UNION ALL
		SELECT 'c', c.handle, count(*) FROM m JOIN storefront_collections c ON c.storefront_id = $1 AND c.id = m.collection_id GROUP BY c.handle
		ORDER BY 1, 3 DESC, 2`, []any{storefront, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID, window(p), f.Query, f.Category},
		func(rows pgx.Rows) error {
			for rows.Next() {
				var kind string
				var fc Facet
				if err := rows.Scan(&kind, &fc.Value, &fc.Count); err != nil {
					return err
				}
				if kind == "b" {
					brands = append(brands, fc)
				} else {
					collections = append(collections, fc)
				}
			}
			return rows.Err()
		})
	return brands, collections, err
}
