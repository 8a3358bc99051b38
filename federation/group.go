package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// CustomerGroup is a storefront's class of buyers (e.g. shops vs consumers) with its own
// prices, quantity breaks, minimum order value and payment terms.
type CustomerGroup struct {
	ID               uuid.UUID
	StorefrontID     uuid.UUID
	Name             string
	RuleID           uuid.UUID // uuid.Nil: the storefront's prices
	MinOrderValue    int64     // minor units of the storefront's currency
	PaymentTermsDays int       // 0: pay at checkout
	Tiers            []GroupTier
	CreatedAt        time.Time
}

// GroupTier is a quantity break: from MinQuantity units of a variant on, DiscountBps off
// the group's unit price (checkout applies it; never under the supplier's floor).
type GroupTier struct {
	MinQuantity int
	DiscountBps int
}

// GroupInput creates (all fields) or updates (set fields) a customer group.
type GroupInput struct {
	StorefrontID     uuid.UUID // create only
	Name             *string
	MinOrderValue    *int64
	PaymentTermsDays *int
	Tiers            *[]GroupTier
	Rule             *Rule // create only; later: SetPricingRule
}

// Validate checks the set fields.
func (in GroupInput) Validate() error {
	var errs []error
	if in.Name != nil && (len(*in.Name) < 1 || len(*in.Name) > 200) {
		errs = append(errs, apperr.Invalid("name", "must be 1–200 characters"))
	}
	if in.MinOrderValue != nil && (*in.MinOrderValue < 0 || *in.MinOrderValue > MaxAmount) {
		errs = append(errs, apperr.Invalid("minOrderValue", "must be between 0 and %d minor units", int64(MaxAmount)))
	}
	if in.PaymentTermsDays != nil && (*in.PaymentTermsDays < 0 || *in.PaymentTermsDays > 365) {
		errs = append(errs, apperr.Invalid("paymentTermsDays", "must be between 0 and 365"))
	}
	if in.Tiers != nil {
		prevQ, prevD := 1, 0
		for i, t := range *in.Tiers {
			f := fmt.Sprintf("quantityTiers.%d", i)
			if t.MinQuantity <= prevQ {
				errs = append(errs, apperr.Invalid(f+".minQuantity", "must be at least 2 and strictly increasing"))
			}
			if t.DiscountBps <= prevD || t.DiscountBps > 9999 {
				errs = append(errs, apperr.Invalid(f+".discountBps", "must be 1–9999 and strictly increasing"))
			}
			prevQ, prevD = t.MinQuantity, t.DiscountBps
		}
	}
	if in.Rule != nil {
		errs = append(errs, toErrs(in.Rule.Validate("pricingRule"))...)
	}
	return errors.Join(errs...)
}

// TierUnitPrice is a group customer's unit price for quantity: price less the best
// tier's discount (rounded down, in the seller's favour), never under floor (0: none).
func TierUnitPrice(price int64, quantity int, tiers []GroupTier, floor int64) int64 {
	bps := 0
	for _, t := range tiers {
		if quantity >= t.MinQuantity {
			bps = t.DiscountBps
		}
	}
	return min(price, max(price-mulDiv(price, int64(bps), 0, 10000), floor))
}

const groupCols = `g.id, g.storefront_id, g.name, g.rule_id, g.min_order_value, g.payment_terms_days, g.created_at,
	coalesce((SELECT array_agg(t.min_quantity ORDER BY t.min_quantity) FROM customer_group_tiers t WHERE t.storefront_id = g.storefront_id AND t.group_id = g.id), '{}'),
	coalesce((SELECT array_agg(t.discount_bps ORDER BY t.min_quantity) FROM customer_group_tiers t WHERE t.storefront_id = g.storefront_id AND t.group_id = g.id), '{}')`

