package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// The lifecycle: NEW → ACCEPTED → (PARTIALLY_)SHIPPED → DELIVERED; REJECTED by the
// supplier (whole or per line: the lines are rerouted to a warehouse holding stock, or
// cancelled); CANCELLED by the seller before anything shipped. Shippers are the
// supplier of a drop-ship order and the operator for warehouse orders. The order's and
// its lines' statuses follow by themselves (gm_fulfillment_derive).

// shipperSQL selects the fulfilment orders p ships: $1 consortium, $2 member (suppliers),
// $3 operator.
const shipperSQL = `f.consortium_id = $1 AND ((f.kind = 'SUPPLIER' AND f.supplier_id = $2) OR ($3 AND f.kind = 'WAREHOUSE'))`

func shipperArgs(p tenants.Principal) []any {
	var member *uuid.UUID
	if p.Kind == tenants.KindMember {
		member = &p.MemberID
	}
	return []any{p.ConsortiumID, member, p.IsOperator()}
}

// lockFO locks fulfilment order id among those cond (over args, then $n = id) selects.
func lockFO(ctx context.Context, tx pgx.Tx, cond string, args []any, id uuid.UUID) (*FulfillmentOrder, error) {
	n := len(args) + 1
	f, err := scanFO(tx.QueryRow(ctx, fmt.Sprintf(`SELECT `+foCols+` FROM fulfillment_orders f WHERE `+cond+` AND f.id = $%d FOR UPDATE OF f`, n),
		append(args, id)...))
	if err == pgx.ErrNoRows {
		return nil, apperr.NotFound("fulfillment order")
	}
	return f, err
}

func reloadFO(ctx context.Context, tx pgx.Tx, f *FulfillmentOrder) (*FulfillmentOrder, error) {
	return scanFO(tx.QueryRow(ctx, `SELECT `+foCols+` FROM fulfillment_orders f WHERE f.storefront_id = $1 AND f.id = $2`, f.StorefrontID, f.ID))
}

func wrongStatus(f *FulfillmentOrder, action string) error {
	return apperr.Conflict("id", "fulfillment order %s is %s and cannot be %s", f.Reference, f.Status, action)
}

