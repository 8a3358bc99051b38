package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment/routing"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// CheckoutInput is the input of Checkout.
type CheckoutInput struct {
	CartID          uuid.UUID
	Email           string // required for anonymous carts; a customer's own e-mail is used otherwise
	ShippingAddress Address
	// IdempotencyKey makes retries (even concurrent ones) return the first order.
	IdempotencyKey string
	// AcceptPriceChanges confirms that the shopper accepts prices that changed since the
	// lines were added; without it a changed price is a userError.
	AcceptPriceChanges bool
}

// Validate checks the input's own fields.
func (in *CheckoutInput) Validate() error {
	var errs []error
	if in.CartID == uuid.Nil {
		errs = append(errs, apperr.Invalid("cartId", "is required"))
	}
	if l := len(in.IdempotencyKey); l < 1 || l > 200 {
		errs = append(errs, apperr.Invalid("idempotencyKey", "must be 1–200 characters"))
	}
	if in.Email != "" {
		e, err := tenants.NormalizeEmail("email", in.Email)
		in.Email = e
		errs = append(errs, err)
	}
	in.ShippingAddress = in.ShippingAddress.trimmed()
	errs = append(errs, in.ShippingAddress.Validate("shippingAddress"))
	return errors.Join(errs...)
}

// checkoutAttempts bounds how often a checkout whose reservation lost a race is re-run
// with fresh stock (the second run normally routes around, or reports what is gone).
const checkoutAttempts = 3

// errRaced: stock routed to was taken by a concurrent checkout before it was reserved.
var errRaced = errors.New("reservation lost a race")

// Checkout turns a cart into an order in one transaction: it re-prices every line from
// the storefront's live prices for the customer's group, checks each line is sellable,
// the group's minimum order value and (unless accepted) unchanged prices, routes each
// line to a warehouse holding stock or to its supplier, reserves warehouse stock without
// overselling, numbers the order, writes it with its fulfilment orders and enqueues the
// webhook deliveries. The same idempotency key returns the same order.
func (s *Service) Checkout(ctx context.Context, p tenants.Principal, in CheckoutInput) (*Order, error) {
	start := time.Now()
	o, outcome, err := s.checkout(ctx, p, in)
	if err != nil && outcome == "" {
		outcome = telemetry.CheckoutError
		if apperr.IsUserError(err) {
			outcome = telemetry.CheckoutInvalid
		}
	}
	telemetry.CountCheckout(outcome, time.Since(start))
	return o, err
}

func (s *Service) checkout(ctx context.Context, p tenants.Principal, in CheckoutInput) (*Order, string, error) {
	sf, err := shopperStorefront(p)
	if err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	for attempt := 1; ; attempt++ {
		o, outcome, err := s.checkoutOnce(ctx, p, sf, in)
		if errors.Is(err, errRaced) {
			if attempt < checkoutAttempts {
				continue
			}
			return nil, telemetry.CheckoutOutOfStock, apperr.Conflict("cartId", "items in the cart sold out while checking out; review the cart and try again")
		}
		return o, outcome, err
	}
}

// cartHeader is what checkout reads of the cart and its storefront.
type cartHeader struct {
	found         bool
	status        string
	currency      string
	customer      *uuid.UUID
	storefront    string
	sfStatus      string
	policy        string
	customerEmail string
}

// source is a cart line's catalog side (gm_checkout_sources).
type source struct {
	ListingTitle, ListingStatus string
	VariantID, SupplierID       uuid.UUID
	SupplierName, OfferTitle    string
	SKU                         string
	Floor                       *int64
	Prices                      catalog.VariantPrices // wholesale and tiers
	DiscountBps                 int                   // the seller's agreement discount
	ShipsDirect                 bool
	FromLat, FromLng            *float64
	FromRegion                  *string
	ShipsTo                     []string
	LeadDays                    int
	Availability                string
	AvailableQuantity           int
}