func scanGroup(row pgx.Row) (*CustomerGroup, error) {
	var g CustomerGroup
	var rule *uuid.UUID
	var qs, ds []int
	err := row.Scan(&g.ID, &g.StorefrontID, &g.Name, &rule, &g.MinOrderValue, &g.PaymentTermsDays, &g.CreatedAt, &qs, &ds)
	g.RuleID = orNil(rule)
	g.Tiers = make([]GroupTier, len(qs))
	for i := range qs {
		g.Tiers[i] = GroupTier{qs[i], ds[i]}
	}
	return &g, err
}

// CreateCustomerGroup adds a customer group to one of the caller's storefronts.
func (s *Service) CreateCustomerGroup(ctx context.Context, p tenants.Principal, in GroupInput) (*CustomerGroup, error) {
	if in.Name == nil {
		return nil, apperr.Invalid("name", "is required")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var g *CustomerGroup
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if _, err := sellerStorefront(ctx, tx, p, in.StorefrontID); err != nil {
			return err
		}
		var id uuid.UUID
		err := tx.QueryRow(ctx, `INSERT INTO customer_groups (storefront_id, consortium_id, member_id, name, min_order_value, payment_terms_days)
			VALUES ($1, $2, $3, $4, coalesce($5, 0), coalesce($6, 0)) RETURNING id`,
			in.StorefrontID, p.ConsortiumID, p.MemberID, *in.Name, in.MinOrderValue, in.PaymentTermsDays).Scan(&id)
		if db.IsUniqueViolation(err, "customer_groups_name_key") {
			return apperr.Conflict("name", "the storefront already has a group with this name")
		}
		if err != nil {
			return err
		}
		if err := replaceTiers(ctx, tx, p, in.StorefrontID, id, in.Tiers); err != nil {
			return err
		}
		if in.Rule != nil {
			ruleID, err := upsertRule(ctx, tx, p, in.StorefrontID, uuid.Nil, in.Rule)
			if err != nil {
				return err
			}
			if err := setHolder(ctx, tx, p, RuleTarget{TargetCustomerGroup, id}, in.StorefrontID, &ruleID); err != nil {
				return err
			}
			if err := syncGroupRows(ctx, tx, in.StorefrontID, id, true); err != nil {
				return err
			}
			if err := refresh(ctx, tx, in.StorefrontID, nil); err != nil {
				return err
			}
		}
		g, err = scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM customer_groups g WHERE g.storefront_id = $1 AND g.id = $2`, in.StorefrontID, id))
		return err
	})
	return g, err
}

// UpdateCustomerGroup changes the set fields of a group of the caller's.
func (s *Service) UpdateCustomerGroup(ctx context.Context, p tenants.Principal, id uuid.UUID, in GroupInput) (*CustomerGroup, error) {
	if in.Rule != nil {
		return nil, apperr.Invalid("pricingRule", "set a group's rule with pricingRuleSet")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !p.CanSell() {
		return nil, apperr.Forbidden("only a member (not supplier-ops) may manage customer groups")
	}
	var g *CustomerGroup
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var sf uuid.UUID
		err := tx.QueryRow(ctx, `UPDATE customer_groups SET name = coalesce($4, name), min_order_value = coalesce($5, min_order_value),
				payment_terms_days = coalesce($6, payment_terms_days), updated_at = now()
			WHERE id = $1 AND consortium_id = $2 AND member_id = $3 RETURNING storefront_id`,
			id, p.ConsortiumID, p.MemberID, in.Name, in.MinOrderValue, in.PaymentTermsDays).Scan(&sf)
		if err == pgx.ErrNoRows {
			return apperr.NotFound("customer group")
		}
		if db.IsUniqueViolation(err, "customer_groups_name_key") {
			return apperr.Conflict("name", "the storefront already has a group with this name")
		}
		if err != nil {
			return err
		}
		if err := replaceTiers(ctx, tx, p, sf, id, in.Tiers); err != nil {
			return err
		}
		g, err = scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM customer_groups g WHERE g.storefront_id = $1 AND g.id = $2`, sf, id))
		return err
	})
	return g, err
}

