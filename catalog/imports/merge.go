package imports

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// chunk is a run of whole offers (never split) written in one transaction, with the
// errors of the rows it skipped.
type chunk struct {
	seq      int // 1, 2, … in file order
	offers   []offerData
	variants []variantData
	errs     []RowError
	rows     int // rows read, good and bad
	failed   int // rows skipped (counted in rows)
	lastLine int
}

// counts are what a chunk's merge did.
type counts struct {
	created, updated int
}

// errSuperseded means another run of the same job committed the chunk first (a job
// rescued by River while its first run still worked): this run skips it.
var errSuperseded = errors.New("imports: chunk committed by another run")

const createStageSQL = `
CREATE TEMP TABLE imp_offers (LIKE import_offers_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) ON COMMIT DROP;
CREATE TEMP TABLE imp_variants (LIKE import_variants_template INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) ON COMMIT DROP`

var offerStageCols = []string{"id", "created", "handle", "row_number", "title", "description", "brand", "category_id", "images", "status", "visibility"}

var variantStageCols = []string{"id", "created", "sku", "row_number", "offer_handle", "gtin", "options", "weight_grams",
	"wholesale_price", "suggested_retail_price", "minimum_resale_price", "tier_quantities", "tier_prices",
	"availability", "available_quantity", "made_to_order_days", "ships_direct", "ship_from_latitude",
	"ship_from_longitude", "ship_from_region", "ships_to_regions", "direct_lead_time_days",
	"direct_shipping_cost", "warehouse_ids"}

// Every staged offer and variant arrives with a new id (generated here) and created =
// true; the merges point the existing ones at their row instead. New rows are inserted
// with those ids and without RETURNING, which would make PostgreSQL check every new row
// against the read policy (an offer lookup per variant).

// mergeOffersSQL upserts the staged offers by (supplier, handle). Existing rows are locked
// and read first (cur), so the change log compares with what was there. As in catalog,
// only status and visibility (and with it the allow-list) bump the version and are
// logged; other content is rewritten only when it differs. Switching to CONSORTIUM drops
// the allow-list. It returns the ids of the offers written that changed (for search). New
// offers are plain INSERTs: one created by hand between the lookup and the insert fails
// the chunk with a unique violation, and the job's retry updates it.
// $1 consortium, $2 supplier, $3 actor.
const mergeOffersSQL = `
WITH cur AS (
  SELECT s.handle, o.id, o.title, o.description, o.brand, o.category_id, o.images, o.status, o.visibility,
         CASE WHEN o.visibility = 'ALLOW_LIST' THEN coalesce(
           (SELECT to_jsonb(array_agg(ov.member_id ORDER BY ov.member_id)) FROM offer_visibility ov
             WHERE ov.consortium_id = o.consortium_id AND ov.offer_id = o.id), '[]'::jsonb) END AS allow_list
    FROM imp_offers s
   CROSS JOIN LATERAL (SELECT * FROM offers o
                        WHERE o.consortium_id = $1 AND o.supplier_id = $2 AND o.handle = s.handle FOR UPDATE) o
), fresh AS (
  SELECT s.* FROM imp_offers s WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.handle = s.handle)
), ins AS (
  INSERT INTO offers (consortium_id, id, supplier_id, handle, title, description, brand, category_id, images, status, visibility)
  SELECT $1, f.id, $2, f.handle, f.title, f.description, f.brand, f.category_id, f.images,
         coalesce(f.status, 'DRAFT'), coalesce(f.visibility, 'CONSORTIUM')
    FROM fresh f
), upd AS (
  UPDATE offers o
     SET title = s.title, description = s.description, brand = s.brand, category_id = s.category_id,
         images = s.images, status = coalesce(s.status, cur.status), visibility = coalesce(s.visibility, cur.visibility),
         version = o.version + CASE WHEN (cur.status, cur.visibility) IS DISTINCT FROM
                                         (coalesce(s.status, cur.status), coalesce(s.visibility, cur.visibility)) THEN 1 ELSE 0 END,
         updated_at = now()
    FROM imp_offers s JOIN cur ON cur.handle = s.handle
   WHERE o.consortium_id = $1 AND o.id = cur.id
     AND (cur.title, cur.description, cur.brand, cur.category_id, cur.images, cur.status, cur.visibility)
         IS DISTINCT FROM
         (s.title, s.description, s.brand, s.category_id, s.images, coalesce(s.status, cur.status), coalesce(s.visibility, cur.visibility))
  RETURNING o.id, o.version, cur.status AS old_status, o.status, cur.visibility AS old_visibility, o.visibility, cur.allow_list
), log AS (
  INSERT INTO offer_changes (consortium_id, offer_id, supplier_id, version, actor, changes)
  SELECT $1, u.id, $2, u.version, $3, c.changes
    FROM upd u
   CROSS JOIN LATERAL (SELECT import_changes(
           jsonb_build_array('status', import_change(u.old_status, u.status)),
           jsonb_build_array('visibility', import_change(u.old_visibility, u.visibility)),
           jsonb_build_array('allowList', import_change(u.allow_list,
             CASE WHEN u.visibility = 'ALLOW_LIST' THEN coalesce(u.allow_list, '[]'::jsonb) END))) AS changes) c
   WHERE c.changes IS NOT NULL
), unlisted AS (
  DELETE FROM offer_visibility ov USING upd u
   WHERE u.old_visibility = 'ALLOW_LIST' AND u.visibility = 'CONSORTIUM' AND ov.consortium_id = $1 AND ov.offer_id = u.id
), ids AS (
  UPDATE imp_offers s SET id = cur.id, created = false FROM cur WHERE s.handle = cur.handle
)
SELECT coalesce((SELECT array_agg(id) FROM (SELECT id FROM fresh UNION SELECT id FROM upd) c), '{}')`

