package catalog

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// variantSelect reads variants of offers the viewer ($1, $2, $3) may see, with their
// tiers, consignment warehouses and the viewer's agreement discount in the same row, so
// a page of variants is one statement.
const variantSelect = `SELECT v.id, v.offer_id, v.supplier_id, v.sku, coalesce(v.gtin, ''), v.options, v.weight_grams, v.currency,
	v.wholesale_price, v.suggested_retail_price, v.minimum_resale_price,
	coalesce((SELECT jsonb_agg(jsonb_build_array(t.min_quantity, t.price) ORDER BY t.min_quantity)
	  FROM variant_price_tiers t WHERE t.consortium_id = v.consortium_id AND t.variant_id = v.id), '[]'),
	v.availability, v.available_quantity, v.made_to_order_days,
	v.ships_direct, v.ship_from_latitude, v.ship_from_longitude, v.ship_from_region, v.ships_to_regions,
	v.direct_lead_time_days, v.direct_shipping_cost,
	coalesce((SELECT array_agg(w.id ORDER BY w.handle) FROM variant_warehouses vw
	  JOIN warehouses w ON w.consortium_id = vw.consortium_id AND w.id = vw.warehouse_id
	  WHERE vw.consortium_id = v.consortium_id AND vw.variant_id = v.id), '{}'),
	coalesce((SELECT array_agg(w.handle ORDER BY w.handle) FROM variant_warehouses vw
	  JOIN warehouses w ON w.consortium_id = vw.consortium_id AND w.id = vw.warehouse_id
	  WHERE vw.consortium_id = v.consortium_id AND vw.variant_id = v.id), '{}'),
	v.status, v.version, v.created_at, v.updated_at,
	coalesce((SELECT a.discount_bps FROM sourcing_agreements a WHERE a.consortium_id = v.consortium_id
	  AND a.supplier_id = v.supplier_id AND a.seller_id = $3::uuid AND a.status = 'APPROVED'), 0)
	FROM offer_variants v JOIN offers o ON o.consortium_id = v.consortium_id AND o.id = v.offer_id
	WHERE ` + offerVisibleSQL

func scanVariant(row pgx.Row) (*Variant, error) {
	var v Variant
	var opts map[string]string
	var tiers [][2]int64
	var direct bool
	var lat, lng *float64
	var region *string
	var d DirectShipping
	err := row.Scan(&v.ID, &v.OfferID, &v.SupplierID, &v.SKU, &v.GTIN, &opts, &v.WeightGrams, &v.Currency,
		&v.Wholesale, &v.SuggestedRetail, &v.MinimumResale, &tiers,
		&v.Availability, &v.Quantity, &v.LeadTimeDays,
		&direct, &lat, &lng, &region, &d.ShipsTo, &d.LeadTimeDays, &d.ShippingCost,
		&v.WarehouseIDs, &v.WarehouseHandles, &v.Status, &v.Version, &v.CreatedAt, &v.UpdatedAt, &v.DiscountBps)
	if err != nil {
		return nil, err
	}
	v.Options = attrsFrom(opts)
	for _, t := range tiers {
		v.Tiers = append(v.Tiers, Tier{MinQuantity: int(t[0]), Price: t[1]})
	}
	if direct && lat != nil && lng != nil && region != nil {
		d.Latitude, d.Longitude, d.Region = *lat, *lng, *region
		v.Direct = &d
	}
	v.EffectiveWholesale = ApplyDiscount(v.Wholesale, v.DiscountBps)
	return &v, nil
}

func collectVariants(rows pgx.Rows, err error) ([]*Variant, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Variant, error) { return scanVariant(r) })
}

// VariantsByOfferIDs returns the variants of each offer in offerIDs (by SKU), in
// offerIDs' order; an offer the caller may not see has none. One statement per batch.
func (s *Service) VariantsByOfferIDs(ctx context.Context, p tenants.Principal, offerIDs []uuid.UUID) ([][]*Variant, error) {
	byOffer := map[uuid.UUID][]*Variant{}
	v := viewerOf(p)
	vs, err := readAll(ctx, s.pool, p, variantSelect+` AND v.offer_id = ANY($4) ORDER BY v.offer_id, v.sku`, v.args(offerIDs), func(r pgx.CollectableRow) (*Variant, error) { return scanVariant(r) })
	for _, x := range vs {
		byOffer[x.OfferID] = append(byOffer[x.OfferID], x)
	}
	out := make([][]*Variant, len(offerIDs))
	for i, id := range offerIDs {
		out[i] = byOffer[id]
	}
	return out, err
}

// VariantsByIDs returns the variants among ids in ids' order, nil where the caller may
// not see one.
func (s *Service) VariantsByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Variant, error) {
	byID := map[uuid.UUID]*Variant{}
	v := viewerOf(p)
	vs, err := readAll(ctx, s.pool, p, variantSelect+` AND v.id = ANY($4)`, v.args(ids), func(r pgx.CollectableRow) (*Variant, error) { return scanVariant(r) })
	for _, x := range vs {
		byID[x.ID] = x
	}
	out := make([]*Variant, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

func variantsByIDsTx(ctx context.Context, tx pgx.Tx, v viewer, ids []uuid.UUID, into map[uuid.UUID]*Variant) error {
	vs, err := collectVariants(tx.Query(ctx, variantSelect+` AND v.id = ANY($4)`, v.args(ids)...))
	for _, x := range vs {
		into[x.ID] = x
	}
	return err
}

// VariantBySKU returns the caller's own variant with sku (suppliers' systems address
// variants by SKU).
func (s *Service) VariantBySKU(ctx context.Context, p tenants.Principal, sku string) (*Variant, error) {
	vs, err := readAll(ctx, s.pool, p, variantSelect+` AND v.supplier_id = $3::uuid AND v.sku = $4`, viewerOf(p).args(sku), func(r pgx.CollectableRow) (*Variant, error) { return scanVariant(r) })
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, apperr.NotFound("variant")
	}
	return vs[0], nil
}

// TiersByVariantIDs returns each variant's price tiers as they apply to the caller (the
// caller's agreement discount taken off), in ids' order; empty for variants without
// tiers and for those it may not see. One statement per batch.
func (s *Service) TiersByVariantIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([][]Tier, error) {
	out := make([][]Tier, len(ids))
	byID := map[uuid.UUID][]Tier{}
	v := viewerOf(p)
	type row struct {
		id  uuid.UUID
		t   Tier
		bps int
	}
	rows, err := readAll(ctx, s.pool, p, `SELECT v.id, t.min_quantity, t.price,
			coalesce((SELECT a.discount_bps FROM sourcing_agreements a WHERE a.consortium_id = v.consortium_id
			  AND a.supplier_id = v.supplier_id AND a.seller_id = $3::uuid AND a.status = 'APPROVED'), 0)
			FROM offer_variants v JOIN offers o ON o.consortium_id = v.consortium_id AND o.id = v.offer_id
			JOIN variant_price_tiers t ON t.consortium_id = v.consortium_id AND t.variant_id = v.id
			WHERE `+offerVisibleSQL+` AND v.id = ANY($4) ORDER BY v.id, t.min_quantity`, v.args(ids),
		func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.t.MinQuantity, &x.t.Price, &x.bps)
			return x, err
		})
	for _, x := range rows {
		x.t.Price = ApplyDiscount(x.t.Price, x.bps)
		byID[x.id] = append(byID[x.id], x.t)
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}