// direct is the line's drop-ship option: the supplier ships direct and has the units
// (or makes them to order).
func (src *source) direct(quantity int) *routing.Direct {
	if !src.ShipsDirect || src.FromLat == nil || src.FromLng == nil {
		return nil
	}
	if src.Availability != "MADE_TO_ORDER" && !(src.Availability == "IN_STOCK" && src.AvailableQuantity >= quantity) {
		return nil
	}
	return &routing.Direct{From: routing.Point{Lat: *src.FromLat, Lng: *src.FromLng}, Region: deref(src.FromRegion),
		ShipsTo: src.ShipsTo, LeadDays: src.LeadDays}
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

const cartHeaderSQL = `SELECT c.status, c.currency, c.customer_id, s.name, s.status, s.routing_policy, coalesce(cu.email, '')
	FROM carts c JOIN storefronts s ON s.id = c.storefront_id
	LEFT JOIN customers cu ON cu.storefront_id = c.storefront_id AND cu.id = c.customer_id
	WHERE c.storefront_id = $1 AND c.id = $2
	FOR UPDATE OF c`

// checkoutOnce is one attempt: BEGIN; one pipelined round trip that claims the
// idempotency key, locks the cart and reads lines, prices, group, sources and stock;
// routing in Go; one round trip that places the order (gm_checkout_place) and records the
// key's result; the deliveries' jobs; COMMIT.
func (s *Service) checkoutOnce(ctx context.Context, p tenants.Principal, sf uuid.UUID, in CheckoutInput) (*Order, string, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, "", err
	}
	defer pc.Release() // a connection left inside a transaction is closed, not reused
	tx := connTx{pc.Conn()}
	open := true
	defer func() {
		if open {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()

	scope := p.Scope()
	operation := "checkoutComplete/" + in.CartID.String()
	dest := in.ShippingAddress.Destination()
	var (
		claimed bool
		prev    *uuid.UUID
		hdr     cartHeader
		lines   []CartLine
		prices  = map[uuid.UUID]*listed{}
		g       group
		sources = map[uuid.UUID]*source{}
		whs     []routing.Warehouse
	)
	var endpoints []endpointRef
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	queueScope(b, scope, in.CartID)
	b.Queue(`INSERT INTO idempotency_keys (consortium_id, party, operation, key) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING RETURNING true`, p.ConsortiumID, scope.Party(), operation, in.IdempotencyKey).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			claimed = true
		}
		return rows.Err()
	})
	b.Queue(`SELECT result_id FROM idempotency_keys WHERE consortium_id = $1 AND party = $2 AND operation = $3 AND key = $4`,
		p.ConsortiumID, scope.Party(), operation, in.IdempotencyKey).QueryRow(func(row pgx.Row) error { return row.Scan(&prev) })
	b.Queue(cartHeaderSQL, sf, in.CartID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			hdr.found = true
			if err := rows.Scan(&hdr.status, &hdr.currency, &hdr.customer, &hdr.storefront, &hdr.sfStatus, &hdr.policy, &hdr.customerEmail); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	b.Queue(cartLinesSQL, sf, in.CartID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var l CartLine
			if err := rows.Scan(&l.ListingVariantID, &l.Quantity, &l.UnitPrice, &l.AddedAt); err != nil {
				return err
			}
			lines = append(lines, l)
		}
		return rows.Err()
	})
	b.Queue(pricedSQL(cartVariantsSQL), sf, in.CartID, nilIfZero(p.CustomerID)).Query(func(rows pgx.Rows) error { return scanListed(rows, prices) })
	b.Queue(groupSQL, sf, p.CustomerID).Query(func(rows pgx.Rows) error { return scanGroup(rows, &g) })
	b.Queue(`SELECT * FROM gm_checkout_sources($1)`, in.CartID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var lv uuid.UUID
			var x source
			var tq []int
			var tp []int64
			if err := rows.Scan(&lv, &x.ListingTitle, &x.ListingStatus, &x.VariantID, &x.SupplierID, &x.SupplierName, &x.OfferTitle, &x.SKU,
				&x.Floor, &x.Prices.Wholesale, &tq, &tp, &x.DiscountBps, &x.ShipsDirect, &x.FromLat, &x.FromLng, &x.FromRegion, &x.ShipsTo,
				&x.LeadDays, &x.Availability, &x.AvailableQuantity); err != nil {
				return err
			}
			for i := range tq {
				x.Prices.Tiers = append(x.Prices.Tiers, catalog.Tier{MinQuantity: tq[i], Price: tp[i]})
			}
			sources[lv] = &x
		}
		return rows.Err()
	})
	b.Queue(`SELECT * FROM gm_checkout_stock($1, $2)`, in.CartID, dest.Region).Query(func(rows pgx.Rows) error {
		var err error
		whs, err = scanWarehouses(rows)
		return err
	})
	b.Queue(`SELECT * FROM gm_checkout_endpoints($1)`, in.CartID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var e endpointRef
			if err := rows.Scan(&e.ID, &e.MemberID, &e.Event); err != nil {
				return err
			}
			endpoints = append(endpoints, e)
		}
		return rows.Err()
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, "", err
	}

	if !claimed {
		if prev == nil {
			return nil, "", apperr.Conflict("idempotencyKey", "a checkout with this key is still running")
		}
		o, err := scanOrder(tx.QueryRow(ctx, `SELECT `+orderCols+` FROM orders o WHERE o.storefront_id = $1 AND o.id = $2`, sf, *prev))
		if err == pgx.ErrNoRows {
			return nil, "", apperr.Conflict("idempotencyKey", "was used for another checkout")
		}
		if err != nil {
			return nil, "", err
		}
		if !canSeeRouting(p) {
			for i := range o.Lines {
				o.Lines[i].Routing = nil
			}
		}
		return o, telemetry.CheckoutReplayed, nil
	}
	if !hdr.found {
		return nil, "", apperr.NotFound("cart")
	}
	if hdr.status != CartOpen {
		return nil, "", apperr.Conflict("cartId", "the cart has already been checked out")
	}
	if hdr.sfStatus != "ACTIVE" {
		return nil, "", apperr.Conflict("cartId", "the storefront is not taking orders")
	}
	email := hdr.customerEmail
	if email == "" {
		email = in.Email
	}
	if email == "" {
		return nil, "", apperr.Invalid("email", "is required to check out without a customer account")
	}
	if len(lines) == 0 {
		return nil, "", apperr.Invalid("cartId", "the cart is empty")
	}

	// Re-price and check every line.
	var errs []error
	var subtotal int64
	placed := make([]placeLine, len(lines))
	rlines := make([]routing.Line, len(lines))
	for i, l := range lines {
		src := sources[l.ListingVariantID]
		lv := prices[l.ListingVariantID]
		if src == nil {
			errs = append(errs, apperr.Invalid("cartId", "an item of the cart is no longer sold; remove it"))
			continue
		}
		if lv == nil || lv.Status != "ACTIVE" {
			st := src.ListingStatus
			if lv != nil {
				st = lv.Status
			}
			errs = append(errs, apperr.Invalid("cartId", "%q is not available (%s); remove it from the cart", src.ListingTitle, st))
			continue
		}
		if lv.Currency != hdr.currency {
			errs = append(errs, apperr.Invalid("cartId", "%q is priced in %s, the cart in %s", lv.Title, lv.Currency, hdr.currency))
			continue
		}
		price := g.unitPrice(lv.Price, l.Quantity, deref(src.Floor))
		if price != l.UnitPrice && !in.AcceptPriceChanges {
			errs = append(errs, apperr.Conflict("acceptPriceChanges", "the price of %q changed from %s to %s since it was added to the cart; check out with acceptPriceChanges: true to accept it",
				lv.Title, fmtMoney(l.UnitPrice, hdr.currency), fmtMoney(price, hdr.currency)))
		}
		subtotal += price * int64(l.Quantity)
		placed[i] = placeLine{ID: uuid.New(), Position: i + 1, ListingVariantID: l.ListingVariantID, VariantID: src.VariantID,
			SupplierID: src.SupplierID, Title: lv.Title, Options: attrMap(lv.Options), SKU: src.SKU, OfferTitle: src.OfferTitle,
			Quantity: l.Quantity, UnitPrice: price, UnitCost: federation.EffectiveWholesale(src.Prices, l.Quantity, src.DiscountBps)}
		rlines[i] = routing.Line{ID: strconv.Itoa(i), VariantID: src.VariantID, SupplierID: src.SupplierID, Supplier: src.SupplierName,
			Quantity: l.Quantity, Direct: src.direct(l.Quantity)}
	}
	if len(errs) > 0 {
		return nil, "", errors.Join(errs...)
	}
	if subtotal < g.MinOrderValue {
		return nil, "", apperr.Invalid("cartId", "the order comes to %s; your customer group's minimum order value is %s",
			fmtMoney(subtotal, hdr.currency), fmtMoney(g.MinOrderValue, hdr.currency))
	}

	plan, err := routing.Route(hdr.policy, dest, rlines, whs)
	var noRoute *routing.NoRouteError
	if errors.As(err, &noRoute) {
		return nil, telemetry.CheckoutOutOfStock, unroutable(noRoute, rlines, placed, whs, dest)
	}
	if err != nil {
		return nil, "", err
	}
	doc := placeDoc{OrderID: uuid.New(), CartID: in.CartID, Email: email, Subtotal: subtotal, RoutingPolicy: hdr.policy,
		StorefrontName: hdr.storefront, DestinationRegion: dest.Region, SLAHours: s.cfg.SLAHours, Actor: actor(p),
		Ship: shipJSON(in.ShippingAddress), Lines: placed}
	doc.applyPlan(plan)

	doc.chooseDeliveries(endpoints, sf, hdr.currency, in.ShippingAddress)
	if err := s.enqueueDeliveries(ctx, tx, p.ConsortiumID, doc.deliveryIDs()); err != nil {
		return nil, "", err
	}

	// The idempotency key's result, the order (its ledger posting included: the
	// placement posts it before taking the order number) and the commit, in one round
	// trip.
	var number int64
	var createdAt time.Time
	b = &pgx.Batch{}
	b.Queue(`UPDATE idempotency_keys SET result_id = $5 WHERE consortium_id = $1 AND party = $2 AND operation = $3 AND key = $4`,
		p.ConsortiumID, scope.Party(), operation, in.IdempotencyKey, doc.OrderID)
	b.Queue(`SELECT number, created_at FROM gm_checkout_place($1)`, doc).QueryRow(func(row pgx.Row) error {
		return row.Scan(&number, &createdAt)
	})
	b.Queue("COMMIT")
	err = tx.SendBatch(ctx, b).Close()
	switch {
	case pgCode(err) == stateShortStock:
		return nil, "", errRaced
	case pgCode(err) == stateCartClosed || pgConstraint(err) == "orders_cart_key":
		return nil, "", apperr.Conflict("cartId", "the cart has already been checked out")
	case pgCode(err) == stateCartNotFound:
		return nil, "", apperr.NotFound("cart")
	case err != nil:
		return nil, "", err
	}
	open = false
	return doc.order(p, sf, hdr, in, number, createdAt), telemetry.CheckoutPlaced, nil
}