// mergeVariantsSQL upserts the staged variants by (supplier, SKU) the same way. As in
// catalog, the version bumps and the change log records only what listings depend on
// (prices, tiers, availability); a variant added to an existing offer is logged at
// version 1 with every value new. New variants get their tiers and warehouse links here;
// for existing ones it marks which need them rewritten (tiersSQL), so a re-run of an
// unchanged file touches nothing. It returns how many variants it inserted, how many
// existed, and the offers whose variants changed. $4 is the consortium currency.
const mergeVariantsSQL = `
WITH cur AS (
  SELECT s.sku, v.id, v.offer_id, v.gtin, v.options, v.weight_grams, v.wholesale_price, v.suggested_retail_price,
         v.minimum_resale_price, v.availability, v.available_quantity, v.made_to_order_days, v.ships_direct,
         v.ship_from_latitude, v.ship_from_longitude, v.ship_from_region, v.ships_to_regions,
         v.direct_lead_time_days, v.direct_shipping_cost,
         coalesce(t.quantities, '{}') AS tier_quantities, coalesce(t.prices, '{}') AS tier_prices,
         coalesce(w.ids, '{}') AS warehouse_ids
    FROM imp_variants s
   CROSS JOIN LATERAL (SELECT * FROM offer_variants v
                        WHERE v.consortium_id = $1 AND v.supplier_id = $2 AND v.sku = s.sku FOR UPDATE) v
    LEFT JOIN LATERAL (SELECT array_agg(min_quantity ORDER BY min_quantity) AS quantities,
                              array_agg(price ORDER BY min_quantity) AS prices
                         FROM variant_price_tiers WHERE consortium_id = $1 AND variant_id = v.id) t ON true
    LEFT JOIN LATERAL (SELECT array_agg(warehouse_id ORDER BY warehouse_id) AS ids
                         FROM variant_warehouses WHERE consortium_id = $1 AND variant_id = v.id) w ON true
), fresh AS (
  SELECT s.*, o.id AS offer_id, o.created AS offer_created
    FROM imp_variants s JOIN imp_offers o ON o.handle = s.offer_handle
   WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.sku = s.sku)
), ins AS (
  INSERT INTO offer_variants (consortium_id, id, offer_id, supplier_id, sku, gtin, options, weight_grams, currency,
         wholesale_price, suggested_retail_price, minimum_resale_price, availability, available_quantity,
         made_to_order_days, ships_direct, ship_from_latitude, ship_from_longitude, ship_from_region,
         ships_to_regions, direct_lead_time_days, direct_shipping_cost)
  SELECT $1, f.id, f.offer_id, $2, f.sku, f.gtin, f.options, f.weight_grams, $4,
         f.wholesale_price, f.suggested_retail_price, f.minimum_resale_price, f.availability, f.available_quantity,
         f.made_to_order_days, f.ships_direct, f.ship_from_latitude, f.ship_from_longitude, f.ship_from_region,
         f.ships_to_regions, f.direct_lead_time_days, f.direct_shipping_cost
    FROM fresh f
), tiers AS (
  INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price)
  SELECT $1, $2, f.id, t.q, t.p FROM fresh f, unnest(f.tier_quantities, f.tier_prices) AS t(q, p)
), links AS (
  INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
  SELECT $1, $2, f.id, w FROM fresh f, unnest(f.warehouse_ids) AS w
), upd AS (
  UPDATE offer_variants v
     SET offer_id = o.id, gtin = s.gtin, options = s.options, weight_grams = s.weight_grams,
         wholesale_price = s.wholesale_price, suggested_retail_price = s.suggested_retail_price,
         minimum_resale_price = s.minimum_resale_price, availability = s.availability,
         available_quantity = s.available_quantity, made_to_order_days = s.made_to_order_days,
         ships_direct = s.ships_direct, ship_from_latitude = s.ship_from_latitude,
         ship_from_longitude = s.ship_from_longitude, ship_from_region = s.ship_from_region,
         ships_to_regions = s.ships_to_regions, direct_lead_time_days = s.direct_lead_time_days,
         direct_shipping_cost = s.direct_shipping_cost,
         version = v.version + CASE WHEN
             (cur.wholesale_price, cur.suggested_retail_price, cur.minimum_resale_price, cur.tier_quantities, cur.tier_prices,
              cur.availability, cur.available_quantity, cur.made_to_order_days)
             IS DISTINCT FROM
             (s.wholesale_price, s.suggested_retail_price, s.minimum_resale_price, s.tier_quantities, s.tier_prices,
              s.availability, s.available_quantity, s.made_to_order_days) THEN 1 ELSE 0 END,
         updated_at = now()
    FROM imp_variants s JOIN cur ON cur.sku = s.sku JOIN imp_offers o ON o.handle = s.offer_handle
   WHERE v.consortium_id = $1 AND v.id = cur.id
     AND (cur.offer_id, cur.gtin, cur.options, cur.weight_grams, cur.wholesale_price, cur.suggested_retail_price,
          cur.minimum_resale_price, cur.availability, cur.available_quantity, cur.made_to_order_days,
          cur.ships_direct, cur.ship_from_latitude, cur.ship_from_longitude, cur.ship_from_region,
          cur.ships_to_regions, cur.direct_lead_time_days, cur.direct_shipping_cost,
          cur.tier_quantities, cur.tier_prices, cur.warehouse_ids)
         IS DISTINCT FROM
         (o.id, s.gtin, s.options, s.weight_grams, s.wholesale_price, s.suggested_retail_price,
          s.minimum_resale_price, s.availability, s.available_quantity, s.made_to_order_days,
          s.ships_direct, s.ship_from_latitude, s.ship_from_longitude, s.ship_from_region,
          s.ships_to_regions, s.direct_lead_time_days, s.direct_shipping_cost,
          s.tier_quantities, s.tier_prices, s.warehouse_ids)
  RETURNING v.id, v.offer_id, v.version, cur.offer_id AS old_offer_id
), log AS (
  INSERT INTO offer_changes (consortium_id, offer_id, variant_id, supplier_id, version, actor, changes)
  SELECT $1, u.offer_id, u.id, $2, u.version, $3, c.changes
    FROM upd u JOIN cur ON cur.id = u.id JOIN imp_variants s ON s.sku = cur.sku
   CROSS JOIN LATERAL (SELECT import_changes(
           jsonb_build_array('wholesalePrice', import_change(cur.wholesale_price, s.wholesale_price)),
           jsonb_build_array('priceTiers', import_change(import_tiers_json(cur.tier_quantities, cur.tier_prices),
                                                         import_tiers_json(s.tier_quantities, s.tier_prices))),
           jsonb_build_array('suggestedRetailPrice', import_change(cur.suggested_retail_price, s.suggested_retail_price)),
           jsonb_build_array('minimumResalePrice', import_change(cur.minimum_resale_price, s.minimum_resale_price)),
           jsonb_build_array('availability', import_change(cur.availability, s.availability)),
           jsonb_build_array('quantity', import_change(cur.available_quantity, s.available_quantity)),
           jsonb_build_array('leadTimeDays', import_change(cur.made_to_order_days, s.made_to_order_days))) AS changes) c
   WHERE c.changes IS NOT NULL
  UNION ALL
  SELECT $1, f.offer_id, f.id, $2, 1, $3, import_changes(
           jsonb_build_array('status', import_change(NULL::text, 'ACTIVE'::text)),
           jsonb_build_array('currency', import_change(NULL::text, $4::text)),
           jsonb_build_array('wholesalePrice', import_change(NULL::bigint, f.wholesale_price)),
           jsonb_build_array('priceTiers', import_change(NULL::jsonb, import_tiers_json(f.tier_quantities, f.tier_prices))),
           jsonb_build_array('suggestedRetailPrice', import_change(NULL::bigint, f.suggested_retail_price)),
           jsonb_build_array('minimumResalePrice', import_change(NULL::bigint, f.minimum_resale_price)),
           jsonb_build_array('availability', import_change(NULL::text, f.availability)),
           jsonb_build_array('quantity', import_change(NULL::integer, f.available_quantity)),
           jsonb_build_array('leadTimeDays', import_change(NULL::integer, f.made_to_order_days)))
    FROM fresh f
   WHERE NOT f.offer_created
), ids AS (
  UPDATE imp_variants s
     SET id = cur.id, created = false,
         tiers_changed = (cur.tier_quantities, cur.tier_prices) IS DISTINCT FROM (s.tier_quantities, s.tier_prices),
         warehouses_changed = cur.warehouse_ids IS DISTINCT FROM s.warehouse_ids
    FROM cur WHERE s.sku = cur.sku
)
SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM cur),
       coalesce((SELECT array_agg(DISTINCT id) FROM (
         SELECT offer_id FROM fresh UNION ALL SELECT offer_id FROM upd UNION ALL SELECT old_offer_id FROM upd) c(id)), '{}')`

