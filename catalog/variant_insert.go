package catalog

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
)

// consortiumCurrency is the currency every price of the consortium is in.
func consortiumCurrency(ctx context.Context, tx pgx.Tx, consortium uuid.UUID) (string, error) {
	var c string
	err := tx.QueryRow(ctx, `SELECT currency FROM consortia WHERE id = $1`, consortium).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.NotFound("consortium")
	}
	return c, err
}

// resolveVariantWarehouses resolves the warehouse handles of all variants with one
// statement; field(i) names variant i in errors.
func resolveVariantWarehouses(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, vs []VariantCreate, field func(i int) string) ([][]uuid.UUID, error) {
	var all []string
	seen := map[string]bool{}
	for _, v := range vs {
		for _, h := range v.Warehouses {
			if !seen[h] {
				seen[h] = true
				all = append(all, h)
			}
		}
	}
	out := make([][]uuid.UUID, len(vs))
	if len(all) == 0 {
		return out, nil
	}
	known, err := warehouseIDsByHandle(ctx, tx, consortium, all)
	if err != nil {
		return nil, err
	}
	var errs []error
	for i, v := range vs {
		dup := map[uuid.UUID]bool{}
		for j, h := range v.Warehouses {
			id, ok := known[h]
			if !ok {
				errs = append(errs, apperr.Invalid(field(i)+"warehouses."+itoa(j), "unknown warehouse %q", h))
				continue
			}
			if !dup[id] {
				dup[id] = true
				out[i] = append(out[i], id)
			}
		}
	}
	return out, errors.Join(errs...)
}

// checkSKUsFree reports SKUs of vs the supplier already uses, as Conflict errors.
func checkSKUsFree(ctx context.Context, tx pgx.Tx, consortium, supplier uuid.UUID, vs []VariantCreate, field func(i int) string) error {
	skus := make([]string, len(vs))
	for i, v := range vs {
		skus[i] = v.SKU
	}
	rows, err := tx.Query(ctx, `SELECT sku FROM offer_variants WHERE consortium_id = $1 AND supplier_id = $2 AND sku = ANY($3)`, consortium, supplier, skus)
	if err != nil {
		return err
	}
	taken, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, s := range taken {
		used[s] = true
	}
	var errs []error
	for i, v := range vs {
		if used[v.SKU] {
			errs = append(errs, apperr.Conflict(field(i)+"sku", "SKU %q is already used by another of your variants", v.SKU))
		}
	}
	return errors.Join(errs...)
}

// insertVariants inserts validated variants of one offer with three statements whatever
// their number (variants, tiers, warehouses), and returns their ids in order.
func insertVariants(ctx context.Context, tx pgx.Tx, consortium, supplier, offerID uuid.UUID, vs []VariantCreate, warehouses [][]uuid.UUID) ([]uuid.UUID, error) {
	n := len(vs)
	var (
		sku, currency, avail          = make([]string, n), make([]string, n), make([]string, n)
		gtin, region                  = make([]*string, n), make([]*string, n)
		opts                          = make([]map[string]string, n)
		weight, qty, days, directDays = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		whole, retail, cost           = make([]int64, n), make([]int64, n), make([]int64, n)
		floor                         = make([]*int64, n)
		direct                        = make([]bool, n)
		lat, lng                      = make([]*float64, n), make([]*float64, n)
		shipsTo                       = make([]string, n)
		tierVariant, tierQty          []int
		tierPrices                    []int64
		whVariant                     []int
		whID                          []uuid.UUID
	)
	for i, v := range vs {
		sku[i], currency[i], avail[i] = v.SKU, v.Currency, v.Availability
		if v.GTIN != "" {
			g := v.GTIN
			gtin[i] = &g
		}
		opts[i] = attrsJSON(v.Options)
		weight[i], qty[i], days[i] = int32(v.WeightGrams), int32(v.Quantity), int32(v.LeadTimeDays)
		whole[i], retail[i], floor[i] = v.Prices.Wholesale, v.Prices.SuggestedRetail, v.Prices.MinimumResale
		if d := v.Direct; d != nil {
			direct[i] = true
			la, lo, r := d.Latitude, d.Longitude, d.Region
			lat[i], lng[i], region[i] = &la, &lo, &r
			directDays[i], cost[i] = int32(d.LeadTimeDays), d.ShippingCost
			shipsTo[i] = joinRegions(d.ShipsTo)
		}
		for _, t := range v.Prices.Tiers {
			tierVariant, tierQty, tierPrices = append(tierVariant, i), append(tierQty, t.MinQuantity), append(tierPrices, t.Price)
		}
		for _, w := range warehouses[i] {
			whVariant, whID = append(whVariant, i), append(whID, w)
		}
	}
	// Regions travel as space-joined strings (region codes have no spaces) because
	// PostgreSQL arrays cannot be ragged.
	rows, err := tx.Query(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, gtin, options, weight_grams, currency,
		  wholesale_price, suggested_retail_price, minimum_resale_price, availability, available_quantity, made_to_order_days,
		  ships_direct, ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, direct_lead_time_days, direct_shipping_cost)
		SELECT $1, $2, $3, u.sku, u.gtin, u.opts, u.weight, u.currency, u.whole, u.retail, u.floor, u.avail, u.qty, u.days,
		  u.direct, u.lat, u.lng, u.region, coalesce(string_to_array(nullif(u.ships_to, ''), ' '), '{}')::text[], u.direct_days, u.cost
		FROM unnest($4::text[], $5::text[], $6::jsonb[], $7::int[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[],
		  $12::text[], $13::int[], $14::int[], $15::bool[], $16::float8[], $17::float8[], $18::text[], $19::text[], $20::int[], $21::bigint[])
		  WITH ORDINALITY AS u(sku, gtin, opts, weight, currency, whole, retail, floor, avail, qty, days, direct, lat, lng, region, ships_to, direct_days, cost, ord)
		ORDER BY u.ord
		RETURNING sku, id`,
		consortium, offerID, supplier, sku, gtin, opts, weight, currency, whole, retail, floor, avail, qty, days,
		direct, lat, lng, region, shipsTo, directDays, cost)
	if err != nil {
		return nil, err
	}
	bySKU := map[string]uuid.UUID{}
	for rows.Next() {
		var s string
		var id uuid.UUID
		if err := rows.Scan(&s, &id); err != nil {
			return nil, err
		}
		bySKU[s] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, n)
	for i, v := range vs {
		ids[i] = bySKU[v.SKU]
	}
	if len(tierVariant) > 0 {
		tv := make([]uuid.UUID, len(tierVariant))
		for k, i := range tierVariant {
			tv[k] = ids[i]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price)
			SELECT $1, $2, * FROM unnest($3::uuid[], $4::int[], $5::bigint[])`, consortium, supplier, tv, tierQty, tierPrices); err != nil {
			return nil, err
		}
	}
	if len(whVariant) > 0 {
		wv := make([]uuid.UUID, len(whVariant))
		for k, i := range whVariant {
			wv[k] = ids[i]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
			SELECT $1, $2, * FROM unnest($3::uuid[], $4::uuid[])`, consortium, supplier, wv, whID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func joinRegions(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += " "
		}
		out += r
	}
	return out
}
