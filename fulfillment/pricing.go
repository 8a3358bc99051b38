package fulfillment

import (
	"sort"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/jackc/pgx/v5"
)

// Prices come from the storefront's materialized rows (listing_variants, and
// listing_variant_prices for the customer's group), read under the caller's row-level
// security: a shopper never reads anything wholesale. The group's quantity breaks are
// applied on top (federation.TierUnitPrice), never under the supplier's floor.

// pricedSQL reads the listing variants ids (an expression of uuid[]) of storefront $1 as
// the caller's window shows them, at the caller's group price ($3: the customer, or nil).
// A variant the window hides (held, unavailable, unpublished) is simply absent.
func pricedSQL(ids string) string {
	return `SELECT lv.id, lv.listing_id, l.title, lv.options, lv.currency, coalesce(gp.price, lv.price),
		coalesce(gp.status, lv.status),
		coalesce(CASE WHEN gp.listing_variant_id IS NULL THEN lv.status_reason ELSE gp.status_reason END, '')
	FROM listing_variants lv
	JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
	LEFT JOIN listing_variant_prices gp ON gp.storefront_id = lv.storefront_id AND gp.listing_variant_id = lv.id
	     AND gp.group_id = (SELECT c.customer_group_id FROM customers c WHERE c.storefront_id = $1 AND c.id = $3)
	WHERE lv.storefront_id = $1 AND lv.id = ANY (` + ids + `)`
}

// cartVariantsSQL is the uuid[] of cart $2's listing variants.
const cartVariantsSQL = `ARRAY(SELECT listing_variant_id FROM cart_lines WHERE storefront_id = $1 AND cart_id = $2)`

// groupSQL reads the calling customer's group: its minimum order value and quantity breaks.
const groupSQL = `SELECT g.min_order_value,
		coalesce((SELECT array_agg(t.min_quantity ORDER BY t.min_quantity) FROM customer_group_tiers t WHERE t.storefront_id = g.storefront_id AND t.group_id = g.id), '{}'),
		coalesce((SELECT array_agg(t.discount_bps ORDER BY t.min_quantity) FROM customer_group_tiers t WHERE t.storefront_id = g.storefront_id AND t.group_id = g.id), '{}')
	FROM customers c JOIN customer_groups g ON g.storefront_id = c.storefront_id AND g.id = c.customer_group_id
	WHERE c.storefront_id = $1 AND c.id = $2`

// listed is a listing variant as the caller's window shows it.
type listed struct {
	ListingID uuid.UUID
	Title     string
	Options   []catalog.Attribute
	Currency  string
	Price     int64 // the group's (or default) unit price before quantity breaks
	Status    string
	Reason    string
}

// group is what checkout needs of the customer's group (zero: no group).
type group struct {
	MinOrderValue int64
	Tiers         []federation.GroupTier
}

func scanListed(rows pgx.Rows, into map[uuid.UUID]*listed) error {
	for rows.Next() {
		var id uuid.UUID
		var l listed
		var opts map[string]string
		if err := rows.Scan(&id, &l.ListingID, &l.Title, &opts, &l.Currency, &l.Price, &l.Status, &l.Reason); err != nil {
			return err
		}
		l.Options = attributes(opts)
		into[id] = &l
	}
	return rows.Err()
}

func scanGroup(rows pgx.Rows, g *group) error {
	for rows.Next() {
		var qs, ds []int
		if err := rows.Scan(&g.MinOrderValue, &qs, &ds); err != nil {
			return err
		}
		for i := range qs {
			g.Tiers = append(g.Tiers, federation.GroupTier{MinQuantity: qs[i], DiscountBps: ds[i]})
		}
	}
	return rows.Err()
}

func scanFloors(rows pgx.Rows, into map[uuid.UUID]int64) error {
	for rows.Next() {
		var id uuid.UUID
		var f int64
		if err := rows.Scan(&id, &f); err != nil {
			return err
		}
		into[id] = f
	}
	return rows.Err()
}

// unitPrice is the unit price of quantity units at base price for the group.
func (g group) unitPrice(base int64, quantity int, floor int64) int64 {
	if len(g.Tiers) == 0 {
		return base
	}
	return federation.TierUnitPrice(base, quantity, g.Tiers, floor)
}

func attributes(m map[string]string) []catalog.Attribute {
	out := make([]catalog.Attribute, 0, len(m))
	for k, v := range m {
		out = append(out, catalog.Attribute{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func attrMap(as []catalog.Attribute) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Key] = a.Value
	}
	return m
}
