package gateway

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// Global ID kinds of the fulfilment area.
const (
	kindCart                 = "Cart"
	kindOrder                = "Order"
	kindOrderLine            = "OrderLine"
	kindFulfillmentOrder     = "FulfillmentOrder"
	kindFulfillmentOrderLine = "FulfillmentOrderLine"
	kindShipment             = "Shipment"
	kindStockMovement        = "StockMovement"
	kindWebhookEndpoint      = "WebhookEndpoint"
	kindWebhookDelivery      = "WebhookDelivery"
)

func init() {
	registerNode(kindOrder, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		o, err := loadOrder(ctx, r.svc, id)
		if o == nil || err != nil {
			return nil, orNotFound(err, "order")
		}
		return &orderResolver{r, o}, nil
	})
	registerNode(kindFulfillmentOrder, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		f, err := loadFulfillmentOrder(ctx, r.svc, id)
		if f == nil || err != nil {
			return nil, orNotFound(err, "fulfillment order")
		}
		return &fulfillmentOrderResolver{r, f}, nil
	})
	registerNode(kindCart, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		f, err := fulfillmentSvc(r.svc)
		if err != nil {
			return nil, err
		}
		c, err := f.Cart(ctx, principal(ctx), id)
		if err != nil {
			return nil, err
		}
		return &cartResolver{c}, nil
	})
}

func (n *nodeResolver) ToOrder() (*orderResolver, bool) {
	v, ok := n.v.(*orderResolver)
	return v, ok
}
func (n *nodeResolver) ToFulfillmentOrder() (*fulfillmentOrderResolver, bool) {
	v, ok := n.v.(*fulfillmentOrderResolver)
	return v, ok
}
func (n *nodeResolver) ToCart() (*cartResolver, bool) {
	v, ok := n.v.(*cartResolver)
	return v, ok
}

// fulfillmentCall authenticates and returns the caller and the service.
func (r *Resolver) fulfillmentCall(ctx context.Context) (tenants.Principal, *fulfillment.Service, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return p, nil, err
	}
	f, err := fulfillmentSvc(r.svc)
	if err != nil {
		return p, nil, gqlError(ctx, err)
	}
	return p, f, nil
}

func optTime(t *time.Time) *graphql.Time {
	if t == nil {
		return nil
	}
	return &graphql.Time{Time: *t}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func options(as []catalog.Attribute) []selectedOption {
	out := make([]selectedOption, len(as))
	for i, a := range as {
		out[i] = selectedOption{a.Key, a.Value}
	}
	return out
}

// --- addresses ---

type addressResolver struct{ a fulfillment.Address }

func (a addressResolver) Name() string       { return a.a.Name }
func (a addressResolver) Line1() string      { return a.a.Line1 }
func (a addressResolver) Line2() string      { return a.a.Line2 }
func (a addressResolver) City() string       { return a.a.City }
func (a addressResolver) PostalCode() string { return a.a.PostalCode }
func (a addressResolver) Region() string     { return a.a.Region }
func (a addressResolver) Country() string    { return a.a.Country }
func (a addressResolver) Latitude() float64  { return a.a.Latitude }
func (a addressResolver) Longitude() float64 { return a.a.Longitude }

type addressInput struct {
	Name, Line1         string
	Line2               *string
	City, PostalCode    string
	Region              *string
	Country             string
	Latitude, Longitude float64
}

func (a addressInput) address() fulfillment.Address {
	return fulfillment.Address{Name: a.Name, Line1: a.Line1, Line2: deref(a.Line2), City: a.City, PostalCode: a.PostalCode,
		Region: deref(a.Region), Country: a.Country, Latitude: a.Latitude, Longitude: a.Longitude}
}

// --- carts ---

type cartResolver struct{ c *fulfillment.Cart }

func (c *cartResolver) ID() graphql.ID           { return gid(kindCart, c.c.ID) }
func (c *cartResolver) Status() string           { return c.c.Status }
func (c *cartResolver) CurrencyCode() string     { return c.c.Currency }
func (c *cartResolver) Subtotal() *moneyResolver { return newMoney(c.c.Subtotal(), c.c.Currency) }
func (c *cartResolver) CreatedAt() graphql.Time  { return graphql.Time{Time: c.c.CreatedAt} }
func (c *cartResolver) UpdatedAt() graphql.Time  { return graphql.Time{Time: c.c.UpdatedAt} }
func (c *cartResolver) OrderId() *graphql.ID {
	if c.c.OrderID == uuid.Nil {
		return nil
	}
	id := gid(kindOrder, c.c.OrderID)
	return &id
}
func (c *cartResolver) Lines() []*cartLineResolver {
	out := make([]*cartLineResolver, len(c.c.Lines))
	for i := range c.c.Lines {
		out[i] = &cartLineResolver{&c.c.Lines[i], c.c.Currency}
	}
	return out
}

type cartLineResolver struct {
	l        *fulfillment.CartLine
	currency string
}

func (l *cartLineResolver) ListingVariantId() graphql.ID {
	return gid(kindListingVariant, l.l.ListingVariantID)
}
func (l *cartLineResolver) ListingId() *graphql.ID {
	if l.l.ListingID == uuid.Nil {
		return nil
	}
	id := gid(kindListing, l.l.ListingID)
	return &id
}
func (l *cartLineResolver) Title() string                     { return l.l.Title }
func (l *cartLineResolver) SelectedOptions() []selectedOption { return options(l.l.Options) }
func (l *cartLineResolver) Quantity() int32                   { return int32(l.l.Quantity) }
func (l *cartLineResolver) UnitPrice() *moneyResolver         { return newMoney(l.l.UnitPrice, l.currency) }
func (l *cartLineResolver) CurrentUnitPrice() *moneyResolver {
	return newMoney(l.l.CurrentUnitPrice, l.currency)
}
func (l *cartLineResolver) PriceChanged() bool { return l.l.PriceChanged() }
func (l *cartLineResolver) Total() *moneyResolver {
	return newMoney(l.l.CurrentUnitPrice*int64(l.l.Quantity), l.currency)
}
func (l *cartLineResolver) Status() string { return l.l.Status }

type cartPayload struct {
	c    *fulfillment.Cart
	errs []userErrorResolver
}

func (p *cartPayload) Cart() *cartResolver {
	if p.c == nil {
		return nil
	}
	return &cartResolver{p.c}
}
func (p *cartPayload) UserErrors() []userErrorResolver { return p.errs }

func newCartPayload(ctx context.Context, c *fulfillment.Cart, err error) (*cartPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		c = nil
	}
	return &cartPayload{c, errs}, nil
}

