package fulfillment

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Fulfilment order kinds (routing.ToWarehouse, routing.ToSupplier).
const (
	KindWarehouse = "WAREHOUSE"
	KindSupplier  = "SUPPLIER"
)

// Fulfilment order statuses.
const (
	FONew              = "NEW"
	FOAccepted         = "ACCEPTED"
	FOPartiallyShipped = "PARTIALLY_SHIPPED"
	FOShipped          = "SHIPPED"
	FODelivered        = "DELIVERED"
	FORejected         = "REJECTED"
	FOCancelled        = "CANCELLED"
)

// FulfillmentOrder is what one warehouse or one supplier ships of an order. It carries
// only what its shipper may see: SKUs, quantities, the supplier's wholesale cost, the
// ship-to address and the storefront's display name (blind drop-ship).
type FulfillmentOrder struct {
	ID             uuid.UUID
	StorefrontID   uuid.UUID
	OrderID        uuid.UUID
	Kind           string
	WarehouseID    uuid.UUID // WAREHOUSE
	SupplierID     uuid.UUID // SUPPLIER
	Reference      string    // what the shipper quotes
	Status         string
	StorefrontName string
	ShipTo         Address
	Currency       string
	Reason         string // why rejected or cancelled
	SLADueAt       *time.Time
	CreatedAt      time.Time
	AcceptedAt     *time.Time
	ShippedAt      *time.Time
	DeliveredAt    *time.Time
	ClosedAt       *time.Time
	UpdatedAt      time.Time
	Lines          []FulfillmentOrderLine
	Shipments      []Shipment
}

// WholesaleTotal is what the seller owes the supplier for the lines not removed.
func (f *FulfillmentOrder) WholesaleTotal() int64 {
	var t int64
	for _, l := range f.Lines {
		t += l.UnitCost * int64(l.Quantity-l.QuantityRemoved)
	}
	return t
}

// FulfillmentOrderLine is one SKU of a fulfilment order.
type FulfillmentOrderLine struct {
	ID              uuid.UUID
	OrderLineID     uuid.UUID
	VariantID       uuid.UUID
	SupplierID      uuid.UUID
	SKU             string
	Title           string // the supplier's offer title
	Quantity        int
	QuantityShipped int
	QuantityRemoved int    // rejected or cancelled
	Removal         string // REJECTED, CANCELLED or ""
	Reason          string
	UnitCost        int64
	Currency        string
}

// Open is the quantity still to ship.
func (l FulfillmentOrderLine) Open() int { return l.Quantity - l.QuantityShipped - l.QuantityRemoved }

// Status is the line's state: OPEN, PARTIALLY_SHIPPED, SHIPPED, REJECTED or CANCELLED.
func (l FulfillmentOrderLine) Status() string {
	switch {
	case l.QuantityRemoved == l.Quantity:
		return l.Removal
	case l.Open() == 0:
		return "SHIPPED"
	case l.QuantityShipped > 0:
		return "PARTIALLY_SHIPPED"
	}
	return "OPEN"
}

// Shipment is a parcel of a fulfilment order, with tracking.
type Shipment struct {
	ID                 uuid.UUID
	FulfillmentOrderID uuid.UUID
	OrderID            uuid.UUID
	Carrier            string
	TrackingNumber     string
	TrackingURL        string
	Status             string // SHIPPED, DELIVERED
	ShippedAt          time.Time
	DeliveredAt        *time.Time
	Lines              []ShipmentLine
}

// ShipmentLine is the quantity of one fulfilment order line in a shipment.
type ShipmentLine struct {
	FulfillmentOrderLineID uuid.UUID
	OrderLineID            uuid.UUID
	Quantity               int
}

const shipmentJSON = `jsonb_build_object('id', sh.id, 'fo', sh.fulfillment_order_id, 'order', sh.order_id, 'carrier', sh.carrier,
	'tracking', sh.tracking_number, 'url', sh.tracking_url, 'status', sh.status, 'shippedAt', sh.shipped_at,
	'deliveredAt', sh.delivered_at,
	'lines', (SELECT coalesce(jsonb_agg(jsonb_build_object('fol', sl.fulfillment_order_line_id, 'ol', sl.order_line_id, 'q', sl.quantity)), '[]')
		FROM shipment_lines sl WHERE sl.storefront_id = sh.storefront_id AND sl.shipment_id = sh.id))`

