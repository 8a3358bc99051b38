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

// What a pricing rule can be attached to. A listing's price follows the listing's own
// rule, else its collection's, else the storefront's default, else DefaultRule; a
// customer group's rule replaces that chain for the group's customers.
const (
	TargetStorefront    = "STOREFRONT"
	TargetCollection    = "COLLECTION"
	TargetListing       = "LISTING"
	TargetCustomerGroup = "CUSTOMER_GROUP"
)

// RuleTarget names the holder of a rule.
type RuleTarget struct {
	Kind string
	ID   uuid.UUID
}

// RuleResult is what SetPricingRule did.
type RuleResult struct {
	Rule         *Rule     // nil when cleared
	StorefrontID uuid.UUID // the storefront the holder belongs to
	// HeldCount is how many of the storefront's listing variants are PRICE_HELD after
	// the change (a storefront or collection rule may hold some back; they show in the
	// listingChanges feed).
	HeldCount int
}

const ruleCols = `id, kind, percent_bps, amount, rounding, basis_quantity, min_margin_bps, clamp_to_floor`

func scanRule(row pgx.Row) (*Rule, error) {
	var r Rule
	err := row.Scan(&r.ID, &r.Kind, &r.PercentBps, &r.Amount, &r.Rounding, &r.BasisQuantity, &r.MinMarginBps, &r.ClampToFloor)
	return &r, err
}

