package fulfillment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/routing"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// supplierSQL selects a supplier's drop-ship orders: $1 consortium, $2 member.
const supplierSQL = `f.consortium_id = $1 AND f.kind = 'SUPPLIER' AND f.supplier_id = $2`

// RejectFulfillmentOrder rejects lines of a supplier's drop-ship order (none given: every
// open line) with a reason. The rejected units are rerouted at once to a warehouse that
// serves the ship-to region and holds them (their stock reserved), or, where none does,
// cancelled (and later refunded). An order whose lines are all rejected is REJECTED.
func (s *Service) RejectFulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID, lineIDs []uuid.UUID, reason string) (*FulfillmentOrder, error) {
	if err := p.Require(tenants.FamilyFulfilment); err != nil {
		return nil, err
	}
	if p.Kind != tenants.KindMember {
		return nil, apperr.Forbidden("only the supplier of a drop-ship order rejects it")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, apperr.Invalid("reason", "must be 1–500 characters")
	}
	var out *FulfillmentOrder
	err := inTx(ctx, s.pool, p.Scope(), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, supplierSQL, []any{p.ConsortiumID, p.MemberID}, id)
		if err != nil {
			return err
		}
		if !oneOf(f.Status, FONew, FOAccepted, FOPartiallyShipped) {
			return wrongStatus(f, "rejected")
		}
		rejected, err := pickLines(f, lineIDs)
		if err != nil {
			return err
		}
		if err := removeLines(ctx, tx, f, rejected, "REJECTED", reason); err != nil {
			return err
		}
		if err := applyScope(ctx, tx, systemScope(p.ConsortiumID), uuid.Nil); err != nil {
			return err
		}
		if err := s.reroute(ctx, tx, p.ConsortiumID, f, rejected, "the supplier rejected it ("+reason+")", actor(p)); err != nil {
			return err
		}
		if err := applyScope(ctx, tx, p.Scope(), uuid.Nil); err != nil {
			return err
		}
		out, err = reloadFO(ctx, tx, f)
		return err
	})
	return out, err
}

// pickLines returns the open lines named by ids (all open lines when none), each with
// its open quantity as Quantity.
func pickLines(f *FulfillmentOrder, ids []uuid.UUID) ([]FulfillmentOrderLine, error) {
	var out []FulfillmentOrderLine
	if len(ids) == 0 {
		for _, l := range f.Lines {
			if l.Open() > 0 {
				out = append(out, l)
			}
		}
		if len(out) == 0 {
			return nil, apperr.Conflict("id", "fulfillment order %s has no open lines", f.Reference)
		}
		return out, nil
	}
	byID := map[uuid.UUID]FulfillmentOrderLine{}
	for _, l := range f.Lines {
		byID[l.ID] = l
	}
	var errs []error
	seen := map[uuid.UUID]bool{}
	for i, id := range ids {
		l, ok := byID[id]
		switch {
		case !ok:
			errs = append(errs, apperr.Invalid(fmt.Sprintf("lineIds.%d", i), "is not a line of this fulfillment order"))
		case seen[id]:
			errs = append(errs, apperr.Invalid(fmt.Sprintf("lineIds.%d", i), "appears twice"))
		case l.Open() == 0:
			errs = append(errs, apperr.Conflict(fmt.Sprintf("lineIds.%d", i), "line %s has nothing open to reject", l.SKU))
		default:
			out = append(out, l)
		}
		seen[id] = true
	}
	return out, errors.Join(errs...)
}