type cartLineInput struct {
	ListingVariantId graphql.ID
	Quantity         int32
}

func cartLines(in []cartLineInput) ([]fulfillment.CartLineInput, error) {
	out := make([]fulfillment.CartLineInput, len(in))
	for i, l := range in {
		id, err := parseID("lines."+strconv.Itoa(i)+".listingVariantId", l.ListingVariantId, kindListingVariant)
		if err != nil {
			return nil, err
		}
		out[i] = fulfillment.CartLineInput{ListingVariantID: id, Quantity: int(l.Quantity)}
	}
	return out, nil
}

// Cart returns a cart the caller may use.
func (r *Resolver) Cart(ctx context.Context, args struct{ ID graphql.ID }) (*cartResolver, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.ID, kindCart)
	if err != nil {
		return nil, nil
	}
	c, err := f.Cart(ctx, p, id)
	if code := apperr.Code(err); code == apperr.ENOTFOUND || code == apperr.EFORBIDDEN {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &cartResolver{c}, nil
}

// CartCreate opens a cart.
func (r *Resolver) CartCreate(ctx context.Context, args struct {
	Input struct{ Lines *[]cartLineInput }
}) (*cartPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	var lines []fulfillment.CartLineInput
	if args.Input.Lines != nil {
		if lines, err = cartLines(*args.Input.Lines); err != nil {
			return newCartPayload(ctx, nil, err)
		}
	}
	c, err := f.CreateCart(ctx, p, lines)
	return newCartPayload(ctx, c, err)
}

type cartLinesArgs struct {
	Input struct {
		CartId graphql.ID
		Lines  []cartLineInput
	}
}

// CartLinesAdd adds units.
func (r *Resolver) CartLinesAdd(ctx context.Context, args cartLinesArgs) (*cartPayload, error) {
	return r.changeCart(ctx, args, (*fulfillment.Service).AddCartLines)
}

// CartLinesUpdate sets quantities.
func (r *Resolver) CartLinesUpdate(ctx context.Context, args cartLinesArgs) (*cartPayload, error) {
	return r.changeCart(ctx, args, (*fulfillment.Service).UpdateCartLines)
}

func (r *Resolver) changeCart(ctx context.Context, args cartLinesArgs,
	fn func(*fulfillment.Service, context.Context, tenants.Principal, uuid.UUID, []fulfillment.CartLineInput) (*fulfillment.Cart, error)) (*cartPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	cart, err := parseID("cartId", args.Input.CartId, kindCart)
	if err != nil {
		return newCartPayload(ctx, nil, err)
	}
	lines, err := cartLines(args.Input.Lines)
	if err != nil {
		return newCartPayload(ctx, nil, err)
	}
	c, err := fn(f, ctx, p, cart, lines)
	return newCartPayload(ctx, c, notFoundAsInvalid(err, "cartId"))
}

// notFoundAsInvalid reports a missing cart (or fulfilment order) named in an input as a
// userError on that field: the caller can fix the ID.
func notFoundAsInvalid(err error, field string) error {
	if apperr.Code(err) == apperr.ENOTFOUND {
		return apperr.Invalid(field, "%s", apperr.As(err).Message)
	}
	return err
}

// CartLinesRemove removes variants from a cart.
func (r *Resolver) CartLinesRemove(ctx context.Context, args struct {
	Input struct {
		CartId            graphql.ID
		ListingVariantIds []graphql.ID
	}
}) (*cartPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	cart, err := parseID("cartId", args.Input.CartId, kindCart)
	if err != nil {
		return newCartPayload(ctx, nil, err)
	}
	lvs := make([]uuid.UUID, len(args.Input.ListingVariantIds))
	for i, g := range args.Input.ListingVariantIds {
		if lvs[i], err = parseID("listingVariantIds."+strconv.Itoa(i), g, kindListingVariant); err != nil {
			return newCartPayload(ctx, nil, err)
		}
	}
	c, err := f.RemoveCartLines(ctx, p, cart, lvs)
	return newCartPayload(ctx, c, notFoundAsInvalid(err, "cartId"))
}

// --- checkout and orders ---

type checkoutPayload struct {
	r    *Resolver
	o    *fulfillment.Order
	card *payments.CardPayment
	errs []userErrorResolver
}

func (p *checkoutPayload) ClientSecret() *string {
	if p.card == nil {
		return nil
	}
	return &p.card.ClientSecret
}
func (p *checkoutPayload) PaymentIntentId() *string {
	if p.card == nil {
		return nil
	}
	return &p.card.PaymentIntentID
}

func (p *checkoutPayload) Order() *orderResolver {
	if p.o == nil {
		return nil
	}
	return &orderResolver{p.r, p.o}
}
func (p *checkoutPayload) UserErrors() []userErrorResolver { return p.errs }

