package catalog

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// MaxAvailabilityBatch is the most SKUs one SetAvailability call takes.
const MaxAvailabilityBatch = 1000

// AvailabilityUpdate declares one SKU's availability: IN_STOCK with Quantity,
// MADE_TO_ORDER with LeadTimeDays, or OUT_OF_STOCK.
type AvailabilityUpdate struct {
	SKU          string
	Availability string
	Quantity     int
	LeadTimeDays int
}

// AvailabilityResult is the outcome for one update, in input order. Err is set (and
// nothing written for that SKU) for an invalid entry, a SKU given twice, or a SKU the
// supplier does not have; Changed is false when the SKU already had that availability.
type AvailabilityResult struct {
	SKU       string
	VariantID uuid.UUID
	Version   int
	Changed   bool
	Err       *apperr.Error
}

// SetAvailability declares the availability of up to MaxAvailabilityBatch of the
// caller's SKUs in one transaction and one statement, whatever their number: suppliers'
// ERPs call it often. Bad or unknown SKUs are reported per entry while the others are
// applied; each variant that actually changes gets a version bump and a change-log row.
func (s *Service) SetAvailability(ctx context.Context, p tenants.Principal, ups []AvailabilityUpdate) ([]AvailabilityResult, error) {
	if err := requireOfferEditor(p); err != nil {
		return nil, err
	}
	if len(ups) > MaxAvailabilityBatch {
		return nil, apperr.Invalid("updates", "at most %d SKUs per call", MaxAvailabilityBatch)
	}
	res := make([]AvailabilityResult, len(ups))
	idx := make(map[string]int, len(ups)) // SKU -> position of its valid entry
	var skus, avail []string
	var qty, days []int32
	for i, u := range ups {
		res[i].SKU = u.SKU
		f := "updates." + itoa(i)
		if !ValidSKU(u.SKU) {
			res[i].Err = apperr.Invalid(f+".sku", "is not a SKU")
			continue
		}
		if _, dup := idx[u.SKU]; dup {
			res[i].Err = apperr.Invalid(f+".sku", "SKU %q appears twice in this call", u.SKU)
			continue
		}
		q, d, errs := ValidateAvailability(f, u.Availability, u.Quantity, u.LeadTimeDays)
		if len(errs) > 0 {
			res[i].Err = errs[0]
			idx[u.SKU] = -1
			continue
		}
		idx[u.SKU] = i
		skus, avail = append(skus, u.SKU), append(avail, u.Availability)
		qty, days = append(qty, int32(q)), append(days, int32(d))
	}
	if len(skus) == 0 {
		return res, nil
	}
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		// cur locks the supplier's rows and keeps their old values; upd changes only rows
		// whose availability differs, and log records each of those with old and new.
		// QueryExecModeExec: plan with the actual arrays every time. A cached generic plan
		// cannot see the batch size and picks a nested loop that is quadratic in it.
		rows, err := tx.Query(ctx, `WITH input AS (
			  SELECT * FROM unnest($3::text[], $4::text[], $5::int[], $6::int[]) AS i(sku, availability, qty, days)
			), cur AS (
			  SELECT v.id, v.offer_id, v.sku, v.availability, v.available_quantity, v.made_to_order_days, v.version,
			    i.availability AS new_a, i.qty AS new_q, i.days AS new_d
			  FROM offer_variants v JOIN input i ON v.sku = i.sku
			  WHERE v.consortium_id = $1 AND v.supplier_id = $2
			  FOR UPDATE OF v
			), upd AS (
			  UPDATE offer_variants v SET availability = c.new_a, available_quantity = c.new_q, made_to_order_days = c.new_d,
			    version = c.version + 1, updated_at = now()
			  FROM cur c
			  WHERE v.consortium_id = $1 AND v.id = c.id
			    AND (c.availability, c.available_quantity, c.made_to_order_days) IS DISTINCT FROM (c.new_a, c.new_q, c.new_d)
			  RETURNING v.id, v.offer_id, v.version, c.availability AS old_a, c.available_quantity AS old_q, c.made_to_order_days AS old_d,
			    c.new_a, c.new_q, c.new_d
			), log AS (
			  INSERT INTO offer_changes (consortium_id, offer_id, variant_id, supplier_id, version, actor, changes)
			  SELECT $1, u.offer_id, u.id, $2, u.version, $7,
			    CASE WHEN u.old_a <> u.new_a THEN jsonb_build_object('availability', jsonb_build_object('old', u.old_a, 'new', u.new_a)) ELSE '{}' END ||
			    CASE WHEN u.old_q <> u.new_q THEN jsonb_build_object('quantity', jsonb_build_object('old', u.old_q, 'new', u.new_q)) ELSE '{}' END ||
			    CASE WHEN u.old_d <> u.new_d THEN jsonb_build_object('leadTimeDays', jsonb_build_object('old', u.old_d, 'new', u.new_d)) ELSE '{}' END
			  FROM upd u
			)
			SELECT c.sku, c.id, c.offer_id, coalesce(u.version, c.version), u.id IS NOT NULL FROM cur c LEFT JOIN upd u ON u.id = c.id`,
			pgx.QueryExecModeExec, p.ConsortiumID, p.MemberID, skus, avail, qty, days, Actor(p))
		if err != nil {
			return err
		}
		changedOffers := map[uuid.UUID]bool{}
		for rows.Next() {
			var sku string
			var r AvailabilityResult
			var offerID uuid.UUID
			if err := rows.Scan(&sku, &r.VariantID, &offerID, &r.Version, &r.Changed); err != nil {
				return err
			}
			r.SKU = sku
			res[idx[sku]] = r
			if r.Changed {
				changedOffers[offerID] = true
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(changedOffers) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, 0, len(changedOffers))
		for id := range changedOffers {
			ids = append(ids, id)
		}
		return s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, OfferIDs: ids})
	})
	if err != nil {
		return nil, err
	}
	for i, u := range ups {
		if res[i].Err == nil && res[i].VariantID == uuid.Nil {
			res[i].Err = apperr.Invalid("updates."+itoa(i)+".sku", "unknown SKU %q", u.SKU)
		}
	}
	return res, nil
}