// SetPricingRule sets (rule non-nil) or clears (nil) the rule of a storefront, a
// collection, a listing or a customer group of the caller's, and reprices what it
// governs in the same transaction. A listing's own rule must keep every variant sellable
// (as at publish); wider rules may hold some back instead.
func (s *Service) SetPricingRule(ctx context.Context, p tenants.Principal, t RuleTarget, r *Rule) (*RuleResult, error) {
	if r != nil {
		if errs := r.Validate("rule"); len(errs) > 0 {
			return nil, errors.Join(toErrs(errs)...)
		}
	}
	res := &RuleResult{}
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var q string
		switch t.Kind {
		case TargetStorefront:
			q = `SELECT s.id, sp.rule_id FROM storefronts s LEFT JOIN storefront_pricing sp ON sp.storefront_id = s.id WHERE s.id = $1 AND s.member_id = $2`
		case TargetCollection:
			q = `SELECT storefront_id, rule_id FROM storefront_collections WHERE id = $1 AND member_id = $2`
		case TargetListing:
			q = `SELECT storefront_id, rule_id FROM listings WHERE id = $1 AND member_id = $2`
		case TargetCustomerGroup:
			q = `SELECT storefront_id, rule_id FROM customer_groups WHERE id = $1 AND member_id = $2`
		default:
			return apperr.Invalid("target", "must be a storefront, collection, listing or customer group")
		}
		if !p.CanSell() {
			return apperr.Forbidden("only a member (not supplier-ops) may set pricing rules")
		}
		var existing *uuid.UUID
		err := tx.QueryRow(ctx, q, t.ID, p.MemberID).Scan(&res.StorefrontID, &existing)
		if err == pgx.ErrNoRows {
			return apperr.NotFound("pricing rule target")
		}
		if err != nil {
			return err
		}
		currency, err := sellerStorefront(ctx, tx, p, res.StorefrontID)
		if err != nil {
			return err
		}
		var ruleID *uuid.UUID
		if r != nil {
			id, err := upsertRule(ctx, tx, p, res.StorefrontID, orNil(existing), r)
			if err != nil {
				return err
			}
			ruleID = &id
		}
		if err := setHolder(ctx, tx, p, t, res.StorefrontID, ruleID); err != nil {
			return err
		}
		if r == nil && existing != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM pricing_rules WHERE storefront_id = $1 AND id = $2`, res.StorefrontID, *existing); err != nil {
				return err
			}
		}
		if t.Kind == TargetCustomerGroup {
			if err := syncGroupRows(ctx, tx, res.StorefrontID, t.ID, r != nil); err != nil {
				return err
			}
		}
		if t.Kind == TargetListing {
			if err := refresh(ctx, tx, res.StorefrontID, []uuid.UUID{t.ID}); err != nil {
				return err
			}
			if err := checkSellable(ctx, tx, res.StorefrontID, []uuid.UUID{t.ID}, currency, func(uuid.UUID) string { return "rule" }); err != nil {
				return err
			}
		} else if err := refresh(ctx, tx, res.StorefrontID, nil); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM listing_variants WHERE storefront_id = $1 AND status = 'PRICE_HELD'`,
			res.StorefrontID).Scan(&res.HeldCount); err != nil {
			return err
		}
		if ruleID != nil {
			res.Rule, err = scanRule(tx.QueryRow(ctx, `SELECT `+ruleCols+` FROM pricing_rules WHERE storefront_id = $1 AND id = $2`, res.StorefrontID, *ruleID))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func toErrs(es []*apperr.Error) []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// upsertRule updates the holder's existing rule row, or inserts one; it returns its id.
func upsertRule(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, existing uuid.UUID, r *Rule) (uuid.UUID, error) {
	if existing != uuid.Nil {
		_, err := tx.Exec(ctx, `UPDATE pricing_rules SET kind = $3, percent_bps = $4, amount = $5, rounding = $6, basis_quantity = $7,
			min_margin_bps = $8, clamp_to_floor = $9, updated_at = now() WHERE storefront_id = $1 AND id = $2`,
			sf, existing, r.Kind, r.PercentBps, r.Amount, r.Rounding, r.BasisQuantity, r.MinMarginBps, r.ClampToFloor)
		return existing, err
	}
	var id uuid.UUID
	err := tx.QueryRow(ctx, `INSERT INTO pricing_rules (storefront_id, consortium_id, member_id, kind, percent_bps, amount, rounding,
			basis_quantity, min_margin_bps, clamp_to_floor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		sf, p.ConsortiumID, p.MemberID, r.Kind, r.PercentBps, r.Amount, r.Rounding, r.BasisQuantity, r.MinMarginBps, r.ClampToFloor).Scan(&id)
	return id, err
}

func setHolder(ctx context.Context, tx pgx.Tx, p tenants.Principal, t RuleTarget, sf uuid.UUID, rule *uuid.UUID) error {
	var err error
	switch t.Kind {
	case TargetStorefront:
		_, err = tx.Exec(ctx, `INSERT INTO storefront_pricing (storefront_id, consortium_id, member_id, rule_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (storefront_id) DO UPDATE SET rule_id = excluded.rule_id`, sf, p.ConsortiumID, p.MemberID, rule)
	case TargetCollection:
		_, err = tx.Exec(ctx, `UPDATE storefront_collections SET rule_id = $3 WHERE storefront_id = $1 AND id = $2`, sf, t.ID, rule)
	case TargetListing:
		_, err = tx.Exec(ctx, `UPDATE listings SET rule_id = $3, updated_at = now() WHERE storefront_id = $1 AND id = $2`, sf, t.ID, rule)
	case TargetCustomerGroup:
		_, err = tx.Exec(ctx, `UPDATE customer_groups SET rule_id = $3, updated_at = now() WHERE storefront_id = $1 AND id = $2`, sf, t.ID, rule)
	}
	return err
}

// setListingRule gives a listing its own rule (publish).
func setListingRule(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, listing uuid.UUID, r *Rule) (uuid.UUID, error) {
	var existing *uuid.UUID
	if err := tx.QueryRow(ctx, `SELECT rule_id FROM listings WHERE storefront_id = $1 AND id = $2`, sf, listing).Scan(&existing); err != nil {
		return uuid.Nil, err
	}
	id, err := upsertRule(ctx, tx, p, sf, orNil(existing), r)
	if err != nil {
		return uuid.Nil, err
	}
	return id, setHolder(ctx, tx, p, RuleTarget{TargetListing, listing}, sf, &id)
}

// syncGroupRows keeps a group's price rows: one per listing variant while the group has
// its own rule; only its price-list entries otherwise.
func syncGroupRows(ctx context.Context, tx pgx.Tx, sf, group uuid.UUID, hasRule bool) error {
	if hasRule {
		_, err := tx.Exec(ctx, `INSERT INTO listing_variant_prices (storefront_id, group_id, listing_variant_id, consortium_id, member_id)
			SELECT lv.storefront_id, $2, lv.id, lv.consortium_id, lv.member_id FROM listing_variants lv WHERE lv.storefront_id = $1
			ON CONFLICT DO NOTHING`, sf, group)
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM listing_variant_prices WHERE storefront_id = $1 AND group_id = $2 AND fixed_price IS NULL`, sf, group)
	return err
}

// RulesByIDs returns the caller's rules by id, in order (nil where not visible). Only
// the seller sees rules: from a rule and a price, wholesale could be worked out.
func (s *Service) RulesByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Rule, error) {
	out := make([]*Rule, len(ids))
	if p.Kind != tenants.KindMember {
		return out, nil
	}
	byID := map[uuid.UUID]*Rule{}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+ruleCols+` FROM pricing_rules WHERE consortium_id = $1 AND member_id = $2 AND id = ANY($3)`,
		[]any{p.ConsortiumID, p.MemberID, ids}, func(rows pgx.Rows) error {
			for rows.Next() {
				r, err := scanRule(rows)
				if err != nil {
					return err
				}
				byID[r.ID] = r
			}
			return rows.Err()
		})
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// StorefrontRule is the storefront's default rule (nil: DefaultRule applies).
func (s *Service) StorefrontRule(ctx context.Context, p tenants.Principal, storefront uuid.UUID) (*Rule, error) {
	if p.Kind != tenants.KindMember {
		return nil, nil
	}
	var r *Rule
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT r.id, r.kind, r.percent_bps, r.amount, r.rounding, r.basis_quantity, r.min_margin_bps, r.clamp_to_floor
		FROM storefront_pricing sp JOIN pricing_rules r ON r.storefront_id = sp.storefront_id AND r.id = sp.rule_id
		WHERE sp.storefront_id = $1 AND sp.member_id = $2`, []any{storefront, p.MemberID}, func(rows pgx.Rows) error {
		for rows.Next() {
			var err error
			if r, err = scanRule(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return r, err
}
