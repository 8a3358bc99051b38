package catalog

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// CreateVariant adds a variant to one of the caller's offers. A new variant matters to
// listings of the offer, so it is recorded in the change log (old values null).
func (s *Service) CreateVariant(ctx context.Context, p tenants.Principal, offerID uuid.UUID, in VariantCreate) (*Variant, error) {
	if err := requireOfferEditor(p); err != nil {
		return nil, err
	}
	var out *Variant
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM offer_variants v WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id)
			FROM offers o WHERE o.consortium_id = $1 AND o.id = $2 AND o.supplier_id = $3 FOR UPDATE OF o`,
			p.ConsortiumID, offerID, p.MemberID).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("offer")
		} else if err != nil {
			return err
		}
		if n >= MaxVariants {
			return apperr.Conflict("offerId", "an offer has at most %d variants", MaxVariants)
		}
		currency, err := consortiumCurrency(ctx, tx, p.ConsortiumID)
		if err != nil {
			return err
		}
		if err := in.Validate("", currency); err != nil {
			return err
		}
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "offerVariantCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			vs := []VariantCreate{in}
			none := func(int) string { return "" }
			whs, whErr := resolveVariantWarehouses(ctx, tx, p.ConsortiumID, vs, none)
			if err := errors.Join(whErr, checkSKUsFree(ctx, tx, p.ConsortiumID, p.MemberID, vs, none)); err != nil {
				return uuid.Nil, err
			}
			ids, err := insertVariants(ctx, tx, p.ConsortiumID, p.MemberID, offerID, vs, whs)
			if err != nil {
				return uuid.Nil, err
			}
			if err := insertChange(ctx, tx, p.ConsortiumID, offerID, &ids[0], p.MemberID, 1, Actor(p), diff(nil, variantState(StatusActive, in))); err != nil {
				return uuid.Nil, err
			}
			return ids[0], s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, OfferIDs: []uuid.UUID{offerID}})
		})
		if err != nil {
			return err
		}
		out, err = variantInTx(ctx, tx, p, id)
		return err
	})
	if db.IsUniqueViolation(err, "offer_variants_sku_key") {
		return nil, apperr.Conflict("sku", "SKU %q is already used by another of your variants", in.SKU)
	}
	return out, err
}

// UpdateVariant changes the set fields of one of the caller's variants. Changes of
// prices, tiers, floor, availability or status bump the variant's version and are
// recorded in the change log, in the same transaction.
func (s *Service) UpdateVariant(ctx context.Context, p tenants.Principal, id uuid.UUID, in VariantUpdate) (*Variant, error) {
	if err := requireOfferEditor(p); err != nil {
		return nil, err
	}
	if in.Status != nil && !oneOf(*in.Status, StatusActive, StatusDiscontinued) {
		return nil, apperr.Invalid("status", "must be ACTIVE or DISCONTINUED")
	}
	var out *Variant
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		v := viewerOf(p)
		vs, err := collectVariants(tx.Query(ctx, variantSelect+` AND v.supplier_id = $3::uuid AND v.id = $4 FOR UPDATE OF v`, v.args(id)...))
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return apperr.NotFound("variant")
		}
		cur := vs[0]
		currency, err := consortiumCurrency(ctx, tx, p.ConsortiumID)
		if err != nil {
			return err
		}
		before := VariantUpdate{}.apply(cur, cur.WarehouseHandles)
		after := in.apply(cur, cur.WarehouseHandles)
		if err := after.Validate("", currency); err != nil {
			return err
		}
		whIDs := cur.WarehouseIDs
		if in.Warehouses != nil {
			whs, err := resolveVariantWarehouses(ctx, tx, p.ConsortiumID, []VariantCreate{after}, func(int) string { return "" })
			if err != nil {
				return err
			}
			whIDs = whs[0]
		}
		status := cur.Status
		if in.Status != nil {
			status = *in.Status
		}
		changes := diff(variantState(cur.Status, before), variantState(status, after))
		bump := 0
		if len(changes) > 0 {
			bump = 1
		}
		var gtin, region *string
		if after.GTIN != "" {
			gtin = &after.GTIN
		}
		var lat, lng *float64
		d := DirectShipping{ShipsTo: []string{}}
		if after.Direct != nil {
			d = *after.Direct
			lat, lng, region = &d.Latitude, &d.Longitude, &d.Region
		}
		var version int
		err = tx.QueryRow(ctx, `UPDATE offer_variants SET gtin = $4, options = $5, weight_grams = $6, currency = $7,
			  wholesale_price = $8, suggested_retail_price = $9, minimum_resale_price = $10,
			  availability = $11, available_quantity = $12, made_to_order_days = $13,
			  ships_direct = $14, ship_from_latitude = $15, ship_from_longitude = $16, ship_from_region = $17,
			  ships_to_regions = $18, direct_lead_time_days = $19, direct_shipping_cost = $20,
			  status = $21, version = version + $22, updated_at = now()
			WHERE consortium_id = $1 AND id = $2 AND supplier_id = $3 RETURNING version`,
			p.ConsortiumID, id, p.MemberID, gtin, attrsJSON(after.Options), after.WeightGrams, after.Currency,
			after.Prices.Wholesale, after.Prices.SuggestedRetail, after.Prices.MinimumResale,
			after.Availability, after.Quantity, after.LeadTimeDays,
			after.Direct != nil, lat, lng, region, nonNil(d.ShipsTo), d.LeadTimeDays, d.ShippingCost,
			status, bump).Scan(&version)
		if err != nil {
			return err
		}
		if _, ok := changes["priceTiers"]; ok {
			if err := replaceTiers(ctx, tx, p.ConsortiumID, p.MemberID, id, after.Prices.Tiers); err != nil {
				return err
			}
		}
		if !sameIDs(whIDs, cur.WarehouseIDs) {
			if err := replaceWarehouses(ctx, tx, p.ConsortiumID, p.MemberID, id, whIDs); err != nil {
				return err
			}
		}
		if bump == 1 {
			if err := insertChange(ctx, tx, p.ConsortiumID, cur.OfferID, &id, p.MemberID, version, Actor(p), changes); err != nil {
				return err
			}
		}
		if err := s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, OfferIDs: []uuid.UUID{cur.OfferID}}); err != nil {
			return err
		}
		out, err = variantInTx(ctx, tx, p, id)
		return err
	})
	return out, err
}

// DiscontinueVariant marks one of the caller's variants DISCONTINUED.
func (s *Service) DiscontinueVariant(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Variant, error) {
	st := StatusDiscontinued
	return s.UpdateVariant(ctx, p, id, VariantUpdate{Status: &st})
}

func variantInTx(ctx context.Context, tx pgx.Tx, p tenants.Principal, id uuid.UUID) (*Variant, error) {
	m := map[uuid.UUID]*Variant{}
	if err := variantsByIDsTx(ctx, tx, viewerOf(p), []uuid.UUID{id}, m); err != nil {
		return nil, err
	}
	if m[id] == nil {
		return nil, apperr.NotFound("variant")
	}
	return m[id], nil
}

func replaceTiers(ctx context.Context, tx pgx.Tx, consortium, supplier, variantID uuid.UUID, tiers []Tier) error {
	qs, ps := make([]int32, len(tiers)), make([]int64, len(tiers))
	for i, t := range tiers {
		qs[i], ps[i] = int32(t.MinQuantity), t.Price
	}
	// The delete spares the quantities the insert writes, so the two parts of the one
	// statement never touch the same row.
	_, err := tx.Exec(ctx, `WITH del AS (DELETE FROM variant_price_tiers WHERE consortium_id = $1 AND variant_id = $2 AND min_quantity <> ALL($3))
		INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price)
		SELECT $1, $5, $2, * FROM unnest($3::int[], $4::bigint[])
		ON CONFLICT (consortium_id, variant_id, min_quantity) DO UPDATE SET price = EXCLUDED.price`, consortium, variantID, qs, ps, supplier)
	return err
}

func replaceWarehouses(ctx context.Context, tx pgx.Tx, consortium, supplier, variantID uuid.UUID, ids []uuid.UUID) error {
	_, err := tx.Exec(ctx, `WITH del AS (DELETE FROM variant_warehouses WHERE consortium_id = $1 AND variant_id = $2 AND warehouse_id <> ALL($3))
		INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
		SELECT $1, $4, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING`, consortium, variantID, nonNilIDs(ids), supplier)
	return err
}

func sameIDs(a, b []uuid.UUID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmp := func(x, y uuid.UUID) int { return slices.Compare(x[:], y[:]) }
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func nonNilIDs(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}