func replaceTiers(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, group uuid.UUID, tiers *[]GroupTier) error {
	if tiers == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM customer_group_tiers WHERE storefront_id = $1 AND group_id = $2`, sf, group); err != nil {
		return err
	}
	qs, ds := make([]int, len(*tiers)), make([]int, len(*tiers))
	for i, t := range *tiers {
		qs[i], ds[i] = t.MinQuantity, t.DiscountBps
	}
	_, err := tx.Exec(ctx, `INSERT INTO customer_group_tiers (storefront_id, group_id, consortium_id, member_id, min_quantity, discount_bps)
		SELECT $1, $2, $3, $4, q, d FROM unnest($5::int[], $6::int[]) AS u (q, d)`, sf, group, p.ConsortiumID, p.MemberID, qs, ds)
	return err
}

// AssignCustomerGroup puts a customer of the caller's storefront into group (uuid.Nil:
// none); it returns the customer's storefront.
func (s *Service) AssignCustomerGroup(ctx context.Context, p tenants.Principal, customer, group uuid.UUID) (uuid.UUID, error) {
	if !p.CanSell() {
		return uuid.Nil, apperr.Forbidden("only a member (not supplier-ops) may manage customer groups")
	}
	var sf uuid.UUID
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT storefront_id FROM customers WHERE id = $1 AND consortium_id = $2 AND member_id = $3`,
			customer, p.ConsortiumID, p.MemberID).Scan(&sf)
		if err == pgx.ErrNoRows {
			return apperr.NotFound("customer")
		}
		if err != nil {
			return err
		}
		if group != uuid.Nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_groups WHERE storefront_id = $1 AND id = $2 AND member_id = $3)`,
				sf, group, p.MemberID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("customerGroupId", "is not a customer group of the customer's storefront")
			}
		}
		_, err = tx.Exec(ctx, `UPDATE customers SET customer_group_id = $3, updated_at = now() WHERE storefront_id = $1 AND id = $2`,
			sf, customer, nilIfZero(group))
		return err
	})
	return sf, err
}

// CustomerGroups lists a storefront's groups (its seller and its storefront key).
func (s *Service) CustomerGroups(ctx context.Context, p tenants.Principal, storefront uuid.UUID) ([]*CustomerGroup, error) {
	if !canRead(p, storefront) {
		return nil, nil
	}
	var out []*CustomerGroup
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+groupCols+` FROM customer_groups g
		WHERE g.storefront_id = $1 AND g.consortium_id = $2 ORDER BY g.name`, []any{storefront, p.ConsortiumID}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*CustomerGroup, error) { return scanGroup(r) })
		return err
	})
	return out, err
}

// CustomerGroupsByIDs returns groups in key order (nil where not visible).
func (s *Service) CustomerGroupsByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*CustomerGroup, error) {
	out := make([]*CustomerGroup, len(ids))
	byID := map[uuid.UUID]*CustomerGroup{}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+groupCols+` FROM customer_groups g
		WHERE g.id = ANY($1) AND g.consortium_id = $2 AND (g.member_id = $3 OR g.storefront_id = $4)`,
		[]any{ids, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID}, func(rows pgx.Rows) error {
			for rows.Next() {
				g, err := scanGroup(rows)
				if err != nil {
					return err
				}
				byID[g.ID] = g
			}
			return rows.Err()
		})
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// CustomerGroupOf returns the group of the calling customer (nil: none).
func (s *Service) CustomerGroupOf(ctx context.Context, p tenants.Principal) (*CustomerGroup, error) {
	if p.Kind != tenants.KindCustomer {
		return nil, nil
	}
	var g *CustomerGroup
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+groupCols+` FROM customers c
		JOIN customer_groups g ON g.storefront_id = c.storefront_id AND g.id = c.customer_group_id
		WHERE c.storefront_id = $1 AND c.id = $2`, []any{p.StorefrontID, p.CustomerID}, func(rows pgx.Rows) error {
		for rows.Next() {
			var err error
			if g, err = scanGroup(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return g, err
}