// tiersSQL replaces the tiers and warehouse links of the existing variants marked above:
// all of them go and the listed ones are inserted. $1 consortium, $2 supplier.
var tiersSQL = []string{
	`DELETE FROM variant_price_tiers t USING imp_variants s
 WHERE s.tiers_changed AND NOT s.created AND t.consortium_id = $1 AND t.variant_id = s.id AND t.supplier_id = $2`,
	`INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price)
SELECT $1, $2, s.id, t.q, t.p FROM imp_variants s, unnest(s.tier_quantities, s.tier_prices) AS t(q, p) WHERE s.tiers_changed AND NOT s.created`,
	`DELETE FROM variant_warehouses w USING imp_variants s
 WHERE s.warehouses_changed AND NOT s.created AND w.consortium_id = $1 AND w.variant_id = s.id AND w.supplier_id = $2`,
	`INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
SELECT $1, $2, s.id, w FROM imp_variants s, unnest(s.warehouse_ids) AS w WHERE s.warehouses_changed AND NOT s.created`,
}

// searchBatch is how many offer ids one search update job carries.
const searchBatch = 1000

// merge writes a chunk's good offers into the catalog inside tx and enqueues the search
// update of the offers that changed, in the same transaction.
func (r *run) merge(ctx context.Context, tx pgx.Tx, c *chunk) (counts, error) {
	a := r.args
	if err := r.checkStatusMoves(ctx, tx, c); err != nil {
		return counts{}, err
	}
	if len(c.offers) == 0 {
		return counts{}, nil
	}
	if _, err := tx.Exec(ctx, createStageSQL); err != nil {
		return counts{}, fmt.Errorf("create staging tables: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"imp_offers"}, offerStageCols, pgx.CopyFromSlice(len(c.offers), func(i int) ([]any, error) {
		o := &c.offers[i]
		return []any{newID(), true, o.handle, o.line, o.title, o.description, o.brand, o.categoryID, o.images, o.status, o.visibility}, nil
	})); err != nil {
		return counts{}, fmt.Errorf("copy offers: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"imp_variants"}, variantStageCols, pgx.CopyFromSlice(len(c.variants), func(i int) ([]any, error) {
		v := &c.variants[i]
		return []any{newID(), true, v.sku, v.line, v.offerHandle, v.gtin, v.options, v.weight, v.wholesale, v.suggested, v.minimum,
			v.tierQuantities, v.tierPrices, v.availability, v.quantity, v.leadTime, v.shipsDirect, v.lat, v.lng,
			v.region, v.shipsTo, v.directLead, v.directCost, v.warehouses}, nil
	})); err != nil {
		return counts{}, fmt.Errorf("copy variants: %w", err)
	}
	var changedOffers, changedByVariants []uuid.UUID
	if err := tx.QueryRow(ctx, mergeOffersSQL, a.ConsortiumID, a.SupplierID, r.actor).Scan(&changedOffers); err != nil {
		return counts{}, fmt.Errorf("merge offers: %w", err)
	}
	var inserted, existing int
	if err := tx.QueryRow(ctx, mergeVariantsSQL, a.ConsortiumID, a.SupplierID, r.actor, r.refs.currency).
		Scan(&inserted, &existing, &changedByVariants); err != nil {
		return counts{}, fmt.Errorf("merge variants: %w", err)
	}
	if inserted+existing != len(c.variants) {
		return counts{}, fmt.Errorf("merge variants: %d new and %d existing of %d variants", inserted, existing, len(c.variants))
	}
	if existing > 0 {
		b := &pgx.Batch{}
		for _, q := range tiersSQL {
			b.Queue(q, a.ConsortiumID, a.SupplierID)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return counts{}, fmt.Errorf("merge tiers and warehouses: %w", err)
		}
	}
	changed := append(changedOffers, changedByVariants...)
	slices.SortFunc(changed, func(x, y uuid.UUID) int { return bytes.Compare(x[:], y[:]) })
	changed = slices.Compact(changed)
	if r.enq != nil {
		for ids := range slices.Chunk(changed, searchBatch) {
			args := catalog.OffersChangedArgs{ConsortiumID: a.ConsortiumID, OfferIDs: ids}
			if _, err := r.enq.InsertTx(ctx, tx, args, &river.InsertOpts{MaxAttempts: 10}); err != nil {
				return counts{}, fmt.Errorf("enqueue search update: %w", err)
			}
		}
	}
	return counts{created: inserted, updated: existing}, nil
}