func scanWarehouses(rows pgx.Rows) ([]routing.Warehouse, error) {
	var out []routing.Warehouse
	idx := map[uuid.UUID]int{}
	for rows.Next() {
		var w routing.Warehouse
		var v uuid.UUID
		var n int
		if err := rows.Scan(&w.ID, &w.Name, &w.Location.Lat, &w.Location.Lng, &w.RegionsServed, &w.HandlingDays, &v, &n); err != nil {
			return nil, err
		}
		i, ok := idx[w.ID]
		if !ok {
			i = len(out)
			idx[w.ID] = i
			w.Available = map[uuid.UUID]int{}
			out = append(out, w)
		}
		out[i].Available[v] += n
	}
	return out, rows.Err()
}

// unroutable turns routing's NoRouteError into userErrors naming each line in words a
// shopper may read (no supplier names, no warehouses).
func unroutable(nr *routing.NoRouteError, lines []routing.Line, placed []placeLine, whs []routing.Warehouse, dest routing.Destination) error {
	var errs []error
	for _, id := range nr.LineIDs {
		i, _ := strconv.Atoi(id)
		l := lines[i]
		left := 0
		for _, w := range whs {
			if routing.Serves(w.RegionsServed, dest.Region) {
				left += w.Available[l.VariantID]
			}
		}
		title := placed[i].Title
		switch {
		case l.Direct != nil:
			errs = append(errs, apperr.Conflict("cartId", "%q cannot be delivered to %s", title, dest.Region))
		case left == 0:
			// Only warehouses serving the destination are read: stock elsewhere does not count.
			errs = append(errs, apperr.Conflict("cartId", "%q is out of stock for delivery to %s", title, dest.Region))
		default:
			errs = append(errs, apperr.Conflict("cartId", "only %d of %q left in stock; you asked for %d", left, title, l.Quantity))
		}
	}
	return errors.Join(errs...)
}

func canSeeRouting(p tenants.Principal) bool {
	return p.Kind == tenants.KindMember || p.Kind == tenants.KindStorefront || p.IsOperator()
}

// actor names who caused a movement or an event, for the records.
func actor(p tenants.Principal) string {
	switch p.Kind {
	case tenants.KindMember:
		return "member:" + p.MemberID.String()
	case tenants.KindStorefront:
		return "storefront:" + p.StorefrontID.String()
	case tenants.KindCustomer:
		return "customer:" + p.CustomerID.String()
	case tenants.KindShopper:
		return "shopper"
	}
	return string(p.Kind)
}

func reference(id uuid.UUID) string { return fmt.Sprintf("FO-%X", id[:5]) }