// CheckoutComplete turns a cart into an order.
func (r *Resolver) CheckoutComplete(ctx context.Context, args struct {
	Input struct {
		CartId             graphql.ID
		Email              *string
		ShippingAddress    addressInput
		IdempotencyKey     string
		AcceptPriceChanges *bool
		PaymentMethod      *string
	}
}) (*checkoutPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	var o *fulfillment.Order
	card := deref(in.PaymentMethod) == payments.MethodCard
	cart, err := parseID("cartId", in.CartId, kindCart)
	if err == nil && card {
		err = r.svc.Payments.RequireCards() // before the order is placed
	}
	if err == nil {
		o, err = f.Checkout(ctx, p, fulfillment.CheckoutInput{CartID: cart, Email: deref(in.Email), ShippingAddress: in.ShippingAddress.address(),
			IdempotencyKey: in.IdempotencyKey, AcceptPriceChanges: deref(in.AcceptPriceChanges)})
	}
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "cartId"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &checkoutPayload{r: r, errs: errs}, nil
	}
	out := &checkoutPayload{r: r, o: o, errs: errs}
	if card {
		// The order stands either way; a failed start is retried by repeating the call with
		// the same idempotency key (same order, same PaymentIntent).
		cp, err := r.svc.Payments.StartCardPayment(ctx, p, o.ID, o.StorefrontID, o.Subtotal, o.Currency)
		if err != nil {
			logger(ctx).Error("checkout: card payment not started", "order", o.ID, "err", err)
			out.errs = []userErrorResolver{{apperr.Conflict("paymentMethod",
				"the order is placed but the card payment could not be started; repeat checkoutComplete with the same idempotencyKey")}}
		}
		out.card = cp
	}
	return out, nil
}

type orderResolver struct {
	r *Resolver
	o *fulfillment.Order
}

func (o *orderResolver) ID() graphql.ID                   { return gid(kindOrder, o.o.ID) }
func (o *orderResolver) Number() int32                    { return int32(o.o.Number) }
func (o *orderResolver) Name() string                     { return o.o.Name() }
func (o *orderResolver) Email() string                    { return o.o.Email }
func (o *orderResolver) Status() string                   { return o.o.Status }
func (o *orderResolver) Subtotal() *moneyResolver         { return newMoney(o.o.Subtotal, o.o.Currency) }
func (o *orderResolver) RoutingPolicy() string            { return o.o.RoutingPolicy }
func (o *orderResolver) ShippingAddress() addressResolver { return addressResolver{o.o.ShipTo} }
func (o *orderResolver) CreatedAt() graphql.Time          { return graphql.Time{Time: o.o.CreatedAt} }
func (o *orderResolver) UpdatedAt() graphql.Time          { return graphql.Time{Time: o.o.UpdatedAt} }
func (o *orderResolver) CustomerId() *graphql.ID {
	if o.o.CustomerID == uuid.Nil {
		return nil
	}
	id := gid(kindCustomer, o.o.CustomerID)
	return &id
}
func (o *orderResolver) Storefront(ctx context.Context) (*storefrontResolver, error) {
	s, err := loadStorefront(ctx, o.r.svc, o.o.StorefrontID)
	if err != nil || s == nil {
		return nil, gqlError(ctx, err)
	}
	return &storefrontResolver{o.r, s}, nil
}
func (o *orderResolver) Lines() []*orderLineResolver {
	out := make([]*orderLineResolver, len(o.o.Lines))
	for i := range o.o.Lines {
		out[i] = &orderLineResolver{o.r, &o.o.Lines[i]}
	}
	return out
}
func (o *orderResolver) FulfillmentOrders(ctx context.Context) ([]*fulfillmentOrderResolver, error) {
	fs, err := loadOrderFulfillmentOrders(ctx, o.r.svc, o.o.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*fulfillmentOrderResolver, len(fs))
	for i, f := range fs {
		out[i] = &fulfillmentOrderResolver{o.r, f}
	}
	return out, nil
}
func (o *orderResolver) Shipments(ctx context.Context) ([]*shipmentResolver, error) {
	ss, err := loadOrderShipments(ctx, o.r.svc, o.o.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return shipments(ss, true), nil
}

type orderLineResolver struct {
	r *Resolver
	l *fulfillment.OrderLine
}

func (l *orderLineResolver) ID() graphql.ID { return gid(kindOrderLine, l.l.ID) }
func (l *orderLineResolver) ListingVariantId() graphql.ID {
	return gid(kindListingVariant, l.l.ListingVariantID)
}
func (l *orderLineResolver) Title() string                     { return l.l.Title }
func (l *orderLineResolver) SelectedOptions() []selectedOption { return options(l.l.Options) }
func (l *orderLineResolver) Quantity() int32                   { return int32(l.l.Quantity) }
func (l *orderLineResolver) UnitPrice() *moneyResolver         { return newMoney(l.l.UnitPrice, l.l.Currency) }
func (l *orderLineResolver) Total() *moneyResolver {
	return newMoney(l.l.UnitPrice*int64(l.l.Quantity), l.l.Currency)
}
func (l *orderLineResolver) Status() string           { return l.l.Status }
func (l *orderLineResolver) QuantityFulfilled() int32 { return int32(l.l.QuantityFulfilled) }
func (l *orderLineResolver) QuantityCancelled() int32 { return int32(l.l.QuantityCancelled) }
func (l *orderLineResolver) QuantityReturned() int32  { return int32(l.l.QuantityReturned) }
func (l *orderLineResolver) RoutingReason() *string {
	if l.l.Routing == nil {
		return nil
	}
	return &l.l.Routing.Reason
}
func (l *orderLineResolver) Routing() *routingResolver {
	if l.l.Routing == nil {
		return nil
	}
	return &routingResolver{l.r, l.l.Routing}
}

type routingResolver struct {
	r  *Resolver
	rt *fulfillment.LineRouting
}

func (x *routingResolver) Kind() string      { return x.rt.Kind }
func (x *routingResolver) Sku() string       { return x.rt.SKU }
func (x *routingResolver) Reason() string    { return x.rt.Reason }
func (x *routingResolver) DistanceKm() int32 { return int32(x.rt.DistanceKm) }
func (x *routingResolver) Days() int32       { return int32(x.rt.Days) }
func (x *routingResolver) Warehouse(ctx context.Context) (*warehouseResolver, error) {
	return warehouseOf(ctx, x.r, x.rt.WarehouseID)
}
func (x *routingResolver) Supplier(ctx context.Context) (*memberResolver, error) {
	m, err := loadMember(ctx, x.r.svc, x.rt.SupplierID)
	if err != nil || m == nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{x.r, m}, nil
}

func warehouseOf(ctx context.Context, r *Resolver, id uuid.UUID) (*warehouseResolver, error) {
	if id == uuid.Nil || r.svc.Catalog == nil {
		return nil, nil
	}
	w, err := loadWarehouse(ctx, r.svc, id)
	if err != nil || w == nil {
		return nil, gqlError(ctx, err)
	}
	return &warehouseResolver{w}, nil
}

type orderConnection struct {
	r    *Resolver
	page *fulfillment.OrderPage
}

func (c *orderConnection) Edges() []orderEdge {
	out := make([]orderEdge, len(c.page.Orders))
	for i, o := range c.page.Orders {
		out[i] = orderEdge{&orderResolver{c.r, o}}
	}
	return out
}
func (c *orderConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Orders); n > 0 {
		p.end = fulfillment.OrderCursor(c.page.Orders[n-1])
	}
	return p
}