// AcceptFulfillmentOrder accepts a NEW fulfilment order (accepting twice is no error).
func (s *Service) AcceptFulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID) (*FulfillmentOrder, error) {
	if err := p.Require(tenants.FamilyFulfilment); err != nil {
		return nil, err
	}
	var out *FulfillmentOrder
	err := inTx(ctx, s.pool, p.Scope(), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, shipperSQL, shipperArgs(p), id)
		if err != nil {
			return err
		}
		switch f.Status {
		case FOAccepted:
			out = f
			return nil
		case FONew:
		default:
			return wrongStatus(f, "accepted")
		}
		if _, err := tx.Exec(ctx, `UPDATE fulfillment_orders SET status = 'ACCEPTED', accepted_at = now(), updated_at = now()
			WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID); err != nil {
			return err
		}
		out, err = reloadFO(ctx, tx, f)
		return err
	})
	return out, err
}

// ShipmentInput is one parcel: carrier, tracking and the quantities it holds (no lines:
// everything still open, for a single shipment).
type ShipmentInput struct {
	Carrier        string
	TrackingNumber string
	TrackingURL    string
	Lines          []ShipmentLineInput
}

// ShipmentLineInput is a quantity of a fulfilment order line.
type ShipmentLineInput struct {
	FulfillmentOrderLineID uuid.UUID
	Quantity               int
}

func validateShipments(in []ShipmentInput) error {
	var errs []error
	if len(in) == 0 || len(in) > 50 {
		return apperr.Invalid("shipments", "give 1–50 shipments")
	}
	for i, sh := range in {
		f := fmt.Sprintf("shipments.%d", i)
		if c := strings.TrimSpace(sh.Carrier); c == "" || len(c) > 100 {
			errs = append(errs, apperr.Invalid(f+".carrier", "must be 1–100 characters"))
		}
		if t := strings.TrimSpace(sh.TrackingNumber); t == "" || len(t) > 100 {
			errs = append(errs, apperr.Invalid(f+".trackingNumber", "must be 1–100 characters"))
		}
		if u := sh.TrackingURL; u != "" && (len(u) > 2000 || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"))) {
			errs = append(errs, apperr.Invalid(f+".trackingUrl", "must be an http(s) URL of at most 2000 characters"))
		}
		if len(sh.Lines) == 0 && len(in) > 1 {
			errs = append(errs, apperr.Invalid(f+".lines", "say which lines each of several shipments holds"))
		}
		for j, l := range sh.Lines {
			if l.Quantity < 1 {
				errs = append(errs, apperr.Invalid(fmt.Sprintf("%s.lines.%d.quantity", f, j), "must be at least 1"))
			}
		}
	}
	return errors.Join(errs...)
}

// ShipFulfillmentOrder records shipments with tracking, partial quantities allowed. A
// warehouse order's shipped units leave its stock (on hand and reserved).
func (s *Service) ShipFulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID, in []ShipmentInput) (*FulfillmentOrder, error) {
	if err := p.Require(tenants.FamilyFulfilment); err != nil {
		return nil, err
	}
	if err := validateShipments(in); err != nil {
		return nil, err
	}
	var out *FulfillmentOrder
	err := inTx(ctx, s.pool, p.Scope(), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, shipperSQL, shipperArgs(p), id)
		if err != nil {
			return err
		}
		if !oneOf(f.Status, FONew, FOAccepted, FOPartiallyShipped) {
			return wrongStatus(f, "shipped")
		}
		lines := map[uuid.UUID]*FulfillmentOrderLine{}
		for i := range f.Lines {
			lines[f.Lines[i].ID] = &f.Lines[i]
		}
		if len(in) == 1 && len(in[0].Lines) == 0 {
			for _, l := range f.Lines {
				if l.Open() > 0 {
					in[0].Lines = append(in[0].Lines, ShipmentLineInput{l.ID, l.Open()})
				}
			}
			if len(in[0].Lines) == 0 {
				return apperr.Conflict("id", "nothing of fulfillment order %s is left to ship", f.Reference)
			}
		}
		shipped := map[uuid.UUID]int{}
		var errs []error
		var shIDs, slShip, slLine, slOL []uuid.UUID
		var slQty []int
		var carriers, trackings, urls []string
		for i, sh := range in {
			shID := uuid.New()
			shIDs = append(shIDs, shID)
			carriers, trackings, urls = append(carriers, strings.TrimSpace(sh.Carrier)), append(trackings, strings.TrimSpace(sh.TrackingNumber)), append(urls, sh.TrackingURL)
			seen := map[uuid.UUID]bool{}
			for j, sl := range sh.Lines {
				fld := fmt.Sprintf("shipments.%d.lines.%d", i, j)
				l := lines[sl.FulfillmentOrderLineID]
				if l == nil {
					errs = append(errs, apperr.Invalid(fld+".lineId", "is not a line of this fulfillment order"))
					continue
				}
				if seen[l.ID] {
					errs = append(errs, apperr.Invalid(fld+".lineId", "appears twice in one shipment"))
					continue
				}
				seen[l.ID] = true
				shipped[l.ID] += sl.Quantity
				if shipped[l.ID] > l.Open() {
					errs = append(errs, apperr.Invalid(fld+".quantity", "only %d of %s are left to ship", l.Open(), l.SKU))
					continue
				}
				slShip, slLine, slOL, slQty = append(slShip, shID), append(slLine, l.ID), append(slOL, l.OrderLineID), append(slQty, sl.Quantity)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		var lineIDs []uuid.UUID
		var lineQty []int
		allShipped := true
		for _, l := range f.Lines {
			if q := shipped[l.ID]; q > 0 {
				lineIDs, lineQty = append(lineIDs, l.ID), append(lineQty, q)
			}
			if l.Open()-shipped[l.ID] > 0 {
				allShipped = false
			}
		}
		status := FOPartiallyShipped
		if allShipped {
			status = FOShipped
		}
		var supplier *uuid.UUID
		if f.Kind == KindSupplier {
			supplier = &f.SupplierID
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO shipments (storefront_id, id, fulfillment_order_id, consortium_id, member_id, kind, supplier_id, order_id,
				carrier, tracking_number, tracking_url)
			SELECT f.storefront_id, u.id, f.id, f.consortium_id, f.member_id, f.kind, f.supplier_id, f.order_id, u.carrier, u.tracking, u.url
			FROM fulfillment_orders f, unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS u (id, carrier, tracking, url)
			WHERE f.storefront_id = $1 AND f.id = $2`, f.StorefrontID, f.ID, shIDs, carriers, trackings, urls)
		b.Queue(`INSERT INTO shipment_lines (storefront_id, shipment_id, fulfillment_order_line_id, consortium_id, member_id, kind,
				supplier_id, order_id, order_line_id, quantity)
			SELECT f.storefront_id, u.sh, u.line, f.consortium_id, f.member_id, f.kind, $7::uuid, f.order_id, u.ol, u.q
			FROM fulfillment_orders f, unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::int[]) AS u (sh, line, ol, q)
			WHERE f.storefront_id = $1 AND f.id = $2`, f.StorefrontID, f.ID, slShip, slLine, slOL, slQty, supplier)
		if f.Kind == KindWarehouse {
			// Shipped units leave the warehouse: rows locked in (warehouse, variant) order
			// like every reservation, then on hand and reserved both go down.
			var vs, sups []uuid.UUID
			var qs []int
			for _, l := range f.Lines {
				if q := shipped[l.ID]; q > 0 {
					vs, sups, qs = append(vs, l.VariantID), append(sups, l.SupplierID), append(qs, q)
				}
			}
			queueStockChange(b, p.ConsortiumID, f, vs, sups, qs, "SHIPMENT", actor(p))
		}
		b.Queue(`UPDATE fulfillment_order_lines l SET quantity_shipped = l.quantity_shipped + u.q
			FROM unnest($3::uuid[], $4::int[]) AS u (id, q) WHERE l.storefront_id = $1 AND l.fulfillment_order_id = $2 AND l.id = u.id`,
			f.StorefrontID, f.ID, lineIDs, lineQty)
		b.Queue(`UPDATE fulfillment_orders SET status = $3, accepted_at = coalesce(accepted_at, now()),
				shipped_at = coalesce(shipped_at, now()), updated_at = now()
			WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID, status)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		out, err = reloadFO(ctx, tx, f)
		return err
	})
	return out, err
}

// DeliverFulfillmentOrder marks a fulfilment order's shipments delivered; a fully
// shipped order becomes DELIVERED.
func (s *Service) DeliverFulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID) (*FulfillmentOrder, error) {
	if err := p.Require(tenants.FamilyFulfilment); err != nil {
		return nil, err
	}
	var out *FulfillmentOrder
	err := inTx(ctx, s.pool, p.Scope(), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, shipperSQL, shipperArgs(p), id)
		if err != nil {
			return err
		}
		if f.Status == FODelivered {
			out = f
			return nil
		}
		if !oneOf(f.Status, FOShipped, FOPartiallyShipped) {
			return wrongStatus(f, "delivered")
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE shipments SET status = 'DELIVERED', delivered_at = now()
			WHERE storefront_id = $1 AND fulfillment_order_id = $2 AND status = 'SHIPPED'`, f.StorefrontID, f.ID)
		if f.Status == FOShipped {
			b.Queue(`UPDATE fulfillment_orders SET status = 'DELIVERED', delivered_at = now(), closed_at = now(), updated_at = now()
				WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		out, err = reloadFO(ctx, tx, f)
		return err
	})
	return out, err
}

// sellerSQL selects the fulfilment orders of p's orders: $1 consortium, $2 member, $3
// storefront (storefront keys).
const sellerSQL = `f.consortium_id = $1 AND (f.member_id = $2 OR f.storefront_id = $3)`

func sellerArgs(p tenants.Principal) []any {
	var sf *uuid.UUID
	if p.Kind == tenants.KindStorefront {
		sf = &p.StorefrontID
	}
	return []any{p.ConsortiumID, p.OwnMemberID(), sf}
}

// CancelFulfillmentOrder cancels a fulfilment order of the seller's before anything of
// it shipped: its lines are cancelled (to be refunded), a warehouse order's reservation
// is released, and the supplier is told (fulfillment_order.cancelled).
func (s *Service) CancelFulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID, reason string) (*FulfillmentOrder, error) {
	if err := p.Require(tenants.FamilySelling); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return nil, apperr.Invalid("reason", "must be at most 500 characters")
	}
	var out *FulfillmentOrder
	var deliveries []uuid.UUID
	err := inTx(ctx, s.pool, p.Scope(), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, sellerSQL, sellerArgs(p), id)
		if err != nil {
			return err
		}
		if f.Status == FOCancelled {
			out = f
			return nil
		}
		if !oneOf(f.Status, FONew, FOAccepted) {
			return wrongStatus(f, "cancelled (only orders with nothing shipped can be)")
		}
		// The seller's own rows first, under its scope.
		if _, err := tx.Exec(ctx, `UPDATE fulfillment_order_lines SET quantity_removed = quantity - quantity_shipped,
				removal = 'CANCELLED', reason = $3
			WHERE storefront_id = $1 AND fulfillment_order_id = $2 AND quantity - quantity_shipped - quantity_removed > 0`,
			f.StorefrontID, f.ID, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fulfillment_orders SET status = 'CANCELLED', reason = $3, closed_at = now(), updated_at = now()
			WHERE storefront_id = $1 AND id = $2`, f.StorefrontID, f.ID, reason); err != nil {
			return err
		}
		// Consequences on the consortium's rows: stock and the supplier's deliveries.
		if err := applyScope(ctx, tx, systemScope(p.ConsortiumID), uuid.Nil); err != nil {
			return err
		}
		if f.Kind == KindWarehouse {
			if err := releaseStock(ctx, tx, p.ConsortiumID, f, actor(p)); err != nil {
				return err
			}
		} else {
			cur, err := reloadFO(ctx, tx, f)
			if err != nil {
				return err
			}
			if deliveries, err = emitFOEvent(ctx, tx, cur, "fulfillment_order.cancelled"); err != nil {
				return err
			}
		}
		if err := s.enqueueDeliveries(ctx, tx, p.ConsortiumID, deliveries); err != nil {
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

// releaseStock gives back the reservation of a warehouse order's open units (f as it was
// before its lines were removed).
func releaseStock(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, f *FulfillmentOrder, who string) error {
	var vs, sups []uuid.UUID
	var qs []int
	for _, l := range f.Lines {
		if o := l.Open(); o > 0 {
			vs, sups, qs = append(vs, l.VariantID), append(sups, l.SupplierID), append(qs, o)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	queueStockChange(b, consortium, f, vs, sups, qs, "RELEASE", who)
	return tx.SendBatch(ctx, b).Close()
}

// queueStockChange queues the stock change of a warehouse order's units: SHIPMENT takes
// them off hand and out of the reservation, RELEASE out of the reservation only. The
// rows are locked first in (warehouse, variant) order, as every reservation locks them,
// so no two transactions wait on each other in a circle.
func queueStockChange(b *pgx.Batch, consortium uuid.UUID, f *FulfillmentOrder, variants, suppliers []uuid.UUID, qs []int, kind, who string) {
	onHand := 0
	if kind == "SHIPMENT" {
		onHand = 1
	}
	b.Queue(`SELECT 1 FROM warehouse_stock WHERE consortium_id = $1 AND warehouse_id = $2 AND variant_id = ANY ($3)
		ORDER BY warehouse_id, variant_id FOR UPDATE`, consortium, f.WarehouseID, variants)
	b.Queue(`WITH q AS (SELECT u.v, u.s, sum(u.q)::int AS q FROM unnest($3::uuid[], $4::uuid[], $5::int[]) AS u (v, s, q) GROUP BY 1, 2),
		upd AS (
			UPDATE warehouse_stock st SET on_hand = st.on_hand - $6 * q.q, reserved = st.reserved - q.q, updated_at = now()
			FROM q WHERE st.consortium_id = $1 AND st.warehouse_id = $2 AND st.variant_id = q.v
			RETURNING 1)
		INSERT INTO stock_movements (consortium_id, warehouse_id, variant_id, supplier_id, kind, on_hand_delta, reserved_delta,
			storefront_id, order_id, fulfillment_order_id, actor)
		SELECT $1, $2, q.v, q.s, $7, -$6 * q.q, -q.q, $8, $9, $10, $11 FROM q`,
		consortium, f.WarehouseID, variants, suppliers, qs, onHand, kind, f.StorefrontID, f.OrderID, f.ID, who)
}