// checkStatusMoves applies catalog's status rules, which depend on the current status:
// a new offer is DRAFT or ACTIVE; an offer that left DRAFT never goes back (it is
// discontinued instead). Offers breaking them leave the chunk with an error on each row.
func (r *run) checkStatusMoves(ctx context.Context, tx pgx.Tx, c *chunk) error {
	var handles []string
	for _, o := range c.offers {
		if o.status != nil && *o.status != catalog.StatusActive {
			handles = append(handles, o.handle)
		}
	}
	if len(handles) == 0 {
		return nil
	}
	current := map[string]string{}
	rows, err := tx.Query(ctx, `SELECT handle, status FROM offers WHERE consortium_id = $1 AND supplier_id = $2 AND handle = ANY ($3)`,
		r.args.ConsortiumID, r.args.SupplierID, handles)
	if err != nil {
		return err
	}
	var h, st string
	if _, err := pgx.ForEachRow(rows, []any{&h, &st}, func() error { current[h] = st; return nil }); err != nil {
		return err
	}
	bad := map[string]string{}
	for _, o := range c.offers {
		if o.status == nil {
			continue
		}
		from, exists := current[o.handle]
		switch {
		case !exists && *o.status == catalog.StatusDiscontinued:
			bad[o.handle] = "a new offer is DRAFT or ACTIVE"
		case exists && *o.status == catalog.StatusDraft && from != catalog.StatusDraft:
			bad[o.handle] = fmt.Sprintf("the offer is %s and cannot go back to DRAFT; discontinue it instead", from)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	first := map[string]int{}
	c.offers = slices.DeleteFunc(c.offers, func(o offerData) bool {
		first[o.handle] = o.line
		return bad[o.handle] != ""
	})
	c.variants = slices.DeleteFunc(c.variants, func(v variantData) bool {
		msg := bad[v.offerHandle]
		if msg == "" {
			return false
		}
		e := RowError{Row: v.line, Field: colOfferStatus.String(), Message: msg}
		if v.line != first[v.offerHandle] {
			e = RowError{Row: v.line, Message: fmt.Sprintf("not imported: another row of offer %q has errors", v.offerHandle)}
		}
		c.errs = append(c.errs, e)
		c.failed++
		return true
	})
	return nil
}

// rowErrorRows merges the errors of a chunk into one row per (line, field), the key of
// import_job_errors, in file order.
func rowErrorRows(errs []RowError) []RowError {
	slices.SortStableFunc(errs, func(a, b RowError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), strings.Compare(a.Field, b.Field))
	})
	out := errs[:0]
	for _, e := range errs {
		if n := len(out); n > 0 && out[n-1].Row == e.Row && out[n-1].Field == e.Field {
			if !strings.Contains(out[n-1].Message, e.Message) {
				out[n-1].Message += "; " + e.Message
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// newID is the id of a new offer or variant: a version 7 UUID, which starts with the
// time, so the ids of an import's rows are neighbours in the primary key and foreign
// key indexes instead of scattered over them.
func newID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}