type orderEdge struct{ n *orderResolver }

func (e orderEdge) Cursor() string       { return fulfillment.OrderCursor(e.n.o) }
func (e orderEdge) Node() *orderResolver { return e.n }

// Orders lists the orders the caller may read.
func (r *Resolver) Orders(ctx context.Context, args struct {
	StorefrontId *graphql.ID
	Status       *string
	First        *int32
	After        *string
}) (*orderConnection, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	sf, err := optID("storefrontId", args.StorefrontId, kindStorefront)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	page, err := f.Orders(ctx, p, fulfillment.OrderFilter{StorefrontID: sf, Status: deref(args.Status), First: int(deref(args.First)), After: deref(args.After)})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &orderConnection{r, page}, nil
}

// Order returns one order the caller may read.
func (r *Resolver) Order(ctx context.Context, args struct{ ID graphql.ID }) (*orderResolver, error) {
	if _, _, err := r.fulfillmentCall(ctx); err != nil {
		return nil, err
	}
	id, err := parseID("id", args.ID, kindOrder)
	if err != nil {
		return nil, nil
	}
	o, err := loadOrder(ctx, r.svc, id)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if o == nil {
		return nil, nil
	}
	return &orderResolver{r, o}, nil
}

// --- fulfilment orders ---

type fulfillmentOrderResolver struct {
	r *Resolver
	f *fulfillment.FulfillmentOrder
}

func (f *fulfillmentOrderResolver) ID() graphql.ID          { return gid(kindFulfillmentOrder, f.f.ID) }
func (f *fulfillmentOrderResolver) Reference() string       { return f.f.Reference }
func (f *fulfillmentOrderResolver) Kind() string            { return f.f.Kind }
func (f *fulfillmentOrderResolver) Status() string          { return f.f.Status }
func (f *fulfillmentOrderResolver) StorefrontName() string  { return f.f.StorefrontName }
func (f *fulfillmentOrderResolver) ShipTo() addressResolver { return addressResolver{f.f.ShipTo} }
func (f *fulfillmentOrderResolver) Reason() *string         { return optString(f.f.Reason) }
func (f *fulfillmentOrderResolver) SlaDueAt() *graphql.Time { return optTime(f.f.SLADueAt) }
func (f *fulfillmentOrderResolver) CreatedAt() graphql.Time { return graphql.Time{Time: f.f.CreatedAt} }
func (f *fulfillmentOrderResolver) AcceptedAt() *graphql.Time {
	return optTime(f.f.AcceptedAt)
}
func (f *fulfillmentOrderResolver) ShippedAt() *graphql.Time   { return optTime(f.f.ShippedAt) }
func (f *fulfillmentOrderResolver) DeliveredAt() *graphql.Time { return optTime(f.f.DeliveredAt) }
func (f *fulfillmentOrderResolver) WholesaleTotal() *moneyResolver {
	return newMoney(f.f.WholesaleTotal(), f.f.Currency)
}
func (f *fulfillmentOrderResolver) Warehouse(ctx context.Context) (*warehouseResolver, error) {
	return warehouseOf(ctx, f.r, f.f.WarehouseID)
}
func (f *fulfillmentOrderResolver) Lines() []*foLineResolver {
	out := make([]*foLineResolver, len(f.f.Lines))
	for i := range f.f.Lines {
		out[i] = &foLineResolver{&f.f.Lines[i]}
	}
	return out
}
func (f *fulfillmentOrderResolver) Shipments(ctx context.Context) []*shipmentResolver {
	p := principal(ctx)
	// Shippers (suppliers, the operator) get no handle on the storefront's order lines.
	return shipments(f.f.Shipments, p.Allows(tenants.FamilySelling) && p.OwnMemberID() != f.f.SupplierID)
}

type foLineResolver struct {
	l *fulfillment.FulfillmentOrderLine
}

