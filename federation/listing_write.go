package federation

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// ListingUpdate changes the set fields of a listing.
type ListingUpdate struct {
	Handle       *string
	Title        *string // "" clears the override (the offer's title shows again)
	Description  *string // "" clears the override
	CollectionID *uuid.UUID
	Rule         *Rule // the listing's own rule
	ClearRule    bool  // back to the collection's or storefront's rule
	Prices       []VariantPrice
	Status       *string // PUBLISHED (republish) or UNPUBLISHED
}

// Validate checks the set fields.
func (in ListingUpdate) Validate() error {
	var errs []error
	if in.Handle != nil && !handleRE.MatchString(*in.Handle) {
		errs = append(errs, apperr.Invalid("handle", "must be 1–128 lower-case letters, digits and '-', starting with a letter or digit"))
	}
	errs = append(errs, validatePresentation(in.Title, in.Description)...)
	if in.Rule != nil {
		if in.ClearRule {
			errs = append(errs, apperr.Invalid("clearPricingRule", "give pricingRule or clearPricingRule, not both"))
		}
		errs = append(errs, toErrs(in.Rule.Validate("pricingRule"))...)
	}
	if in.Status != nil && *in.Status != ListingPublished && *in.Status != ListingUnpublished {
		errs = append(errs, apperr.Invalid("status", "must be PUBLISHED or UNPUBLISHED"))
	}
	errs = append(errs, validatePrices(in.Prices)...)
	return errors.Join(errs...)
}

// UpdateListing changes a listing of the caller's and reprices it at once. A published
// listing must stay sellable at its new price (as at publish).
func (s *Service) UpdateListing(ctx context.Context, p tenants.Principal, id uuid.UUID, in ListingUpdate) (*Listing, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var l *Listing
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		cur, currency, err := ownListing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		sf := cur.StorefrontID
		if in.CollectionID != nil {
			if err := checkCollection(ctx, tx, sf, *in.CollectionID); err != nil {
				return err
			}
		}
		emptyNil := func(s *string) any {
			if s == nil {
				return nil
			}
			return *s
		}
		_, err = tx.Exec(ctx, `UPDATE listings SET
				handle = coalesce($3, handle),
				title_override = CASE WHEN $4::text IS NULL THEN title_override ELSE nullif($4, '') END,
				description_override = CASE WHEN $5::text IS NULL THEN description_override ELSE nullif($5, '') END,
				collection_id = CASE WHEN $6 THEN $7 ELSE collection_id END,
				status = coalesce($8, status),
				published_at = CASE WHEN $8 = 'PUBLISHED' AND status = 'UNPUBLISHED' THEN now() ELSE published_at END,
				updated_at = now()
			WHERE storefront_id = $1 AND id = $2`,
			sf, id, in.Handle, emptyNil(in.Title), emptyNil(in.Description), in.CollectionID != nil, nilIfZero(orNil(in.CollectionID)), in.Status)
		if db.IsUniqueViolation(err, "listings_handle_key") {
			return apperr.Conflict("handle", "another listing of this storefront has this handle")
		}
		if err != nil {
			return err
		}
		if len(in.Prices) > 0 {
			vs, ps := make([]uuid.UUID, len(in.Prices)), make([]int64, len(in.Prices))
			for i, vp := range in.Prices {
				vs[i], ps[i] = vp.VariantID, vp.Price
			}
			tag, err := tx.Exec(ctx, `UPDATE listing_variants lv SET fixed_price = nullif(u.price, 0)
				FROM unnest($3::uuid[], $4::bigint[]) AS u (variant_id, price)
				WHERE lv.storefront_id = $1 AND lv.listing_id = $2 AND lv.variant_id = u.variant_id`, sf, id, vs, ps)
			if err != nil {
				return err
			}
			if int(tag.RowsAffected()) != len(in.Prices) {
				return apperr.Invalid("variantPrices", "name only variants of this listing, once each")
			}
		}
		switch {
		case in.Rule != nil:
			if _, err := setListingRule(ctx, tx, p, sf, id, in.Rule); err != nil {
				return err
			}
		case in.ClearRule && cur.RuleID != uuid.Nil:
			if err := setHolder(ctx, tx, p, RuleTarget{TargetListing, id}, sf, nil); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM pricing_rules WHERE storefront_id = $1 AND id = $2`, sf, cur.RuleID); err != nil {
				return err
			}
		}
		if err := refresh(ctx, tx, sf, []uuid.UUID{id}); err != nil {
			return err
		}
		if err := checkSellable(ctx, tx, sf, []uuid.UUID{id}, currency, func(uuid.UUID) string { return "pricingRule" }); err != nil {
			return err
		}
		l, err = listingByID(ctx, tx, sf, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ownListing returns the caller's listing and its storefront's currency.
func ownListing(ctx context.Context, tx pgx.Tx, p tenants.Principal, id uuid.UUID) (*Listing, string, error) {
	if !p.CanSell() {
		return nil, "", apperr.Forbidden("only a member (not supplier-ops) may manage listings")
	}
	l, err := scanListing(tx.QueryRow(ctx, `SELECT `+listingCols+` FROM listings l WHERE l.id = $1 AND l.consortium_id = $2 AND l.member_id = $3`,
		id, p.ConsortiumID, p.MemberID))
	if err == pgx.ErrNoRows {
		return nil, "", apperr.NotFound("listing")
	}
	if err != nil {
		return nil, "", err
	}
	currency, err := sellerStorefront(ctx, tx, p, l.StorefrontID)
	return l, currency, err
}

// UnpublishListings takes listings of the caller's off sale (their variants become
// UNPUBLISHED, shoppers no longer see them); it returns how many changed. Listings
// already unpublished are left as they are; an unknown or foreign id is NOT_FOUND and
// nothing changes.
func (s *Service) UnpublishListings(ctx context.Context, p tenants.Principal, ids []uuid.UUID) (int, error) {
	if len(ids) == 0 || len(ids) > MaxBulk {
		return 0, apperr.Invalid("ids", "give 1 to %d listings", MaxBulk)
	}
	if !p.CanSell() {
		return 0, apperr.Forbidden("only a member (not supplier-ops) may manage listings")
	}
	changed := 0
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT storefront_id FROM listings WHERE id = ANY($1) AND consortium_id = $2 AND member_id = $3`,
			ids, p.ConsortiumID, p.MemberID)
		if err != nil {
			return err
		}
		sfs, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		var found int
		if err := tx.QueryRow(ctx, `SELECT count(DISTINCT id) FROM listings WHERE id = ANY($1) AND consortium_id = $2 AND member_id = $3`,
			ids, p.ConsortiumID, p.MemberID).Scan(&found); err != nil {
			return err
		}
		if found != len(uniq(ids)) {
			return apperr.NotFound("listing")
		}
		for _, sf := range sfs { // one statement per storefront (a seller has a few), not per listing
			tag, err := tx.Exec(ctx, `UPDATE listings SET status = 'UNPUBLISHED', updated_at = now()
				WHERE storefront_id = $1 AND id = ANY($2) AND status = 'PUBLISHED'`, sf, ids)
			if err != nil {
				return err
			}
			changed += int(tag.RowsAffected())
			if err := refresh(ctx, tx, sf, ids); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

func uniq(ids []uuid.UUID) map[uuid.UUID]bool {
	m := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
