package federation

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

var handleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,127}$`)

// VariantPrice is the seller's own (fixed) price for one variant; Price 0 clears it.
type VariantPrice struct {
	VariantID uuid.UUID
	Price     int64
}

// PublishInput is the input of PublishListing.
type PublishInput struct {
	StorefrontID uuid.UUID
	OfferID      uuid.UUID
	VariantIDs   []uuid.UUID // the variants to sell; empty: every ACTIVE one, and those added later
	Handle       string      // default: from the title
	Title        *string     // override of the offer's title
	Description  *string     // override of the offer's description
	CollectionID uuid.UUID
	Rule         *Rule // the listing's own rule; nil: the collection's, else the storefront's
	Prices       []VariantPrice
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input's own fields.
func (in *PublishInput) Validate() error {
	var errs []error
	if in.Handle != "" && !handleRE.MatchString(in.Handle) {
		errs = append(errs, apperr.Invalid("handle", "must be 1–128 lower-case letters, digits and '-', starting with a letter or digit"))
	}
	errs = append(errs, validatePresentation(in.Title, in.Description)...)
	if in.Rule != nil {
		for _, e := range in.Rule.Validate("pricingRule") {
			errs = append(errs, e)
		}
	}
	if len(in.VariantIDs) > 1000 {
		errs = append(errs, apperr.Invalid("variantIds", "at most 1000 variants"))
	}
	errs = append(errs, validatePrices(in.Prices)...)
	return errors.Join(errs...)
}

func validatePresentation(title, description *string) []error {
	var errs []error
	if title != nil && (len(*title) > 300) {
		errs = append(errs, apperr.Invalid("title", "must be at most 300 characters"))
	}
	if description != nil && len(*description) > 20000 {
		errs = append(errs, apperr.Invalid("description", "must be at most 20000 characters"))
	}
	return errs
}

func validatePrices(ps []VariantPrice) []error {
	var errs []error
	for i, vp := range ps {
		if vp.Price < 0 || vp.Price > MaxAmount {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("variantPrices.%d.price", i), "must be between 0 and %d minor units", int64(MaxAmount)))
		}
	}
	return errs
}

// PublishListing republishes one entitled offer into one of the seller's storefronts.
// The offer must be ACTIVE and entitled to the seller (its own, or visible to it with any
// agreement the supplier requires), not yet listed in that storefront, and priced in the
// storefront's currency. A rule that prices a variant under the supplier's minimum
// resale price is a userError unless the rule clamps to it; so is a price under cost or
// the rule's minimum margin.
func (s *Service) PublishListing(ctx context.Context, p tenants.Principal, in PublishInput) (*Listing, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var l *Listing
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		currency, err := sellerStorefront(ctx, tx, p, in.StorefrontID)
		if err != nil {
			return err
		}
		if err := checkCollection(ctx, tx, in.StorefrontID, in.CollectionID); err != nil {
			return err
		}
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "listingPublish", in.IdempotencyKey, func() (uuid.UUID, error) {
			return s.publish(ctx, tx, p, currency, in)
		})
		if err != nil {
			return err
		}
		l, err = listingByID(ctx, tx, in.StorefrontID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Service) publish(ctx context.Context, tx pgx.Tx, p tenants.Principal, currency string, in PublishInput) (uuid.UUID, error) {
	var status string
	var listed bool
	err := tx.QueryRow(ctx, `SELECT o.status, EXISTS (SELECT 1 FROM listings l WHERE l.storefront_id = $3 AND l.offer_id = o.id)
		FROM offers o WHERE o.consortium_id = $1 AND o.id = $2
		  AND (o.supplier_id = $4 OR offer_entitled(o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, $4))`,
		p.ConsortiumID, in.OfferID, in.StorefrontID, p.MemberID).Scan(&status, &listed)
	if err == pgx.ErrNoRows {
		return uuid.Nil, apperr.NotFound("offer")
	}
	if err != nil {
		return uuid.Nil, err
	}
	if status != "ACTIVE" {
		return uuid.Nil, apperr.Invalid("offerId", "the offer is %s, only ACTIVE offers can be published", status)
	}
	if listed {
		return uuid.Nil, apperr.Conflict("offerId", "the offer is already listed in this storefront (listingUpdate changes it)")
	}
	var id uuid.UUID
	err = tx.QueryRow(ctx, `INSERT INTO listings (storefront_id, consortium_id, member_id, offer_id, handle, title_override,
			description_override, collection_id, title, description, all_variants)
		SELECT $1, o.consortium_id, $3, o.id, coalesce(nullif($5, ''), gm_listing_handle(coalesce($6, o.title), o.id)), $6, $7, $8,
		       coalesce($6, o.title), coalesce($7, o.description), $9
		FROM offers o WHERE o.consortium_id = $2 AND o.id = $4
		RETURNING id`,
		in.StorefrontID, p.ConsortiumID, p.MemberID, in.OfferID, in.Handle, in.Title, in.Description, nilIfZero(in.CollectionID),
		len(in.VariantIDs) == 0).Scan(&id)
	if db.IsUniqueViolation(err, "listings_handle_key") {
		return uuid.Nil, apperr.Conflict("handle", "another listing of this storefront has this handle")
	}
	if err != nil {
		return uuid.Nil, err
	}
	if err := insertVariants(ctx, tx, p, in.StorefrontID, id, in.OfferID, currency, in.VariantIDs, in.Prices); err != nil {
		return uuid.Nil, err
	}
	if in.Rule != nil {
		if _, err := setListingRule(ctx, tx, p, in.StorefrontID, id, in.Rule); err != nil {
			return uuid.Nil, err
		}
	}
	if err := addGroupRows(ctx, tx, in.StorefrontID, []uuid.UUID{id}); err != nil {
		return uuid.Nil, err
	}
	if err := refresh(ctx, tx, in.StorefrontID, []uuid.UUID{id}); err != nil {
		return uuid.Nil, err
	}
	return id, checkSellable(ctx, tx, in.StorefrontID, []uuid.UUID{id}, currency, func(uuid.UUID) string { return "pricingRule" })
}

// insertVariants adds the listing's variants: the chosen ones (which must belong to the
// offer) or every ACTIVE one, with the seller's fixed prices.
func insertVariants(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, listing, offer uuid.UUID, currency string, chosen []uuid.UUID, prices []VariantPrice) error {
	pv, pp := splitPrices(prices)
	rows, err := tx.Query(ctx, `INSERT INTO listing_variants (storefront_id, consortium_id, member_id, listing_id, variant_id, position, fixed_price, currency)
		SELECT $1, v.consortium_id, $3, $4, v.id, row_number() OVER (ORDER BY v.created_at, v.sku), nullif(fp.price, 0), v.currency
		FROM offer_variants v
		LEFT JOIN unnest($6::uuid[], $7::bigint[]) AS fp (variant_id, price) ON fp.variant_id = v.id
		WHERE v.consortium_id = $2 AND v.offer_id = $5
		  AND (CASE WHEN cardinality($8::uuid[]) = 0 THEN v.status = 'ACTIVE' ELSE v.id = ANY($8) END)
		RETURNING variant_id, currency`, sf, p.ConsortiumID, p.MemberID, listing, offer, pv, pp, nonNil(chosen))
	if err != nil {
		return err
	}
	got := map[uuid.UUID]bool{}
	var cur string
	for rows.Next() {
		var v uuid.UUID
		if err := rows.Scan(&v, &cur); err != nil {
			rows.Close()
			return err
		}
		got[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var errs []error
	if len(got) == 0 && len(chosen) == 0 {
		errs = append(errs, apperr.Invalid("variantIds", "the offer has no ACTIVE variant to sell"))
	} else if len(got) > 0 && cur != currency {
		errs = append(errs, apperr.Invalid("storefrontId", "the storefront sells in %s, the offer is priced in %s", currency, cur))
	}
	for i, v := range chosen {
		if !got[v] {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("variantIds.%d", i), "is not a variant of this offer"))
		}
	}
	for i, vp := range prices {
		if !got[vp.VariantID] {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("variantPrices.%d.variantId", i), "is not a variant of this listing"))
		}
	}
	return errors.Join(errs...)
}

func splitPrices(prices []VariantPrice) ([]uuid.UUID, []int64) {
	ids, ps := make([]uuid.UUID, len(prices)), make([]int64, len(prices))
	for i, vp := range prices {
		ids[i], ps[i] = vp.VariantID, vp.Price
	}
	return ids, ps
}

func nonNil(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

// addGroupRows gives the listings' variants a price row in every group with its own rule.
func addGroupRows(ctx context.Context, tx pgx.Tx, sf uuid.UUID, listings []uuid.UUID) error {
	_, err := tx.Exec(ctx, `INSERT INTO listing_variant_prices (storefront_id, group_id, listing_variant_id, consortium_id, member_id)
		SELECT lv.storefront_id, g.id, lv.id, lv.consortium_id, lv.member_id
		FROM listing_variants lv JOIN customer_groups g ON g.storefront_id = lv.storefront_id AND g.rule_id IS NOT NULL
		WHERE lv.storefront_id = $1 AND lv.listing_id = ANY($2)
		ON CONFLICT DO NOTHING`, sf, listings)
	return err
}

// checkSellable refuses to (re)publish listings whose variants the rule would price under
// the supplier's floor, under cost or under the minimum margin, or that are unavailable.
// field names the input field an error is about, per listing.
func checkSellable(ctx context.Context, tx pgx.Tx, sf uuid.UUID, listings []uuid.UUID, currency string, field func(listing uuid.UUID) string) error {
	// LEFT JOIN: a variant the seller may no longer see (access revoked) must still count.
	rows, err := tx.Query(ctx, `SELECT lv.listing_id, coalesce(v.sku, '(no longer visible)'), lv.status, lv.status_reason, lv.price, v.minimum_resale_price
		FROM listing_variants lv
		JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
		LEFT JOIN offer_variants v ON v.consortium_id = lv.consortium_id AND v.id = lv.variant_id
		WHERE lv.storefront_id = $1 AND lv.listing_id = ANY($2) AND l.status = 'PUBLISHED'
		  AND lv.status IN ('PRICE_HELD', 'UNAVAILABLE')
		ORDER BY lv.listing_id, lv.position LIMIT 50`, sf, listings)
	if err != nil {
		return err
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var (
			listing     uuid.UUID
			sku, status string
			reason      *string
			price       int64
			floor       *int64
		)
		if err := rows.Scan(&listing, &sku, &status, &reason, &price, &floor); err != nil {
			return err
		}
		r := ""
		if reason != nil {
			r = *reason
		}
		var msg string
		switch r {
		case ReasonBelowFloor:
			msg = fmt.Sprintf("variant %s would sell at %s, under the supplier's minimum resale price %s: raise the price or set clampToFloor",
				sku, money.Format(price, currency), money.Format(deref(floor), currency))
		case ReasonBelowCost:
			msg = fmt.Sprintf("variant %s would sell at %s, under your cost", sku, money.Format(price, currency))
		case ReasonBelowMargin:
			msg = fmt.Sprintf("variant %s would sell at %s, under the rule's minimum margin", sku, money.Format(price, currency))
		default:
			msg = fmt.Sprintf("variant %s is unavailable (%s)", sku, r)
		}
		errs = append(errs, apperr.Invalid(field(listing), "%s", msg))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func checkCollection(ctx context.Context, tx pgx.Tx, sf, id uuid.UUID) error {
	if id == uuid.Nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM storefront_collections WHERE storefront_id = $1 AND id = $2)`, sf, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("collectionId", "is not a collection of this storefront")
	}
	return nil
}

func listingByID(ctx context.Context, tx pgx.Tx, sf, id uuid.UUID) (*Listing, error) {
	l, err := scanListing(tx.QueryRow(ctx, `SELECT `+listingCols+` FROM listings l WHERE l.storefront_id = $1 AND l.id = $2`, sf, id))
	if err == pgx.ErrNoRows {
		return nil, apperr.NotFound("listing")
	}
	return l, err
}