func (l *foLineResolver) ID() graphql.ID           { return gid(kindFulfillmentOrderLine, l.l.ID) }
func (l *foLineResolver) Sku() string              { return l.l.SKU }
func (l *foLineResolver) Title() string            { return l.l.Title }
func (l *foLineResolver) Quantity() int32          { return int32(l.l.Quantity) }
func (l *foLineResolver) QuantityShipped() int32   { return int32(l.l.QuantityShipped) }
func (l *foLineResolver) QuantityRemoved() int32   { return int32(l.l.QuantityRemoved) }
func (l *foLineResolver) Status() string           { return l.l.Status() }
func (l *foLineResolver) Reason() *string          { return optString(l.l.Reason) }
func (l *foLineResolver) UnitCost() *moneyResolver { return newMoney(l.l.UnitCost, l.l.Currency) }

type shipmentResolver struct {
	s          fulfillment.Shipment
	orderLines bool
}

func shipments(ss []fulfillment.Shipment, orderLines bool) []*shipmentResolver {
	out := make([]*shipmentResolver, len(ss))
	for i, s := range ss {
		out[i] = &shipmentResolver{s, orderLines}
	}
	return out
}

func (s *shipmentResolver) ID() graphql.ID             { return gid(kindShipment, s.s.ID) }
func (s *shipmentResolver) Carrier() string            { return s.s.Carrier }
func (s *shipmentResolver) TrackingNumber() string     { return s.s.TrackingNumber }
func (s *shipmentResolver) TrackingUrl() *string       { return optString(s.s.TrackingURL) }
func (s *shipmentResolver) Status() string             { return s.s.Status }
func (s *shipmentResolver) ShippedAt() graphql.Time    { return graphql.Time{Time: s.s.ShippedAt} }
func (s *shipmentResolver) DeliveredAt() *graphql.Time { return optTime(s.s.DeliveredAt) }
func (s *shipmentResolver) Lines() []shipmentLineResolver {
	out := make([]shipmentLineResolver, len(s.s.Lines))
	for i, l := range s.s.Lines {
		out[i] = shipmentLineResolver{l, s.orderLines}
	}
	return out
}

type shipmentLineResolver struct {
	l          fulfillment.ShipmentLine
	orderLines bool
}

func (l shipmentLineResolver) FulfillmentOrderLineId() graphql.ID {
	return gid(kindFulfillmentOrderLine, l.l.FulfillmentOrderLineID)
}
func (l shipmentLineResolver) OrderLineId() *graphql.ID {
	if !l.orderLines {
		return nil
	}
	id := gid(kindOrderLine, l.l.OrderLineID)
	return &id
}
func (l shipmentLineResolver) Quantity() int32 { return int32(l.l.Quantity) }

type fulfillmentOrderConnection struct {
	r    *Resolver
	page *fulfillment.FulfillmentOrderPage
}

func (c *fulfillmentOrderConnection) Edges() []fulfillmentOrderEdge {
	out := make([]fulfillmentOrderEdge, len(c.page.Orders))
	for i, f := range c.page.Orders {
		out[i] = fulfillmentOrderEdge{&fulfillmentOrderResolver{c.r, f}}
	}
	return out
}
func (c *fulfillmentOrderConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Orders); n > 0 {
		p.end = fulfillment.FulfillmentOrderCursor(c.page.Orders[n-1])
	}
	return p
}

type fulfillmentOrderEdge struct{ n *fulfillmentOrderResolver }

func (e fulfillmentOrderEdge) Cursor() string                  { return fulfillment.FulfillmentOrderCursor(e.n.f) }
func (e fulfillmentOrderEdge) Node() *fulfillmentOrderResolver { return e.n }

// FulfillmentOrders is the shipper's queue.
func (r *Resolver) FulfillmentOrders(ctx context.Context, args struct {
	Status      *string
	WarehouseId *graphql.ID
	First       *int32
	After       *string
}) (*fulfillmentOrderConnection, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	wh, err := optID("warehouseId", args.WarehouseId, kindWarehouse)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	page, err := f.FulfillmentOrders(ctx, p, fulfillment.FulfillmentOrderFilter{Status: deref(args.Status), WarehouseID: wh,
		First: int(deref(args.First)), After: deref(args.After)})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &fulfillmentOrderConnection{r, page}, nil
}

type fulfillmentOrderPayload struct {
	r    *Resolver
	f    *fulfillment.FulfillmentOrder
	errs []userErrorResolver
}

func (p *fulfillmentOrderPayload) FulfillmentOrder() *fulfillmentOrderResolver {
	if p.f == nil {
		return nil
	}
	return &fulfillmentOrderResolver{p.r, p.f}
}
func (p *fulfillmentOrderPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) foPayload(ctx context.Context, f *fulfillment.FulfillmentOrder, err error) (*fulfillmentOrderPayload, error) {
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "id"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		f = nil
	}
	return &fulfillmentOrderPayload{r, f, errs}, nil
}

// foAction runs fn on the fulfilment order named by gid.
func (r *Resolver) foAction(ctx context.Context, gidArg graphql.ID,
	fn func(*fulfillment.Service, tenants.Principal, uuid.UUID) (*fulfillment.FulfillmentOrder, error)) (*fulfillmentOrderPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", gidArg, kindFulfillmentOrder)
	if err != nil {
		return r.foPayload(ctx, nil, err)
	}
	fo, err := fn(f, p, id)
	return r.foPayload(ctx, fo, err)
}

// FulfillmentOrderAccept accepts a NEW fulfilment order.
func (r *Resolver) FulfillmentOrderAccept(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*fulfillmentOrderPayload, error) {
	return r.foAction(ctx, args.Input.ID, func(f *fulfillment.Service, p tenants.Principal, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
		return f.AcceptFulfillmentOrder(ctx, p, id)
	})
}

