package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// GroupPrice is a customer group's price-list entry: a fixed price for one listing
// variant (0 removes the entry).
type GroupPrice struct {
	ListingVariantID uuid.UUID
	Price            int64
}

// SetGroupPrices sets entries of a group's price list. An entry is FIXED_PRICE for the
// group's customers, checked like a publish (the supplier's floor, cost, the group's or
// listing's minimum margin) and kept current by propagation like every price.
func (s *Service) SetGroupPrices(ctx context.Context, p tenants.Principal, group uuid.UUID, prices []GroupPrice) (*CustomerGroup, error) {
	if len(prices) == 0 || len(prices) > MaxBulk {
		return nil, apperr.Invalid("prices", "give 1 to %d prices", MaxBulk)
	}
	var errs []error
	lvs, ps := make([]uuid.UUID, len(prices)), make([]int64, len(prices))
	for i, gp := range prices {
		if gp.Price < 0 || gp.Price > MaxAmount {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("prices.%d.price", i), "must be between 0 and %d minor units", int64(MaxAmount)))
		}
		lvs[i], ps[i] = gp.ListingVariantID, gp.Price
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if !p.CanSell() {
		return nil, apperr.Forbidden("only a member (not supplier-ops) may manage customer groups")
	}
	var g *CustomerGroup
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var sf uuid.UUID
		var rule *uuid.UUID
		err := tx.QueryRow(ctx, `SELECT storefront_id, rule_id FROM customer_groups WHERE id = $1 AND consortium_id = $2 AND member_id = $3`,
			group, p.ConsortiumID, p.MemberID).Scan(&sf, &rule)
		if err == pgx.ErrNoRows {
			return apperr.NotFound("customer group")
		}
		if err != nil {
			return err
		}
		currency, err := sellerStorefront(ctx, tx, p, sf)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO listing_variant_prices (storefront_id, group_id, listing_variant_id, consortium_id, member_id, fixed_price)
			SELECT $1, $2, lv.id, lv.consortium_id, lv.member_id, nullif(u.price, 0)
			FROM unnest($3::uuid[], $4::bigint[]) AS u (id, price)
			JOIN listing_variants lv ON lv.storefront_id = $1 AND lv.id = u.id
			ON CONFLICT (storefront_id, group_id, listing_variant_id) DO UPDATE SET fixed_price = excluded.fixed_price`, sf, group, lvs, ps)
		if err != nil {
			return err
		}
		if int(tag.RowsAffected()) != len(uniq(lvs)) || len(uniq(lvs)) != len(lvs) {
			return apperr.Invalid("prices", "name listing variants of the group's storefront, once each")
		}
		if rule == nil { // without its own rule a group only has rows for its entries
			if _, err := tx.Exec(ctx, `DELETE FROM listing_variant_prices WHERE storefront_id = $1 AND group_id = $2 AND fixed_price IS NULL`, sf, group); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT listing_id FROM listing_variants WHERE storefront_id = $1 AND id = ANY($2)`, sf, lvs)
		if err != nil {
			return err
		}
		listings, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		if err := refresh(ctx, tx, sf, listings); err != nil {
			return err
		}
		if err := checkGroupPrices(ctx, tx, sf, group, lvs, currency); err != nil {
			return err
		}
		g, err = scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM customer_groups g WHERE g.storefront_id = $1 AND g.id = $2`, sf, group))
		return err
	})
	return g, err
}

// checkGroupPrices refuses price-list entries the group's customers could not buy at.
func checkGroupPrices(ctx context.Context, tx pgx.Tx, sf, group uuid.UUID, lvs []uuid.UUID, currency string) error {
	rows, err := tx.Query(ctx, `SELECT u.ord, p.price, p.status_reason
		FROM unnest($3::uuid[]) WITH ORDINALITY AS u (id, ord)
		JOIN listing_variant_prices p ON p.storefront_id = $1 AND p.group_id = $2 AND p.listing_variant_id = u.id
		WHERE p.fixed_price IS NOT NULL AND p.status = 'PRICE_HELD' ORDER BY u.ord`, sf, group, lvs)
	if err != nil {
		return err
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var ord int
		var price int64
		var reason *string
		if err := rows.Scan(&ord, &price, &reason); err != nil {
			return err
		}
		errs = append(errs, apperr.Invalid(fmt.Sprintf("prices.%d.price", ord-1), "%s is refused: %s", money.Format(price, currency), deref(reason)))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}