const foCols = `f.id, f.storefront_id, f.order_id, f.kind, f.warehouse_id, f.supplier_id, f.reference, f.status, f.storefront_name,
	f.ship_name, f.ship_line1, f.ship_line2, f.ship_city, f.ship_postal_code, f.ship_region, f.ship_country, f.ship_latitude,
	f.ship_longitude, f.currency, f.reason, f.sla_due_at, f.created_at, f.accepted_at, f.shipped_at, f.delivered_at, f.closed_at,
	f.updated_at,
	(SELECT jsonb_agg(jsonb_build_object('id', l.id, 'ol', l.order_line_id, 'variant', l.variant_id, 'supplier', l.supplier_id,
		'sku', l.sku, 'title', l.title, 'q', l.quantity, 'shipped', l.quantity_shipped, 'removed', l.quantity_removed,
		'removal', l.removal, 'reason', l.reason, 'cost', l.unit_cost, 'currency', l.currency) ORDER BY l.created_at, l.sku)
	 FROM fulfillment_order_lines l WHERE l.storefront_id = f.storefront_id AND l.fulfillment_order_id = f.id),
	(SELECT jsonb_agg(` + shipmentJSON + ` ORDER BY sh.shipped_at, sh.id)
	 FROM shipments sh WHERE sh.storefront_id = f.storefront_id AND sh.fulfillment_order_id = f.id)`

type foLineJSON struct {
	ID       uuid.UUID `json:"id"`
	OL       uuid.UUID `json:"ol"`
	Variant  uuid.UUID `json:"variant"`
	Supplier uuid.UUID `json:"supplier"`
	SKU      string    `json:"sku"`
	Title    string    `json:"title"`
	Q        int       `json:"q"`
	Shipped  int       `json:"shipped"`
	Removed  int       `json:"removed"`
	Removal  *string   `json:"removal"`
	Reason   string    `json:"reason"`
	Cost     int64     `json:"cost"`
	Currency string    `json:"currency"`
}

type shipmentJSONRow struct {
	ID          uuid.UUID  `json:"id"`
	FO          uuid.UUID  `json:"fo"`
	Order       uuid.UUID  `json:"order"`
	Carrier     string     `json:"carrier"`
	Tracking    string     `json:"tracking"`
	URL         string     `json:"url"`
	Status      string     `json:"status"`
	ShippedAt   time.Time  `json:"shippedAt"`
	DeliveredAt *time.Time `json:"deliveredAt"`
	Lines       []struct {
		FOL uuid.UUID `json:"fol"`
		OL  uuid.UUID `json:"ol"`
		Q   int       `json:"q"`
	} `json:"lines"`
}

func (r shipmentJSONRow) shipment() Shipment {
	sh := Shipment{ID: r.ID, FulfillmentOrderID: r.FO, OrderID: r.Order, Carrier: r.Carrier, TrackingNumber: r.Tracking,
		TrackingURL: r.URL, Status: r.Status, ShippedAt: r.ShippedAt, DeliveredAt: r.DeliveredAt}
	for _, l := range r.Lines {
		sh.Lines = append(sh.Lines, ShipmentLine{FulfillmentOrderLineID: l.FOL, OrderLineID: l.OL, Quantity: l.Q})
	}
	return sh
}