// removeLines takes the open units of lines out of f (REJECTED or CANCELLED) and closes f
// when nothing is left open.
func removeLines(ctx context.Context, tx pgx.Tx, f *FulfillmentOrder, lines []FulfillmentOrderLine, removal, reason string) error {
	ids := make([]uuid.UUID, len(lines))
	for i, l := range lines {
		ids[i] = l.ID
	}
	open, shipped := 0, 0
	for _, l := range f.Lines {
		shipped += l.QuantityShipped
		open += l.Open()
	}
	for _, l := range lines {
		open -= l.Open()
	}
	b := &pgx.Batch{}
	b.Queue(`UPDATE fulfillment_order_lines SET quantity_removed = quantity - quantity_shipped, removal = $4, reason = $5
		WHERE storefront_id = $1 AND fulfillment_order_id = $2 AND id = ANY ($3)`, f.StorefrontID, f.ID, ids, removal, reason)
	if open == 0 {
		status := removal
		if shipped > 0 {
			status = FOShipped
		}
		b.Queue(`UPDATE fulfillment_orders SET status = $3, reason = $4, closed_at = CASE WHEN $3 <> 'SHIPPED' THEN now() END, updated_at = now()
			WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID, status, reason)
	} else {
		b.Queue(`UPDATE fulfillment_orders SET reason = $3, updated_at = now() WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID, reason)
	}
	return tx.SendBatch(ctx, b).Close()
}

