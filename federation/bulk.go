package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// OfferFilter selects catalog offers for a bulk publish: ACTIVE offers the seller is
// entitled to, matching every set field. (A SQL filter over the catalog tables, the same
// visibility rule as catalog search; it does not depend on the search backend.)
type OfferFilter struct {
	SupplierID uuid.UUID
	CategoryID uuid.UUID // the category and its descendants
	Brand      string
	Query      string // full text over title, brand, description
}

func (f OfferFilter) empty() bool {
	return f.SupplierID == uuid.Nil && f.CategoryID == uuid.Nil && f.Brand == "" && f.Query == ""
}

// BulkPublishInput is the input of PublishListings: either OfferIDs (up to MaxBulk; an
// offer already listed is a userError) or Filter (up to MaxBulk matches; offers already
// listed are skipped).
type BulkPublishInput struct {
	StorefrontID uuid.UUID
	OfferIDs     []uuid.UUID
	Filter       *OfferFilter
	CollectionID uuid.UUID
	Rule         *Rule // each new listing gets its own copy; nil: inherited
}

// BulkPublishResult tells what a bulk publish did.
type BulkPublishResult struct {
	ListingIDs []uuid.UUID
	Skipped    int // already listed (filter mode)
}

// PublishListings republishes many offers at once, all or nothing, with set-based
// statements: every ACTIVE variant of each offer is listed.
func (s *Service) PublishListings(ctx context.Context, p tenants.Principal, in BulkPublishInput) (*BulkPublishResult, error) {
	var errs []error
	switch {
	case len(in.OfferIDs) > 0 && in.Filter != nil:
		errs = append(errs, apperr.Invalid("filter", "give offerIds or filter, not both"))
	case len(in.OfferIDs) == 0 && (in.Filter == nil || in.Filter.empty()):
		errs = append(errs, apperr.Invalid("offerIds", "give offerIds or a non-empty filter"))
	case len(in.OfferIDs) > MaxBulk:
		errs = append(errs, apperr.Invalid("offerIds", "at most %d offers per call", MaxBulk))
	}
	if in.Rule != nil {
		errs = append(errs, toErrs(in.Rule.Validate("pricingRule"))...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := &BulkPublishResult{}
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		currency, err := sellerStorefront(ctx, tx, p, in.StorefrontID)
		if err != nil {
			return err
		}
		if err := checkCollection(ctx, tx, in.StorefrontID, in.CollectionID); err != nil {
			return err
		}
		var offers []uuid.UUID
		if in.Filter != nil {
			offers, res.Skipped, err = matchOffers(ctx, tx, p, in.StorefrontID, *in.Filter)
		} else {
			offers, err = checkOffers(ctx, tx, p, in.StorefrontID, in.OfferIDs)
		}
		if err != nil || len(offers) == 0 {
			return err
		}
		res.ListingIDs, err = insertListings(ctx, tx, p, in, offers, currency)
		if err != nil {
			return err
		}
		fieldOf := map[uuid.UUID]string{}
		if err := collectPairs(ctx, tx, `SELECT id, offer_id FROM listings WHERE storefront_id = $1 AND id = ANY($2)`,
			[]any{in.StorefrontID, res.ListingIDs}, func(l, o uuid.UUID) {
				fieldOf[l] = "filter"
				for i, id := range in.OfferIDs {
					if id == o {
						fieldOf[l] = fmt.Sprintf("offerIds.%d", i)
					}
				}
			}); err != nil {
			return err
		}
		return checkSellable(ctx, tx, in.StorefrontID, res.ListingIDs, currency, func(l uuid.UUID) string { return fieldOf[l] })
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkOffers returns offers in order, or every problem: not found (or not entitled),
// not ACTIVE, already listed.
func checkOffers(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error) {
	rows, err := tx.Query(ctx, `SELECT u.ord, o.status, EXISTS (SELECT 1 FROM listings l WHERE l.storefront_id = $3 AND l.offer_id = u.id)
		FROM unnest($2::uuid[]) WITH ORDINALITY AS u (id, ord)
		LEFT JOIN offers o ON o.consortium_id = $1 AND o.id = u.id
		  AND (o.supplier_id = $4 OR offer_entitled(o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, $4))
		ORDER BY u.ord`, p.ConsortiumID, ids, sf, p.MemberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var errs []error
	seen := map[uuid.UUID]bool{}
	for rows.Next() {
		var ord int
		var status *string
		var listed bool
		if err := rows.Scan(&ord, &status, &listed); err != nil {
			return nil, err
		}
		i := ord - 1
		f := fmt.Sprintf("offerIds.%d", i)
		switch {
		case status == nil:
			errs = append(errs, apperr.Invalid(f, "offer not found"))
		case *status != "ACTIVE":
			errs = append(errs, apperr.Invalid(f, "the offer is %s, only ACTIVE offers can be published", *status))
		case listed:
			errs = append(errs, apperr.Conflict(f, "the offer is already listed in this storefront"))
		case seen[ids[i]]:
			errs = append(errs, apperr.Invalid(f, "appears twice"))
		}
		seen[ids[i]] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ids, errors.Join(errs...)
}

// matchOffers returns the ACTIVE entitled offers matching f that are not yet listed, and
// how many matching ones are.
func matchOffers(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf uuid.UUID, f OfferFilter) ([]uuid.UUID, int, error) {
	rows, err := tx.Query(ctx, `SELECT o.id, EXISTS (SELECT 1 FROM listings l WHERE l.storefront_id = $2 AND l.offer_id = o.id)
		FROM offers o
		WHERE o.consortium_id = $1 AND o.status = 'ACTIVE'
		  AND (o.supplier_id = $3 OR offer_entitled(o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, $3))
		  AND ($4::uuid IS NULL OR o.supplier_id = $4)
		  AND ($5::uuid IS NULL OR o.category_id IN (
		        SELECT c.id FROM categories c, categories root
		        WHERE root.consortium_id = $1 AND root.id = $5 AND c.consortium_id = $1
		          AND (c.path = root.path OR c.path LIKE root.path || '/%')))
		  AND ($6 = '' OR o.brand = $6)
		  AND ($7 = '' OR o.search @@ websearch_to_tsquery('simple', $7))
		ORDER BY o.created_at, o.id
		LIMIT $8`, p.ConsortiumID, sf, p.MemberID, nilIfZero(f.SupplierID), nilIfZero(f.CategoryID), f.Brand, f.Query, 2*MaxBulk+1)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []uuid.UUID
	skipped := 0
	for rows.Next() {
		var id uuid.UUID
		var listed bool
		if err := rows.Scan(&id, &listed); err != nil {
			return nil, 0, err
		}
		if listed {
			skipped++
		} else {
			out = append(out, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) > MaxBulk || len(out)+skipped > 2*MaxBulk {
		return nil, 0, apperr.Invalid("filter", "matches more than %d offers not yet listed: narrow it, or publish in several calls", MaxBulk)
	}
	return out, skipped, nil
}

// insertListings lists offers with all their ACTIVE variants, in a handful of
// statements whatever their number.
func insertListings(ctx context.Context, tx pgx.Tx, p tenants.Principal, in BulkPublishInput, offers []uuid.UUID, currency string) ([]uuid.UUID, error) {
	rows, err := tx.Query(ctx, `INSERT INTO listings (storefront_id, consortium_id, member_id, offer_id, handle, collection_id, title, description)
		SELECT $1, o.consortium_id, $3, o.id, gm_listing_handle(o.title, o.id), $5, o.title, o.description
		FROM offers o WHERE o.consortium_id = $2 AND o.id = ANY($4)
		RETURNING id`, in.StorefrontID, p.ConsortiumID, p.MemberID, offers, nilIfZero(in.CollectionID))
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if db.IsUniqueViolation(err, "listings_handle_key") {
		return nil, apperr.Conflict("offerIds", "a generated handle clashes with an existing listing's: publish the offer alone with a handle")
	}
	if err != nil {
		return nil, err
	}
	var currencies []string
	rows, err = tx.Query(ctx, `WITH ins AS (
			INSERT INTO listing_variants (storefront_id, consortium_id, member_id, listing_id, variant_id, position, currency)
			SELECT l.storefront_id, l.consortium_id, l.member_id, l.id, v.id,
			       row_number() OVER (PARTITION BY l.id ORDER BY v.created_at, v.sku), v.currency
			FROM listings l JOIN offer_variants v ON v.consortium_id = l.consortium_id AND v.offer_id = l.offer_id AND v.status = 'ACTIVE'
			WHERE l.storefront_id = $1 AND l.id = ANY($2)
			RETURNING listing_id, currency)
		SELECT DISTINCT currency FROM ins`, in.StorefrontID, ids)
	if err != nil {
		return nil, err
	}
	if currencies, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, err
	}
	for _, c := range currencies {
		if c != currency {
			return nil, apperr.Invalid("storefrontId", "the storefront sells in %s, some offers are priced in %s", currency, c)
		}
	}
	if in.Rule != nil {
		r := in.Rule
		if _, err := tx.Exec(ctx, `WITH ids AS (SELECT l.id AS listing_id, gen_random_uuid() AS rule_id FROM listings l
				WHERE l.storefront_id = $1 AND l.id = ANY($2)),
			r AS (INSERT INTO pricing_rules (storefront_id, id, consortium_id, member_id, kind, percent_bps, amount, rounding,
					basis_quantity, min_margin_bps, clamp_to_floor)
				SELECT $1, ids.rule_id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM ids)
			UPDATE listings l SET rule_id = ids.rule_id FROM ids WHERE l.storefront_id = $1 AND l.id = ids.listing_id`,
			in.StorefrontID, ids, p.ConsortiumID, p.MemberID, r.Kind, r.PercentBps, r.Amount, r.Rounding, r.BasisQuantity,
			r.MinMarginBps, r.ClampToFloor); err != nil {
			return nil, err
		}
	}
	if err := addGroupRows(ctx, tx, in.StorefrontID, ids); err != nil {
		return nil, err
	}
	return ids, refresh(ctx, tx, in.StorefrontID, ids)
}

func collectPairs(ctx context.Context, tx pgx.Tx, sql string, args []any, f func(a, b uuid.UUID)) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b uuid.UUID
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		f(a, b)
	}
	return rows.Err()
}