// FulfillmentOrderDeliver marks shipments delivered.
func (r *Resolver) FulfillmentOrderDeliver(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*fulfillmentOrderPayload, error) {
	return r.foAction(ctx, args.Input.ID, func(f *fulfillment.Service, p tenants.Principal, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
		return f.DeliverFulfillmentOrder(ctx, p, id)
	})
}

// FulfillmentOrderCancel cancels before shipping.
func (r *Resolver) FulfillmentOrderCancel(ctx context.Context, args struct {
	Input struct {
		ID     graphql.ID
		Reason *string
	}
}) (*fulfillmentOrderPayload, error) {
	return r.foAction(ctx, args.Input.ID, func(f *fulfillment.Service, p tenants.Principal, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
		return f.CancelFulfillmentOrder(ctx, p, id, deref(args.Input.Reason))
	})
}

// FulfillmentOrderReject rejects lines; they are rerouted or cancelled.
func (r *Resolver) FulfillmentOrderReject(ctx context.Context, args struct {
	Input struct {
		ID      graphql.ID
		LineIds *[]graphql.ID
		Reason  string
	}
}) (*fulfillmentOrderPayload, error) {
	var lines []uuid.UUID
	if args.Input.LineIds != nil {
		for i, g := range *args.Input.LineIds {
			id, err := parseID("lineIds."+strconv.Itoa(i), g, kindFulfillmentOrderLine)
			if err != nil {
				return r.foPayload(ctx, nil, err)
			}
			lines = append(lines, id)
		}
	}
	return r.foAction(ctx, args.Input.ID, func(f *fulfillment.Service, p tenants.Principal, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
		return f.RejectFulfillmentOrder(ctx, p, id, lines, args.Input.Reason)
	})
}

type shipmentInput struct {
	Carrier        string
	TrackingNumber string
	TrackingUrl    *string
	Lines          *[]struct {
		LineId   graphql.ID
		Quantity int32
	}
}

// FulfillmentOrderShip records shipments.
func (r *Resolver) FulfillmentOrderShip(ctx context.Context, args struct {
	Input struct {
		ID        graphql.ID
		Shipments []shipmentInput
	}
}) (*fulfillmentOrderPayload, error) {
	in := make([]fulfillment.ShipmentInput, len(args.Input.Shipments))
	for i, s := range args.Input.Shipments {
		in[i] = fulfillment.ShipmentInput{Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, TrackingURL: deref(s.TrackingUrl)}
		if s.Lines != nil {
			for j, l := range *s.Lines {
				id, err := parseID("shipments."+strconv.Itoa(i)+".lines."+strconv.Itoa(j)+".lineId", l.LineId, kindFulfillmentOrderLine)
				if err != nil {
					return r.foPayload(ctx, nil, err)
				}
				in[i].Lines = append(in[i].Lines, fulfillment.ShipmentLineInput{FulfillmentOrderLineID: id, Quantity: int(l.Quantity)})
			}
		}
	}
	return r.foAction(ctx, args.Input.ID, func(f *fulfillment.Service, p tenants.Principal, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
		return f.ShipFulfillmentOrder(ctx, p, id, in)
	})
}

// --- stock ---

type stockResolver struct {
	r *Resolver
	s *fulfillment.Stock
}

func (s *stockResolver) VariantId() graphql.ID   { return gid(kindOfferVariant, s.s.VariantID) }
func (s *stockResolver) Sku() string             { return s.s.SKU }
func (s *stockResolver) OnHand() int32           { return int32(s.s.OnHand) }
func (s *stockResolver) Reserved() int32         { return int32(s.s.Reserved) }
func (s *stockResolver) Available() int32        { return int32(s.s.Available()) }
func (s *stockResolver) UpdatedAt() graphql.Time { return graphql.Time{Time: s.s.UpdatedAt} }
func (s *stockResolver) Warehouse(ctx context.Context) (*warehouseResolver, error) {
	return warehouseOf(ctx, s.r, s.s.WarehouseID)
}

type stockConnection struct {
	r    *Resolver
	page *fulfillment.StockPage
}

func (c *stockConnection) Edges() []stockEdge {
	out := make([]stockEdge, len(c.page.Stock))
	for i, s := range c.page.Stock {
		out[i] = stockEdge{c.page.Cursors[i], &stockResolver{c.r, s}}
	}
	return out
}
func (c *stockConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Cursors); n > 0 {
		p.end = c.page.Cursors[n-1]
	}
	return p
}

type stockEdge struct {
	c string
	n *stockResolver
}

func (e stockEdge) Cursor() string       { return e.c }
func (e stockEdge) Node() *stockResolver { return e.n }

// WarehouseStock lists stock the caller may see.
func (r *Resolver) WarehouseStock(ctx context.Context, args struct {
	WarehouseId *graphql.ID
	VariantId   *graphql.ID
	First       *int32
	After       *string
}) (*stockConnection, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	wh, err := optID("warehouseId", args.WarehouseId, kindWarehouse)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	v, err := optID("variantId", args.VariantId, kindOfferVariant)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	page, err := f.StockLevels(ctx, p, fulfillment.StockFilter{WarehouseID: wh, VariantID: v, First: int(deref(args.First)), After: deref(args.After)})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &stockConnection{r, page}, nil
}

type movementResolver struct{ m *fulfillment.StockMovement }

func (m movementResolver) ID() graphql.ID          { return gid(kindStockMovement, m.m.ID) }
func (m movementResolver) Kind() string            { return m.m.Kind }
func (m movementResolver) OnHandDelta() int32      { return int32(m.m.OnHandDelta) }
func (m movementResolver) ReservedDelta() int32    { return int32(m.m.ReservedDelta) }
func (m movementResolver) Reason() string          { return m.m.Reason }
func (m movementResolver) Reference() string       { return m.m.Reference }
func (m movementResolver) CreatedAt() graphql.Time { return graphql.Time{Time: m.m.CreatedAt} }