// reroute sends the open units of lines (removed from f) to warehouses serving f's
// ship-to region that hold them, reserving the stock, in new warehouse fulfilment orders;
// what nothing can take is left cancelled. Every line's routing records why. Runs in the
// consortium's system scope.
func (s *Service) reroute(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, f *FulfillmentOrder, lines []FulfillmentOrderLine, why, who string) error {
	dest := f.ShipTo.Destination()
	variants := make([]uuid.UUID, len(lines))
	for i, l := range lines {
		variants[i] = l.VariantID
	}
	rows, err := tx.Query(ctx, `SELECT w.id, w.name, w.latitude, w.longitude, w.regions_served, w.handling_days, s.variant_id, s.on_hand - s.reserved
		FROM warehouse_stock s JOIN warehouses w ON w.consortium_id = s.consortium_id AND w.id = s.warehouse_id AND w.status = 'ACTIVE'
		WHERE s.consortium_id = $1 AND s.variant_id = ANY ($2) AND s.on_hand > s.reserved AND gm_region_served(w.regions_served, $3)`,
		consortium, variants, dest.Region)
	if err != nil {
		return err
	}
	whs, err := scanWarehouses(rows)
	if err != nil {
		return err
	}

	// Route with no drop-ship option (the supplier just declined); lines nothing can take
	// drop out and the rest are routed again.
	assigned := map[int]routing.Assignment{}
	pending := make([]int, len(lines))
	for i := range lines {
		pending[i] = i
	}
	for round := 0; round < maxRerouteRounds && len(pending) > 0; round++ {
		rl := make([]routing.Line, len(pending))
		for j, i := range pending {
			l := lines[i]
			rl[j] = routing.Line{ID: strconv.Itoa(i), VariantID: l.VariantID, SupplierID: l.SupplierID, Quantity: l.Open()}
		}
		plan, err := routing.Route(routing.WarehouseFirst, dest, rl, whs)
		var nr *routing.NoRouteError
		if errors.As(err, &nr) {
			drop := map[int]bool{}
			for _, id := range nr.LineIDs {
				i, _ := strconv.Atoi(id)
				drop[i] = true
			}
			var rest []int
			for _, i := range pending {
				if !drop[i] {
					rest = append(rest, i)
				}
			}
			pending = rest
			continue
		}
		if err != nil {
			return err
		}
		for j, a := range plan.Assignments {
			assigned[pending[j]] = a
		}
		break
	}

	// Reserve what was routed; a unit another checkout took meanwhile is not rerouted.
	type item struct {
		W uuid.UUID `json:"warehouse_id"`
		V uuid.UUID `json:"variant_id"`
		Q int       `json:"quantity"`
	}
	var items []item
	for i, a := range assigned {
		items = append(items, item{a.WarehouseID, lines[i].VariantID, lines[i].Open()})
	}
	got := map[[2]uuid.UUID]bool{}
	if len(items) > 0 {
		doc, _ := json.Marshal(items)
		rows, err := tx.Query(ctx, `SELECT warehouse_id, variant_id FROM gm_stock_reserve($1, $2, false, $3, $4, $5)`,
			consortium, doc, f.StorefrontID, f.OrderID, who)
		if err != nil {
			return err
		}
		for rows.Next() {
			var w, v uuid.UUID
			if err := rows.Scan(&w, &v); err != nil {
				return err
			}
			got[[2]uuid.UUID{w, v}] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}

	// New warehouse fulfilment orders for what is reserved; routing reasons for all.
	foOf := map[uuid.UUID]uuid.UUID{} // warehouse -> new fulfilment order
	var foIDs, foWh []uuid.UUID
	var foRefs []string
	var lnIDs, lnFO, lnWh []uuid.UUID
	var rtOL, rtWh []*uuid.UUID
	var rtKind, rtReason []string
	var rtKm, rtDays []int
	for i, l := range lines {
		a, ok := assigned[i]
		if ok && got[[2]uuid.UUID{a.WarehouseID, l.VariantID}] {
			fo, seen := foOf[a.WarehouseID]
			if !seen {
				fo = uuid.New()
				foOf[a.WarehouseID] = fo
				foIDs, foWh, foRefs = append(foIDs, fo), append(foWh, a.WarehouseID), append(foRefs, reference(fo))
			}
			lnIDs, lnFO, lnWh = append(lnIDs, l.ID), append(lnFO, fo), append(lnWh, a.WarehouseID)
			w := a.WarehouseID
			rtOL, rtWh, rtKind = append(rtOL, &lines[i].OrderLineID), append(rtWh, &w), append(rtKind, KindWarehouse)
			rtReason = append(rtReason, fmt.Sprintf("rerouted after %s: %s", why, a.Reason))
			rtKm, rtDays = append(rtKm, int(a.DistanceKm)), append(rtDays, a.Days)
			continue
		}
		rtOL, rtWh, rtKind = append(rtOL, &lines[i].OrderLineID), append(rtWh, nil), append(rtKind, "NONE")
		rtReason = append(rtReason, fmt.Sprintf("cancelled after %s: no warehouse serving %s has %d in stock", why, dest.Region, l.Open()))
		rtKm, rtDays = append(rtKm, 0), append(rtDays, 0)
	}
	b := &pgx.Batch{}
	if len(foIDs) > 0 {
		b.Queue(`INSERT INTO fulfillment_orders (storefront_id, id, consortium_id, member_id, order_id, kind, warehouse_id, reference,
				storefront_name, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_region, ship_country, ship_latitude,
				ship_longitude, currency)
			SELECT f.storefront_id, u.id, f.consortium_id, f.member_id, f.order_id, 'WAREHOUSE', u.w, u.ref, f.storefront_name, f.ship_name,
				f.ship_line1, f.ship_line2, f.ship_city, f.ship_postal_code, f.ship_region, f.ship_country, f.ship_latitude,
				f.ship_longitude, f.currency
			FROM fulfillment_orders f, unnest($3::uuid[], $4::uuid[], $5::text[]) AS u (id, w, ref)
			WHERE f.storefront_id = $1 AND f.id = $2`, f.StorefrontID, f.ID, foIDs, foWh, foRefs)
		b.Queue(`INSERT INTO fulfillment_order_lines (storefront_id, fulfillment_order_id, consortium_id, member_id, kind, warehouse_id,
				supplier_id, order_id, order_line_id, variant_id, sku, title, quantity, unit_cost, currency, ship_region)
			SELECT l.storefront_id, u.fo, l.consortium_id, l.member_id, 'WAREHOUSE', u.w, l.supplier_id, l.order_id, l.order_line_id,
				l.variant_id, l.sku, l.title, l.quantity_removed, l.unit_cost, l.currency, l.ship_region
			FROM fulfillment_order_lines l JOIN unnest($2::uuid[], $3::uuid[], $4::uuid[]) AS u (id, fo, w) ON l.id = u.id
			WHERE l.storefront_id = $1`, f.StorefrontID, lnIDs, lnFO, lnWh)
	}
	b.Queue(`UPDATE order_line_routing r SET kind = u.kind, warehouse_id = u.w, reason = u.reason, distance_km = u.km, days = u.days,
			updated_at = now()
		FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::int[]) AS u (ol, w, kind, reason, km, days)
		WHERE r.storefront_id = $1 AND r.order_line_id = u.ol`, f.StorefrontID, rtOL, rtWh, rtKind, rtReason, rtKm, rtDays)
	return tx.SendBatch(ctx, b).Close()
}