func scanFO(row pgx.Row) (*FulfillmentOrder, error) {
	var f FulfillmentOrder
	var wh, sup *uuid.UUID
	var lines, ships []byte
	a := &f.ShipTo
	err := row.Scan(&f.ID, &f.StorefrontID, &f.OrderID, &f.Kind, &wh, &sup, &f.Reference, &f.Status, &f.StorefrontName,
		&a.Name, &a.Line1, &a.Line2, &a.City, &a.PostalCode, &a.Region, &a.Country, &a.Latitude, &a.Longitude, &f.Currency,
		&f.Reason, &f.SLADueAt, &f.CreatedAt, &f.AcceptedAt, &f.ShippedAt, &f.DeliveredAt, &f.ClosedAt, &f.UpdatedAt, &lines, &ships)
	if err != nil {
		return nil, err
	}
	f.WarehouseID, f.SupplierID = orNil(wh), orNil(sup)
	if len(lines) > 0 {
		var ls []foLineJSON
		if err := json.Unmarshal(lines, &ls); err != nil {
			return nil, err
		}
		for _, l := range ls {
			f.Lines = append(f.Lines, FulfillmentOrderLine{ID: l.ID, OrderLineID: l.OL, VariantID: l.Variant, SupplierID: l.Supplier,
				SKU: l.SKU, Title: l.Title, Quantity: l.Q, QuantityShipped: l.Shipped, QuantityRemoved: l.Removed,
				Removal: deref(l.Removal), Reason: l.Reason, UnitCost: l.Cost, Currency: l.Currency})
		}
	}
	if len(ships) > 0 {
		var ss []shipmentJSONRow
		if err := json.Unmarshal(ships, &ss); err != nil {
			return nil, err
		}
		for _, s := range ss {
			f.Shipments = append(f.Shipments, s.shipment())
		}
	}
	return &f, nil
}

func collectFOs(rows pgx.Rows, into *[]*FulfillmentOrder) error {
	for rows.Next() {
		f, err := scanFO(rows)
		if err != nil {
			return err
		}
		*into = append(*into, f)
	}
	return rows.Err()
}

// foFilterSQL is the application-level wall beside row-level security: the seller's,
// the storefront key's, the supplier's drop-ship orders, the operator's warehouse orders.
// $1 consortium, $2 member (Nil for non-members), $3 storefront (storefront keys), $4 operator.
const foFilterSQL = `f.consortium_id = $1 AND (f.member_id = $2 OR (f.kind = 'SUPPLIER' AND f.supplier_id = $2)
	OR f.storefront_id = $3 OR ($4 AND f.kind = 'WAREHOUSE'))`

func foArgs(p tenants.Principal) []any {
	var sf *uuid.UUID
	if p.Kind == tenants.KindStorefront {
		sf = &p.StorefrontID
	}
	return []any{p.ConsortiumID, p.OwnMemberID(), sf, p.IsOperator()}
}

// FulfillmentOrderFilter selects the fulfilment orders a shipper works on: a supplier's
// drop-ship orders, or (operator) the warehouses' orders, optionally of one warehouse.
type FulfillmentOrderFilter struct {
	Status      string
	WarehouseID uuid.UUID
	First       int
	After       string
}

// FulfillmentOrderPage is a page, newest first.
type FulfillmentOrderPage struct {
	Orders  []*FulfillmentOrder
	HasNext bool
}

// FulfillmentOrderCursor is f's cursor in FulfillmentOrders pages.
func FulfillmentOrderCursor(f *FulfillmentOrder) string { return cursor(f.CreatedAt, f.ID) }

// FulfillmentOrders is the shipper's queue: a supplier's drop-ship orders, the operator's
// warehouse orders. Supplier systems poll it with a cursor.
func (s *Service) FulfillmentOrders(ctx context.Context, p tenants.Principal, f FulfillmentOrderFilter) (*FulfillmentOrderPage, error) {
	page := &FulfillmentOrderPage{}
	if !p.Allows(tenants.FamilyFulfilment) {
		return page, nil
	}
	if f.Status != "" && !oneOf(f.Status, FONew, FOAccepted, FOPartiallyShipped, FOShipped, FODelivered, FORejected, FOCancelled) {
		return nil, apperr.Invalid("status", "is not a fulfilment order status")
	}
	at, after, err := parseCursor(f.After)
	if err != nil {
		return nil, err
	}
	limit := pageSize(f.First)
	var member *uuid.UUID
	if p.Kind == tenants.KindMember {
		member = &p.MemberID
	}
	err = readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+foCols+` FROM fulfillment_orders f
			WHERE f.consortium_id = $1 AND ((f.kind = 'SUPPLIER' AND f.supplier_id = $2) OR ($3 AND f.kind = 'WAREHOUSE'))
			  AND ($4::uuid IS NULL OR f.warehouse_id = $4) AND ($5::text IS NULL OR f.status = $5)
			  AND ($7::uuid IS NULL OR (f.created_at, f.id) < ($6, $7))
			ORDER BY f.created_at DESC, f.id DESC LIMIT $8`,
			p.ConsortiumID, member, p.IsOperator(), nilIfZero(f.WarehouseID), nilIfEmpty(f.Status), at, after, limit+1).
			Query(func(rows pgx.Rows) error { return collectFOs(rows, &page.Orders) })
	})
	if len(page.Orders) > limit {
		page.Orders, page.HasNext = page.Orders[:limit], true
	}
	return page, err
}

