package fulfillment

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/routing"
	"github.com/guildmart/guildmart/tenants"
)

// placeDoc is the argument of gm_checkout_place: the order as checkout priced and routed
// it. JSON keys are the SQL function's.
type placeDoc struct {
	OrderID           uuid.UUID   `json:"order_id"`
	CartID            uuid.UUID   `json:"cart_id"`
	Email             string      `json:"email"`
	Subtotal          int64       `json:"subtotal"`
	RoutingPolicy     string      `json:"routing_policy"`
	StorefrontName    string      `json:"storefront_name"`
	DestinationRegion string      `json:"destination_region"`
	SLAHours          int         `json:"sla_hours"`
	Actor             string      `json:"actor"`
	Ship              addressJSON `json:"ship"`
	Lines             []placeLine `json:"lines"`
	FOs               []placeFO   `json:"fos"`
	Deliveries        []delivery  `json:"deliveries"`
}

// endpointRef is an endpoint listening to a checkout event (gm_checkout_endpoints).
type endpointRef struct {
	ID       uuid.UUID
	MemberID uuid.UUID
	Event    string
}

// delivery is one webhook delivery the order causes: order.created to the seller's
// endpoints (FOID nil), fulfillment_order.created to a drop-ship supplier's.
type delivery struct {
	ID         uuid.UUID       `json:"id"`
	EndpointID uuid.UUID       `json:"endpoint_id"`
	MemberID   uuid.UUID       `json:"member_id"`
	EventType  string          `json:"event_type"`
	FOID       *uuid.UUID      `json:"fo_id"`
	Payload    json.RawMessage `json:"payload"`
}

// chooseDeliveries picks, from the listening endpoints, those the routed order concerns:
// the seller's order.created, and fulfillment_order.created for each drop-ship order's
// supplier (a supplier whose goods go through a warehouse gets none).
func (d *placeDoc) chooseDeliveries(endpoints []endpointRef, storefront uuid.UUID, currency string, ship Address) {
	d.Deliveries = []delivery{}
	var orderEvent json.RawMessage
	for _, e := range endpoints {
		if e.Event == "order.created" {
			if orderEvent == nil {
				orderEvent = d.placedOrderEvent(storefront, currency, ship)
			}
			d.Deliveries = append(d.Deliveries, delivery{ID: uuid.New(), EndpointID: e.ID, MemberID: e.MemberID, EventType: e.Event,
				Payload: orderEvent})
			continue
		}
		for _, fo := range d.FOs {
			if fo.Kind == routing.ToSupplier && fo.SupplierID != nil && *fo.SupplierID == e.MemberID {
				id := fo.ID
				d.Deliveries = append(d.Deliveries, delivery{ID: uuid.New(), EndpointID: e.ID, MemberID: e.MemberID, EventType: e.Event,
					FOID: &id, Payload: d.placedFOEvent(fo, d.StorefrontName, currency, ship)})
			}
		}
	}
}

func (d *placeDoc) deliveryIDs() []uuid.UUID {
	ids := make([]uuid.UUID, len(d.Deliveries))
	for i, x := range d.Deliveries {
		ids[i] = x.ID
	}
	return ids
}

