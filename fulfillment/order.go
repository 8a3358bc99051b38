package fulfillment

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Order and order line statuses, derived from the fulfilment orders (never set by hand).
const (
	StatusUnfulfilled        = "UNFULFILLED"
	StatusPartiallyFulfilled = "PARTIALLY_FULFILLED"
	StatusFulfilled          = "FULFILLED"
	StatusDelivered          = "DELIVERED"
	StatusCancelled          = "CANCELLED"
)

// Order is a storefront's sale to a customer (or an anonymous shopper).
type Order struct {
	ID            uuid.UUID
	StorefrontID  uuid.UUID
	CustomerID    uuid.UUID // uuid.Nil: anonymous
	CartID        uuid.UUID
	Number        int64 // per storefront, sequential from 1001
	Email         string
	Currency      string
	Subtotal      int64
	Status        string
	RoutingPolicy string
	ShipTo        Address
	Lines         []OrderLine
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Name is the human-readable order number, e.g. "#1001".
func (o *Order) Name() string { return fmt.Sprintf("#%d", o.Number) }

// OrderLine is one variant of an order at the price the customer pays.
type OrderLine struct {
	ID                uuid.UUID
	Position          int
	ListingVariantID  uuid.UUID
	Title             string
	Options           []catalog.Attribute
	Quantity          int
	UnitPrice         int64
	Currency          string
	Status            string
	QuantityFulfilled int
	QuantityCancelled int
	QuantityReturned  int // shipped units that came back (payments.ReturnUnits)
	// Routing is where the line went and why; nil for callers who may not know who
	// supplies (customers, shoppers).
	Routing *LineRouting
}

// LineRouting is an order line's route.
type LineRouting struct {
	Kind        string // WAREHOUSE, SUPPLIER, or NONE (rerouting found nothing: cancelled)
	WarehouseID uuid.UUID
	SupplierID  uuid.UUID
	VariantID   uuid.UUID
	SKU         string
	Reason      string
	DistanceKm  int
	Days        int
}

// OrderFilter selects orders: a seller's (optionally of one storefront), a storefront
// key's, a customer's own.
type OrderFilter struct {
	StorefrontID uuid.UUID
	Status       string
	First        int
	After        string
}

// OrderPage is a page of orders, newest first.
type OrderPage struct {
	Orders  []*Order
	HasNext bool
}

const orderCols = `o.id, o.storefront_id, o.customer_id, o.cart_id, o.number, o.email, o.currency, o.subtotal, o.status,
	o.routing_policy, o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_postal_code, o.ship_region, o.ship_country,
	o.ship_latitude, o.ship_longitude, o.created_at, o.updated_at,
	(SELECT jsonb_agg(jsonb_build_object('id', l.id, 'position', l.position, 'lv', l.listing_variant_id, 'title', l.title,
		'options', l.options, 'quantity', l.quantity, 'unitPrice', l.unit_price, 'currency', l.currency, 'status', l.status,
		'fulfilled', l.quantity_fulfilled, 'cancelled', l.quantity_cancelled, 'returned', l.quantity_returned,
		'routing', CASE WHEN r.order_line_id IS NOT NULL THEN jsonb_build_object('kind', r.kind, 'warehouse', r.warehouse_id,
			'supplier', r.supplier_id, 'variant', r.variant_id, 'sku', r.sku, 'reason', r.reason, 'km', r.distance_km, 'days', r.days) END)
		ORDER BY l.position)
	 FROM order_lines l LEFT JOIN order_line_routing r ON r.storefront_id = l.storefront_id AND r.order_line_id = l.id
	 WHERE l.storefront_id = o.storefront_id AND l.order_id = o.id)`

type orderLineJSON struct {
	ID        uuid.UUID         `json:"id"`
	Position  int               `json:"position"`
	LV        uuid.UUID         `json:"lv"`
	Title     string            `json:"title"`
	Options   map[string]string `json:"options"`
	Quantity  int               `json:"quantity"`
	UnitPrice int64             `json:"unitPrice"`
	Currency  string            `json:"currency"`
	Status    string            `json:"status"`
	Fulfilled int               `json:"fulfilled"`
	Cancelled int               `json:"cancelled"`
	Returned  int               `json:"returned"`
	Routing   *struct {
		Kind      string     `json:"kind"`
		Warehouse *uuid.UUID `json:"warehouse"`
		Supplier  uuid.UUID  `json:"supplier"`
		Variant   uuid.UUID  `json:"variant"`
		SKU       string     `json:"sku"`
		Reason    string     `json:"reason"`
		Km        int        `json:"km"`
		Days      int        `json:"days"`
	} `json:"routing"`
}

func scanOrder(row pgx.Row) (*Order, error) {
	var o Order
	var cust *uuid.UUID
	var lines []byte
	a := &o.ShipTo
	err := row.Scan(&o.ID, &o.StorefrontID, &cust, &o.CartID, &o.Number, &o.Email, &o.Currency, &o.Subtotal, &o.Status,
		&o.RoutingPolicy, &a.Name, &a.Line1, &a.Line2, &a.City, &a.PostalCode, &a.Region, &a.Country, &a.Latitude, &a.Longitude,
		&o.CreatedAt, &o.UpdatedAt, &lines)
	if err != nil {
		return nil, err
	}
	o.CustomerID = orNil(cust)
	if len(lines) > 0 {
		var ls []orderLineJSON
		if err := json.Unmarshal(lines, &ls); err != nil {
			return nil, err
		}
		for _, l := range ls {
			ol := OrderLine{ID: l.ID, Position: l.Position, ListingVariantID: l.LV, Title: l.Title, Options: attributes(l.Options),
				Quantity: l.Quantity, UnitPrice: l.UnitPrice, Currency: l.Currency, Status: l.Status,
				QuantityFulfilled: l.Fulfilled, QuantityCancelled: l.Cancelled, QuantityReturned: l.Returned}
			if r := l.Routing; r != nil {
				ol.Routing = &LineRouting{Kind: r.Kind, WarehouseID: orNil(r.Warehouse), SupplierID: r.Supplier, VariantID: r.Variant,
					SKU: r.SKU, Reason: r.Reason, DistanceKm: r.Km, Days: r.Days}
			}
			o.Lines = append(o.Lines, ol)
		}
	}
	return &o, nil
}

// orderFilterSQL is the application-level wall beside row-level security: a seller's
// member, a storefront key's storefront, a customer's own orders. $1 consortium, $2
// member (Nil for non-members), $3 storefront, $4 customer (Nil unless a customer).
const orderFilterSQL = `o.consortium_id = $1 AND (o.member_id = $2 OR (o.storefront_id = $3 AND ($4::uuid IS NULL OR o.customer_id = $4)))`

// canReadOrders reports whether p may read orders at all.
func canReadOrders(p tenants.Principal) bool {
	return p.Allows(tenants.FamilySelling) || p.Kind == tenants.KindCustomer
}

func orderArgs(p tenants.Principal) []any {
	var sf, cust *uuid.UUID
	if p.Kind == tenants.KindStorefront || p.Kind == tenants.KindCustomer {
		sf = &p.StorefrontID
	}
	if p.Kind == tenants.KindCustomer {
		cust = &p.CustomerID
	}
	return []any{p.ConsortiumID, p.OwnMemberID(), sf, cust}
}

// Orders returns a page of the orders p may read, newest first.
func (s *Service) Orders(ctx context.Context, p tenants.Principal, f OrderFilter) (*OrderPage, error) {
	page := &OrderPage{}
	if !canReadOrders(p) {
		return page, nil
	}
	if f.Status != "" && !oneOf(f.Status, StatusUnfulfilled, StatusPartiallyFulfilled, StatusFulfilled, StatusDelivered, StatusCancelled) {
		return nil, apperr.Invalid("status", "is not an order status")
	}
	at, after, err := parseCursor(f.After)
	if err != nil {
		return nil, err
	}
	limit := pageSize(f.First)
	args := append(orderArgs(p), nilIfZero(f.StorefrontID), nilIfEmpty(f.Status), at, after, limit+1)
	err = readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+orderCols+` FROM orders o WHERE `+orderFilterSQL+`
			AND ($5::uuid IS NULL OR o.storefront_id = $5) AND ($6::text IS NULL OR o.status = $6)
			AND ($8::uuid IS NULL OR (o.created_at, o.id) < ($7, $8))
			ORDER BY o.created_at DESC, o.id DESC LIMIT $9`, args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				o, err := scanOrder(rows)
				if err != nil {
					return err
				}
				page.Orders = append(page.Orders, o)
			}
			return rows.Err()
		})
	})
	if len(page.Orders) > limit {
		page.Orders, page.HasNext = page.Orders[:limit], true
	}
	return page, err
}

// OrderCursor is the cursor of o in Orders pages.
func OrderCursor(o *Order) string { return cursor(o.CreatedAt, o.ID) }

// OrdersByIDs returns orders p may read in key order (nil where not visible).
func (s *Service) OrdersByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Order, error) {
	out := make([]*Order, len(ids))
	if !canReadOrders(p) {
		return out, nil
	}
	byID := map[uuid.UUID]*Order{}
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+orderCols+` FROM orders o WHERE `+orderFilterSQL+` AND o.id = ANY ($5)`, append(orderArgs(p), ids)...).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					o, err := scanOrder(rows)
					if err != nil {
						return err
					}
					byID[o.ID] = o
				}
				return rows.Err()
			})
	})
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// Order returns one order p may read.
func (s *Service) Order(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Order, error) {
	os, err := s.OrdersByIDs(ctx, p, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if os[0] == nil {
		return nil, apperr.NotFound("order")
	}
	return os[0], nil
}

func oneOf(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
