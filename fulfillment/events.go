package fulfillment

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
)

// The data of webhook events, as their recipients may see them: IDs as the API's global
// IDs, money as decimal strings. A supplier's fulfilment order event is blind like the
// API's FulfillmentOrder: SKUs, quantities, its wholesale cost, the ship-to address and
// the storefront's display name, nothing else.

type moneyJSON struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
}

func moneyOf(amount int64, currency string) moneyJSON {
	return moneyJSON{money.Format(amount, currency), currency}
}

type addressEvent struct {
	Name       string  `json:"name"`
	Line1      string  `json:"line1"`
	Line2      string  `json:"line2"`
	City       string  `json:"city"`
	PostalCode string  `json:"postalCode"`
	Region     string  `json:"region"`
	Country    string  `json:"country"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
}

func addressOf(a Address) addressEvent {
	return addressEvent{a.Name, a.Line1, a.Line2, a.City, a.PostalCode, a.DestinationRegion(), a.Country, a.Latitude, a.Longitude}
}

// FulfillmentOrderEvent is the data of fulfillment_order.* events.
type FulfillmentOrderEvent struct {
	ID             string                      `json:"id"`
	Reference      string                      `json:"reference"`
	Kind           string                      `json:"kind"`
	Status         string                      `json:"status"`
	StorefrontName string                      `json:"storefrontName"`
	Reason         string                      `json:"reason"`
	ShipTo         addressEvent                `json:"shipTo"`
	Lines          []FulfillmentOrderLineEvent `json:"lines"`
	SLADueAt       *time.Time                  `json:"slaDueAt,omitempty"`
	CreatedAt      *time.Time                  `json:"createdAt,omitempty"`
}

// FulfillmentOrderLineEvent is one line of a FulfillmentOrderEvent.
type FulfillmentOrderLineEvent struct {
	ID       string    `json:"id"`
	SKU      string    `json:"sku"`
	Title    string    `json:"title"`
	Quantity int       `json:"quantity"`
	UnitCost moneyJSON `json:"unitCost"`
}

// OrderEvent is the data of order.created, for the seller.
type OrderEvent struct {
	ID           string           `json:"id"`
	Number       int64            `json:"number,omitempty"`
	Name         string           `json:"name,omitempty"`
	StorefrontID string           `json:"storefrontId"`
	Email        string           `json:"email"`
	Status       string           `json:"status"`
	Subtotal     moneyJSON        `json:"subtotal"`
	ShipTo       addressEvent     `json:"shipTo"`
	Lines        []OrderLineEvent `json:"lines"`
}

// OrderLineEvent is one line of an OrderEvent.
type OrderLineEvent struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	Quantity      int       `json:"quantity"`
	UnitPrice     moneyJSON `json:"unitPrice"`
	Routing       string    `json:"routing"`
	RoutingReason string    `json:"routingReason"`
}

// foEvent is f's event data (f as loaded, with its lines).
func foEvent(f *FulfillmentOrder) []byte {
	e := FulfillmentOrderEvent{ID: ids.Global("FulfillmentOrder", f.ID), Reference: f.Reference, Kind: f.Kind, Status: f.Status,
		StorefrontName: f.StorefrontName, Reason: f.Reason, ShipTo: addressOf(f.ShipTo), SLADueAt: f.SLADueAt, CreatedAt: &f.CreatedAt,
		Lines: []FulfillmentOrderLineEvent{}}
	for _, l := range f.Lines {
		e.Lines = append(e.Lines, FulfillmentOrderLineEvent{ID: ids.Global("FulfillmentOrderLine", l.ID), SKU: l.SKU, Title: l.Title,
			Quantity: l.Quantity, UnitCost: moneyOf(l.UnitCost, l.Currency)})
	}
	b, _ := json.Marshal(e)
	return b
}

// placedFOEvent is the event data of a fulfilment order checkout is about to place
// (gm_checkout_place adds slaDueAt and createdAt).
func (d *placeDoc) placedFOEvent(fo placeFO, storefrontName, currency string, ship Address) json.RawMessage {
	e := FulfillmentOrderEvent{ID: ids.Global("FulfillmentOrder", fo.ID), Reference: fo.Reference, Kind: fo.Kind, Status: FONew,
		StorefrontName: storefrontName, ShipTo: addressOf(ship), Lines: []FulfillmentOrderLineEvent{}}
	for _, l := range d.Lines {
		if l.FOID == fo.ID {
			e.Lines = append(e.Lines, FulfillmentOrderLineEvent{ID: ids.Global("FulfillmentOrderLine", l.FOLineID), SKU: l.SKU,
				Title: l.OfferTitle, Quantity: l.Quantity, UnitCost: moneyOf(l.UnitCost, currency)})
		}
	}
	b, _ := json.Marshal(e)
	return b
}

// placedOrderEvent is the order.created data of the order checkout is about to place
// (gm_checkout_place adds the number, name and createdAt).
func (d *placeDoc) placedOrderEvent(storefront uuid.UUID, currency string, ship Address) json.RawMessage {
	e := OrderEvent{ID: ids.Global("Order", d.OrderID), StorefrontID: ids.Global("Storefront", storefront), Email: d.Email,
		Status: StatusUnfulfilled, Subtotal: moneyOf(d.Subtotal, currency), ShipTo: addressOf(ship), Lines: []OrderLineEvent{}}
	for _, l := range d.Lines {
		e.Lines = append(e.Lines, OrderLineEvent{ID: ids.Global("OrderLine", l.ID), Title: l.Title, Quantity: l.Quantity,
			UnitPrice: moneyOf(l.UnitPrice, currency), Routing: l.RouteKind, RoutingReason: l.Reason})
	}
	b, _ := json.Marshal(e)
	return b
}
