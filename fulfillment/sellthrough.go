package fulfillment

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// SellThroughRow is a supplier's goods sold through all storefronts (数据回流): units and
// wholesale revenue of one variant on one day (UTC) into one ship-to region. Never who
// bought, never at what retail price.
type SellThroughRow struct {
	Day              time.Time
	VariantID        uuid.UUID
	SKU              string
	Region           string
	Units            int
	WholesaleRevenue int64
	Currency         string
}

// MaxSellThroughDays bounds one query's range.
const MaxSellThroughDays = 366

// SellThrough returns the calling supplier's sell-through in [from, to): units ordered
// and not rejected or cancelled, whether drop-shipped or sent from a warehouse.
func (s *Service) SellThrough(ctx context.Context, p tenants.Principal, from, to time.Time) ([]SellThroughRow, error) {
	if p.Kind != tenants.KindMember {
		return nil, apperr.Forbidden("sell-through is a supplier's own data")
	}
	if !to.After(from) || to.Sub(from) > MaxSellThroughDays*24*time.Hour {
		return nil, apperr.Invalid("to", "must be after from, at most %d days later", MaxSellThroughDays)
	}
	var out []SellThroughRow
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT (l.created_at AT TIME ZONE 'UTC')::date, l.variant_id, l.sku, l.ship_region,
				sum(l.quantity - l.quantity_removed)::int, sum((l.quantity - l.quantity_removed)::bigint * l.unit_cost)::bigint, l.currency
			FROM fulfillment_order_lines l
			WHERE l.consortium_id = $1 AND l.supplier_id = $2 AND l.created_at >= $3 AND l.created_at < $4
			GROUP BY 1, 2, 3, 4, 7 HAVING sum(l.quantity - l.quantity_removed) > 0
			ORDER BY 1, 3, 4`, p.ConsortiumID, p.MemberID, from, to).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var r SellThroughRow
				if err := rows.Scan(&r.Day, &r.VariantID, &r.SKU, &r.Region, &r.Units, &r.WholesaleRevenue, &r.Currency); err != nil {
					return err
				}
				out = append(out, r)
			}
			return rows.Err()
		})
	})
	return out, err
}