// StockMovements lists one stock row's movements, newest first.
func (r *Resolver) StockMovements(ctx context.Context, args struct {
	WarehouseId graphql.ID
	VariantId   graphql.ID
	First       *int32
}) ([]movementResolver, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	wh, err := parseID("warehouseId", args.WarehouseId, kindWarehouse)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	v, err := parseID("variantId", args.VariantId, kindOfferVariant)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	ms, err := f.StockMovements(ctx, p, wh, v, int(deref(args.First)))
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]movementResolver, len(ms))
	for i, m := range ms {
		out[i] = movementResolver{m}
	}
	return out, nil
}

type stockPayload struct {
	r    *Resolver
	s    *fulfillment.Stock
	errs []userErrorResolver
}

func (p *stockPayload) Stock() *stockResolver {
	if p.s == nil {
		return nil
	}
	return &stockResolver{p.r, p.s}
}
func (p *stockPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) stockPayload(ctx context.Context, s *fulfillment.Stock, err error) (*stockPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		s = nil
	}
	return &stockPayload{r, s, errs}, nil
}

func stockIDs(wh, v graphql.ID) (uuid.UUID, uuid.UUID, error) {
	w, err := parseID("warehouseId", wh, kindWarehouse)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	vid, err := parseID("variantId", v, kindOfferVariant)
	return w, vid, err
}

// StockReceive books an inbound receipt.
func (r *Resolver) StockReceive(ctx context.Context, args struct {
	Input struct {
		WarehouseId, VariantId graphql.ID
		Quantity               int32
		Reference              *string
		IdempotencyKey         *string
	}
}) (*stockPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	wh, v, err := stockIDs(in.WarehouseId, in.VariantId)
	if err != nil {
		return r.stockPayload(ctx, nil, err)
	}
	s, err := f.ReceiveStock(ctx, p, fulfillment.StockReceipt{WarehouseID: wh, VariantID: v, Quantity: int(in.Quantity),
		Reference: deref(in.Reference), IdempotencyKey: deref(in.IdempotencyKey)})
	return r.stockPayload(ctx, s, err)
}

// StockAdjust corrects on-hand stock.
func (r *Resolver) StockAdjust(ctx context.Context, args struct {
	Input struct {
		WarehouseId, VariantId graphql.ID
		Delta                  int32
		Reason                 string
	}
}) (*stockPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	wh, v, err := stockIDs(in.WarehouseId, in.VariantId)
	if err != nil {
		return r.stockPayload(ctx, nil, err)
	}
	s, err := f.AdjustStock(ctx, p, fulfillment.StockAdjustment{WarehouseID: wh, VariantID: v, Delta: int(in.Delta), Reason: in.Reason})
	return r.stockPayload(ctx, s, err)
}

// --- webhooks ---

type webhookEndpointResolver struct{ e *fulfillment.WebhookEndpoint }

func (e *webhookEndpointResolver) ID() graphql.ID          { return gid(kindWebhookEndpoint, e.e.ID) }
func (e *webhookEndpointResolver) Url() string             { return e.e.URL }
func (e *webhookEndpointResolver) Events() []string        { return e.e.Events }
func (e *webhookEndpointResolver) CreatedAt() graphql.Time { return graphql.Time{Time: e.e.CreatedAt} }

// WebhookEndpoints lists the caller's member's endpoints.
func (r *Resolver) WebhookEndpoints(ctx context.Context) ([]*webhookEndpointResolver, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	es, err := f.WebhookEndpoints(ctx, p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*webhookEndpointResolver, len(es))
	for i, e := range es {
		out[i] = &webhookEndpointResolver{e}
	}
	return out, nil
}

type webhookEndpointCreatePayload struct {
	e      *fulfillment.WebhookEndpoint
	secret string
	errs   []userErrorResolver
}

func (p *webhookEndpointCreatePayload) WebhookEndpoint() *webhookEndpointResolver {
	if p.e == nil {
		return nil
	}
	return &webhookEndpointResolver{p.e}
}
func (p *webhookEndpointCreatePayload) Secret() *string                 { return optString(p.secret) }
func (p *webhookEndpointCreatePayload) UserErrors() []userErrorResolver { return p.errs }

// WebhookEndpointCreate adds an endpoint and shows its secret once.
func (r *Resolver) WebhookEndpointCreate(ctx context.Context, args struct {
	Input struct {
		Url    string
		Events []string
	}
}) (*webhookEndpointCreatePayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	e, secret, err := f.CreateWebhookEndpoint(ctx, p, fulfillment.WebhookEndpointCreate{URL: args.Input.Url, Events: args.Input.Events})
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		e, secret = nil, ""
	}
	return &webhookEndpointCreatePayload{e, secret, errs}, nil
}

type webhookEndpointPayload struct {
	e    *fulfillment.WebhookEndpoint
	errs []userErrorResolver
}

func (p *webhookEndpointPayload) WebhookEndpoint() *webhookEndpointResolver {
	if p.e == nil {
		return nil
	}
	return &webhookEndpointResolver{p.e}
}
func (p *webhookEndpointPayload) UserErrors() []userErrorResolver { return p.errs }

// WebhookEndpointDelete stops deliveries to an endpoint.
func (r *Resolver) WebhookEndpointDelete(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*webhookEndpointPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	var e *fulfillment.WebhookEndpoint
	id, err := parseID("id", args.Input.ID, kindWebhookEndpoint)
	if err == nil {
		e, err = f.DeleteWebhookEndpoint(ctx, p, id)
	}
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "id"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		e = nil
	}
	return &webhookEndpointPayload{e, errs}, nil
}