type addressJSON struct {
	Name       string  `json:"name"`
	Line1      string  `json:"line1"`
	Line2      string  `json:"line2"`
	City       string  `json:"city"`
	PostalCode string  `json:"postal_code"`
	Region     string  `json:"region"`
	Country    string  `json:"country"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
}

func shipJSON(a Address) addressJSON {
	return addressJSON{a.Name, a.Line1, a.Line2, a.City, a.PostalCode, a.DestinationRegion(), a.Country, a.Latitude, a.Longitude}
}

// placeLine is one order line with its route; warehouse_id, variant_id and quantity are
// also what gm_stock_reserve reads.
type placeLine struct {
	ID               uuid.UUID         `json:"id"`
	FOLineID         uuid.UUID         `json:"fo_line_id"`
	Position         int               `json:"position"`
	ListingVariantID uuid.UUID         `json:"listing_variant_id"`
	VariantID        uuid.UUID         `json:"variant_id"`
	SupplierID       uuid.UUID         `json:"supplier_id"`
	Title            string            `json:"title"`
	Options          map[string]string `json:"options"`
	SKU              string            `json:"sku"`
	OfferTitle       string            `json:"offer_title"`
	Quantity         int               `json:"quantity"`
	UnitPrice        int64             `json:"unit_price"`
	UnitCost         int64             `json:"unit_cost"`
	RouteKind        string            `json:"route_kind"`
	WarehouseID      *uuid.UUID        `json:"warehouse_id"`
	Reason           string            `json:"reason"`
	DistanceKm       int               `json:"distance_km"`
	Days             int               `json:"days"`
	FOID             uuid.UUID         `json:"fo_id"`
}

type placeFO struct {
	ID          uuid.UUID  `json:"id"`
	Kind        string     `json:"kind"`
	WarehouseID *uuid.UUID `json:"warehouse_id"`
	SupplierID  *uuid.UUID `json:"supplier_id"`
	Reference   string     `json:"reference"`
}

// applyPlan copies the routing plan onto the lines and makes one fulfilment order per
// group.
func (d *placeDoc) applyPlan(plan *routing.Plan) {
	for i, a := range plan.Assignments {
		l := &d.Lines[i]
		l.RouteKind, l.Reason, l.DistanceKm, l.Days = a.Kind, a.Reason, int(a.DistanceKm), a.Days
		if a.Kind == routing.ToWarehouse {
			l.WarehouseID = nilIfZero(a.WarehouseID)
		}
	}
	for _, gr := range plan.Groups {
		fo := placeFO{ID: uuid.New(), Kind: gr.Kind}
		fo.Reference = reference(fo.ID)
		if gr.Kind == routing.ToWarehouse {
			fo.WarehouseID = nilIfZero(gr.WarehouseID)
		} else {
			fo.SupplierID = nilIfZero(gr.SupplierID)
		}
		for _, id := range gr.LineIDs {
			i, _ := strconv.Atoi(id)
			d.Lines[i].FOID, d.Lines[i].FOLineID = fo.ID, uuid.New()
		}
		d.FOs = append(d.FOs, fo)
	}
}

// order is the order just placed, as its caller sees it (no second read).
func (d *placeDoc) order(p tenants.Principal, sf uuid.UUID, hdr cartHeader, in CheckoutInput, number int64, at time.Time) *Order {
	o := &Order{ID: d.OrderID, StorefrontID: sf, CustomerID: deref(hdr.customer), CartID: d.CartID, Number: number, Email: d.Email,
		Currency: hdr.currency, Subtotal: d.Subtotal, Status: StatusUnfulfilled, RoutingPolicy: d.RoutingPolicy,
		ShipTo: in.ShippingAddress, CreatedAt: at, UpdatedAt: at}
	o.ShipTo.Region = in.ShippingAddress.DestinationRegion()
	routed := canSeeRouting(p)
	for _, l := range d.Lines {
		ol := OrderLine{ID: l.ID, Position: l.Position, ListingVariantID: l.ListingVariantID, Title: l.Title,
			Options: attributes(l.Options), Quantity: l.Quantity, UnitPrice: l.UnitPrice, Currency: hdr.currency,
			Status: StatusUnfulfilled}
		if routed {
			ol.Routing = &LineRouting{Kind: l.RouteKind, WarehouseID: deref(l.WarehouseID), SupplierID: l.SupplierID,
				VariantID: l.VariantID, SKU: l.SKU, Reason: l.Reason, DistanceKm: l.DistanceKm, Days: l.Days}
		}
		o.Lines = append(o.Lines, ol)
	}
	return o
}