// FulfillmentOrdersByIDs returns fulfilment orders p may see in key order (nil where not).
func (s *Service) FulfillmentOrdersByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*FulfillmentOrder, error) {
	out := make([]*FulfillmentOrder, len(ids))
	var list []*FulfillmentOrder
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+foCols+` FROM fulfillment_orders f WHERE `+foFilterSQL+` AND f.id = ANY ($5)`, append(foArgs(p), ids)...).
			Query(func(rows pgx.Rows) error { return collectFOs(rows, &list) })
	})
	byID := map[uuid.UUID]*FulfillmentOrder{}
	for _, f := range list {
		byID[f.ID] = f
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// FulfillmentOrder returns one fulfilment order p may see.
func (s *Service) FulfillmentOrder(ctx context.Context, p tenants.Principal, id uuid.UUID) (*FulfillmentOrder, error) {
	fs, err := s.FulfillmentOrdersByIDs(ctx, p, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if fs[0] == nil {
		return nil, apperr.NotFound("fulfillment order")
	}
	return fs[0], nil
}

// FulfillmentOrdersOfOrders returns each order's fulfilment orders (the seller's and the
// storefront key's view), in key order.
func (s *Service) FulfillmentOrdersOfOrders(ctx context.Context, p tenants.Principal, orders []uuid.UUID) ([][]*FulfillmentOrder, error) {
	out := make([][]*FulfillmentOrder, len(orders))
	if !p.Allows(tenants.FamilySelling) {
		return out, nil
	}
	var list []*FulfillmentOrder
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+foCols+` FROM fulfillment_orders f WHERE `+foFilterSQL+` AND f.order_id = ANY ($5)
			ORDER BY f.created_at, f.kind DESC, f.id`, append(foArgs(p), orders)...).Query(func(rows pgx.Rows) error { return collectFOs(rows, &list) })
	})
	idx := map[uuid.UUID][]int{}
	for i, id := range orders {
		idx[id] = append(idx[id], i)
	}
	for _, f := range list {
		for _, i := range idx[f.OrderID] {
			out[i] = append(out[i], f)
		}
	}
	return out, err
}

// ShipmentsOfOrders returns each order's shipments as p may see them (customers see
// their own orders' tracking), in key order.
func (s *Service) ShipmentsOfOrders(ctx context.Context, p tenants.Principal, orders []uuid.UUID) ([][]Shipment, error) {
	out := make([][]Shipment, len(orders))
	if !canReadOrders(p) {
		return out, nil
	}
	var rows []shipmentJSONRow
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+shipmentJSON+` FROM shipments sh JOIN orders o ON o.storefront_id = sh.storefront_id AND o.id = sh.order_id
			WHERE `+orderFilterSQL+` AND sh.order_id = ANY ($5) ORDER BY sh.shipped_at, sh.id`, append(orderArgs(p), orders)...).
			Query(func(rs pgx.Rows) error {
				for rs.Next() {
					var raw []byte
					if err := rs.Scan(&raw); err != nil {
						return err
					}
					var r shipmentJSONRow
					if err := json.Unmarshal(raw, &r); err != nil {
						return err
					}
					rows = append(rows, r)
				}
				return rs.Err()
			})
	})
	idx := map[uuid.UUID][]int{}
	for i, id := range orders {
		idx[id] = append(idx[id], i)
	}
	for _, r := range rows {
		for _, i := range idx[r.Order] {
			out[i] = append(out[i], r.shipment())
		}
	}
	return out, err
}