type webhookDeliveryResolver struct{ d *fulfillment.WebhookDelivery }

func (d *webhookDeliveryResolver) ID() graphql.ID    { return gid(kindWebhookDelivery, d.d.ID) }
func (d *webhookDeliveryResolver) WebhookId() string { return d.d.ID.String() }
func (d *webhookDeliveryResolver) EndpointId() graphql.ID {
	return gid(kindWebhookEndpoint, d.d.EndpointID)
}
func (d *webhookDeliveryResolver) EventType() string       { return d.d.EventType }
func (d *webhookDeliveryResolver) Payload() string         { return string(d.d.Payload) }
func (d *webhookDeliveryResolver) Status() string          { return d.d.Status }
func (d *webhookDeliveryResolver) CreatedAt() graphql.Time { return graphql.Time{Time: d.d.CreatedAt} }
func (d *webhookDeliveryResolver) DeliveredAt() *graphql.Time {
	return optTime(d.d.DeliveredAt)
}
func (d *webhookDeliveryResolver) Attempts() []webhookAttemptResolver {
	out := make([]webhookAttemptResolver, len(d.d.Attempts))
	for i, a := range d.d.Attempts {
		out[i] = webhookAttemptResolver{a}
	}
	return out
}

type webhookAttemptResolver struct{ a fulfillment.WebhookAttempt }

func (a webhookAttemptResolver) Attempt() int32   { return int32(a.a.Attempt) }
func (a webhookAttemptResolver) At() graphql.Time { return graphql.Time{Time: a.a.At} }
func (a webhookAttemptResolver) StatusCode() *int32 {
	if a.a.StatusCode == nil {
		return nil
	}
	c := int32(*a.a.StatusCode)
	return &c
}
func (a webhookAttemptResolver) Error() *string    { return optString(a.a.Error) }
func (a webhookAttemptResolver) DurationMs() int32 { return int32(a.a.DurationMs) }

type webhookDeliveryConnection struct {
	page *fulfillment.WebhookDeliveryPage
}

func (c *webhookDeliveryConnection) Edges() []webhookDeliveryEdge {
	out := make([]webhookDeliveryEdge, len(c.page.Deliveries))
	for i, d := range c.page.Deliveries {
		out[i] = webhookDeliveryEdge{&webhookDeliveryResolver{d}}
	}
	return out
}
func (c *webhookDeliveryConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Deliveries); n > 0 {
		p.end = fulfillment.WebhookDeliveryCursor(c.page.Deliveries[n-1])
	}
	return p
}

type webhookDeliveryEdge struct{ n *webhookDeliveryResolver }

func (e webhookDeliveryEdge) Cursor() string                 { return fulfillment.WebhookDeliveryCursor(e.n.d) }
func (e webhookDeliveryEdge) Node() *webhookDeliveryResolver { return e.n }

// WebhookDeliveries lists the caller's member's deliveries.
func (r *Resolver) WebhookDeliveries(ctx context.Context, args struct {
	EndpointId *graphql.ID
	First      *int32
	After      *string
}) (*webhookDeliveryConnection, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	ep, err := optID("endpointId", args.EndpointId, kindWebhookEndpoint)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	page, err := f.WebhookDeliveries(ctx, p, ep, int(deref(args.First)), deref(args.After))
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &webhookDeliveryConnection{page}, nil
}

// --- sell-through and SLA ---

type sellThroughResolver struct{ s fulfillment.SellThroughRow }

func (s sellThroughResolver) Day() string           { return s.s.Day.Format("2006-01-02") }
func (s sellThroughResolver) VariantId() graphql.ID { return gid(kindOfferVariant, s.s.VariantID) }
func (s sellThroughResolver) Sku() string           { return s.s.SKU }
func (s sellThroughResolver) Region() string        { return s.s.Region }
func (s sellThroughResolver) Units() int32          { return int32(s.s.Units) }
func (s sellThroughResolver) WholesaleRevenue() *moneyResolver {
	return newMoney(s.s.WholesaleRevenue, s.s.Currency)
}

// SellThrough is a supplier's sell-through.
func (r *Resolver) SellThrough(ctx context.Context, args struct{ From, To graphql.Time }) ([]sellThroughResolver, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := f.SellThrough(ctx, p, args.From.Time, args.To.Time)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]sellThroughResolver, len(rows))
	for i, row := range rows {
		out[i] = sellThroughResolver{row}
	}
	return out, nil
}

// SupplierSlaHours is the calling supplier's SLA.
func (r *Resolver) SupplierSlaHours(ctx context.Context) (int32, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return 0, err
	}
	h, err := f.SupplierSLA(ctx, p)
	if err != nil {
		return 0, gqlError(ctx, err)
	}
	return int32(h), nil
}

type supplierSlaPayload struct {
	hours *int32
	errs  []userErrorResolver
}

func (p *supplierSlaPayload) SlaHours() *int32                { return p.hours }
func (p *supplierSlaPayload) UserErrors() []userErrorResolver { return p.errs }

// SupplierSlaSet sets the calling supplier's SLA.
func (r *Resolver) SupplierSlaSet(ctx context.Context, args struct{ Input struct{ SlaHours int32 } }) (*supplierSlaPayload, error) {
	p, f, err := r.fulfillmentCall(ctx)
	if err != nil {
		return nil, err
	}
	h, err := f.SetSupplierSLA(ctx, p, int(args.Input.SlaHours))
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	out := &supplierSlaPayload{errs: errs}
	if len(errs) == 0 {
		v := int32(h)
		out.hours = &v
	}
	return out, nil
}
