package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Cart statuses.
const (
	CartOpen      = "OPEN"
	CartCompleted = "COMPLETED"
)

// Cart is a storefront customer's (or an anonymous shopper's) cart. An anonymous cart's
// ID is its bearer token: whoever presents it may use the cart, nobody else can list it.
type Cart struct {
	ID           uuid.UUID
	StorefrontID uuid.UUID
	CustomerID   uuid.UUID // uuid.Nil: anonymous
	Currency     string
	Status       string
	OrderID      uuid.UUID // once completed
	Lines        []CartLine
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CartLine is one listing variant in a cart, priced live.
type CartLine struct {
	ListingVariantID uuid.UUID
	ListingID        uuid.UUID // uuid.Nil when the listing is no longer shown
	Title            string
	Options          []catalog.Attribute
	Quantity         int
	// UnitPrice is the price the shopper was shown when adding or changing the line;
	// CurrentUnitPrice is today's (checkout asks the shopper to accept a difference).
	UnitPrice        int64
	CurrentUnitPrice int64
	// Status is the listing variant's for the caller: ACTIVE is sellable; anything else
	// (OUT_OF_STOCK, PRICE_HELD, UNAVAILABLE, UNPUBLISHED) blocks checkout.
	Status  string
	AddedAt time.Time
}

// Subtotal is the sum of the lines at current prices.
func (c *Cart) Subtotal() int64 {
	var t int64
	for _, l := range c.Lines {
		t += l.CurrentUnitPrice * int64(l.Quantity)
	}
	return t
}

// PriceChanged reports whether the line's price moved since the shopper saw it.
func (l CartLine) PriceChanged() bool { return l.UnitPrice != l.CurrentUnitPrice }

// CartLineInput sets (or adds) a quantity of a listing variant.
type CartLineInput struct {
	ListingVariantID uuid.UUID
	Quantity         int
}

// shopperCart checks p may shop and returns its storefront.
func shopperStorefront(p tenants.Principal) (uuid.UUID, error) {
	if err := p.Require(tenants.FamilyShopping); err != nil {
		return uuid.Nil, err
	}
	if p.StorefrontID == uuid.Nil {
		return uuid.Nil, apperr.Forbidden("carts belong to a storefront: call with the storefront's key or X-Storefront")
	}
	return p.StorefrontID, nil
}

// CreateCart opens a cart in the caller's storefront, for the signed-in customer or
// anonymous, with optional first lines.
func (s *Service) CreateCart(ctx context.Context, p tenants.Principal, lines []CartLineInput) (*Cart, error) {
	sf, err := shopperStorefront(p)
	if err != nil {
		return nil, err
	}
	if err := validateLines(lines, false); err != nil {
		return nil, err
	}
	id := uuid.New()
	var c *Cart
	err = inTx(ctx, s.pool, p.Scope(), id, func(tx pgx.Tx) error {
		var customer *uuid.UUID
		if p.Kind == tenants.KindCustomer {
			customer = &p.CustomerID
		}
		tag, err := tx.Exec(ctx, `INSERT INTO carts (storefront_id, id, consortium_id, member_id, customer_id, currency)
			SELECT s.id, $2, s.consortium_id, s.member_id, $3, s.currency FROM storefronts s WHERE s.id = $1 AND s.consortium_id = $4`,
			sf, id, customer, p.ConsortiumID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFound("storefront")
		}
		if err := s.setLines(ctx, tx, p, sf, id, lines, modeAdd); err != nil {
			return err
		}
		c, err = loadCart(ctx, tx, p, sf, id)
		return err
	})
	return c, err
}

// AddCartLines adds quantities to a cart (a variant already in it gets more units).
func (s *Service) AddCartLines(ctx context.Context, p tenants.Principal, cart uuid.UUID, lines []CartLineInput) (*Cart, error) {
	return s.changeLines(ctx, p, cart, lines, modeAdd)
}

// UpdateCartLines sets quantities; quantity 0 removes the line.
func (s *Service) UpdateCartLines(ctx context.Context, p tenants.Principal, cart uuid.UUID, lines []CartLineInput) (*Cart, error) {
	return s.changeLines(ctx, p, cart, lines, modeSet)
}

// RemoveCartLines removes listing variants from a cart.
func (s *Service) RemoveCartLines(ctx context.Context, p tenants.Principal, cart uuid.UUID, listingVariants []uuid.UUID) (*Cart, error) {
	lines := make([]CartLineInput, len(listingVariants))
	for i, id := range listingVariants {
		lines[i] = CartLineInput{ListingVariantID: id}
	}
	return s.changeLines(ctx, p, cart, lines, modeSet)
}

type lineMode int

const (
	modeAdd lineMode = iota // quantities add to what the cart holds
	modeSet                 // quantities replace it; 0 removes
)

func validateLines(lines []CartLineInput, zeroOK bool) error {
	var errs []error
	if len(lines) > MaxCartLines {
		return apperr.Invalid("lines", "at most %d lines at once", MaxCartLines)
	}
	seen := map[uuid.UUID]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("lines.%d", i)
		if l.ListingVariantID == uuid.Nil {
			errs = append(errs, apperr.Invalid(f+".listingVariantId", "is required"))
		}
		if seen[l.ListingVariantID] {
			errs = append(errs, apperr.Invalid(f+".listingVariantId", "appears twice"))
		}
		seen[l.ListingVariantID] = true
		if (l.Quantity < 1 && !(zeroOK && l.Quantity == 0)) || l.Quantity > MaxLineQuantity {
			lo := 1
			if zeroOK {
				lo = 0
			}
			errs = append(errs, apperr.Invalid(f+".quantity", "must be between %d and %d", lo, MaxLineQuantity))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) changeLines(ctx context.Context, p tenants.Principal, cart uuid.UUID, lines []CartLineInput, mode lineMode) (*Cart, error) {
	sf, err := shopperStorefront(p)
	if err != nil {
		return nil, err
	}
	if err := validateLines(lines, mode == modeSet); err != nil {
		return nil, err
	}
	var c *Cart
	err = inTx(ctx, s.pool, p.Scope(), cart, func(tx pgx.Tx) error {
		if err := s.setLines(ctx, tx, p, sf, cart, lines, mode); err != nil {
			return err
		}
		var err error
		c, err = loadCart(ctx, tx, p, sf, cart)
		return err
	})
	return c, err
}

// setLines locks the open cart, prices the changed lines for the caller and writes them.
func (s *Service) setLines(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, cart uuid.UUID, lines []CartLineInput, mode lineMode) error {
	var status, currency string
	err := tx.QueryRow(ctx, `SELECT status, currency FROM carts WHERE storefront_id = $1 AND id = $2 FOR UPDATE`, sf, cart).Scan(&status, &currency)
	if err == pgx.ErrNoRows {
		return apperr.NotFound("cart")
	}
	if err != nil {
		return err
	}
	if status != CartOpen {
		return apperr.Conflict("cartId", "the cart has been checked out; start a new cart")
	}
	if len(lines) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(lines))
	for i, l := range lines {
		ids[i] = l.ListingVariantID
	}
	have := map[uuid.UUID]int{}
	prices := map[uuid.UUID]*listed{}
	floors := map[uuid.UUID]int64{}
	var g group
	var nLines int
	b := &pgx.Batch{}
	b.Queue(`SELECT listing_variant_id, quantity FROM cart_lines WHERE storefront_id = $1 AND cart_id = $2`, sf, cart).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id uuid.UUID
			var q int
			if err := rows.Scan(&id, &q); err != nil {
				return err
			}
			have[id] = q
			nLines++
		}
		return rows.Err()
	})
	b.Queue(pricedSQL("$2"), sf, ids, nilIfZero(p.CustomerID)).Query(func(rows pgx.Rows) error { return scanListed(rows, prices) })
	b.Queue(groupSQL, sf, p.CustomerID).Query(func(rows pgx.Rows) error { return scanGroup(rows, &g) })
	b.Queue(`SELECT * FROM gm_listing_floors($1)`, ids).Query(func(rows pgx.Rows) error { return scanFloors(rows, floors) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}

	var errs []error
	var upIDs, delIDs []uuid.UUID
	var upQty []int
	var upPrice []int64
	for i, l := range lines {
		f := fmt.Sprintf("lines.%d", i)
		q := l.Quantity
		if mode == modeAdd {
			q += have[l.ListingVariantID]
		}
		if q == 0 {
			delIDs = append(delIDs, l.ListingVariantID)
			continue
		}
		if q > MaxLineQuantity {
			errs = append(errs, apperr.Invalid(f+".quantity", "at most %d units of one variant", MaxLineQuantity))
			continue
		}
		lv := prices[l.ListingVariantID]
		switch {
		case lv == nil:
			errs = append(errs, apperr.Invalid(f+".listingVariantId", "is not for sale in this storefront"))
			continue
		case lv.Status != "ACTIVE":
			errs = append(errs, apperr.Invalid(f+".listingVariantId", "%q is not available (%s)", lv.Title, lv.Status))
			continue
		case lv.Currency != currency:
			errs = append(errs, apperr.Invalid(f+".listingVariantId", "%q is priced in %s, the cart in %s", lv.Title, lv.Currency, currency))
			continue
		}
		if _, ok := have[l.ListingVariantID]; !ok {
			nLines++
		}
		upIDs = append(upIDs, l.ListingVariantID)
		upQty = append(upQty, q)
		upPrice = append(upPrice, g.unitPrice(lv.Price, q, floors[l.ListingVariantID]))
	}
	if nLines > MaxCartLines {
		errs = append(errs, apperr.Invalid("lines", "a cart holds at most %d variants", MaxCartLines))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	b = &pgx.Batch{}
	if len(upIDs) > 0 {
		b.Queue(`INSERT INTO cart_lines (storefront_id, cart_id, listing_variant_id, consortium_id, member_id, position, quantity, unit_price)
			SELECT c.storefront_id, c.id, u.id, c.consortium_id, c.member_id,
				u.n + (SELECT coalesce(max(position), 0) FROM cart_lines WHERE storefront_id = $1 AND cart_id = $2), u.q, u.p
			FROM carts c, unnest($3::uuid[], $4::int[], $5::bigint[]) WITH ORDINALITY AS u (id, q, p, n)
			WHERE c.storefront_id = $1 AND c.id = $2
			ON CONFLICT (storefront_id, cart_id, listing_variant_id) DO UPDATE SET quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price`,
			sf, cart, upIDs, upQty, upPrice)
	}
	if len(delIDs) > 0 {
		b.Queue(`DELETE FROM cart_lines WHERE storefront_id = $1 AND cart_id = $2 AND listing_variant_id = ANY ($3)`, sf, cart, delIDs)
	}
	b.Queue(`UPDATE carts SET updated_at = now() WHERE storefront_id = $1 AND id = $2`, sf, cart)
	return tx.SendBatch(ctx, b).Close()
}

// Cart returns a cart the caller may use, priced live.
func (s *Service) Cart(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Cart, error) {
	sf, err := shopperStorefront(p)
	if err != nil {
		return nil, err
	}
	var c *Cart
	err = inTx(ctx, s.pool, p.Scope(), id, func(tx pgx.Tx) error {
		var err error
		c, err = loadCart(ctx, tx, p, sf, id)
		return err
	})
	return c, err
}

const cartCols = `id, storefront_id, customer_id, currency, status, order_id, created_at, updated_at`

// cartLinesSQL reads a cart's lines with what the window shows of their variants now.
const cartLinesSQL = `SELECT cl.listing_variant_id, cl.quantity, cl.unit_price, cl.added_at FROM cart_lines cl
	WHERE cl.storefront_id = $1 AND cl.cart_id = $2 ORDER BY cl.position`

// loadCart reads a cart and prices its lines for the caller, in one round trip.
func loadCart(ctx context.Context, tx pgx.Tx, p tenants.Principal, sf, id uuid.UUID) (*Cart, error) {
	var c *Cart
	prices := map[uuid.UUID]*listed{}
	floors := map[uuid.UUID]int64{}
	var g group
	b := &pgx.Batch{}
	b.Queue(`SELECT `+cartCols+` FROM carts WHERE storefront_id = $1 AND id = $2`, sf, id).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var x Cart
			var cust, order *uuid.UUID
			if err := rows.Scan(&x.ID, &x.StorefrontID, &cust, &x.Currency, &x.Status, &order, &x.CreatedAt, &x.UpdatedAt); err != nil {
				return err
			}
			x.CustomerID, x.OrderID = orNil(cust), orNil(order)
			c = &x
		}
		return rows.Err()
	})
	b.Queue(cartLinesSQL, sf, id).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var l CartLine
			if err := rows.Scan(&l.ListingVariantID, &l.Quantity, &l.UnitPrice, &l.AddedAt); err != nil {
				return err
			}
			if c != nil {
				c.Lines = append(c.Lines, l)
			}
		}
		return rows.Err()
	})
	b.Queue(pricedSQL(cartVariantsSQL), sf, id, nilIfZero(p.CustomerID)).Query(func(rows pgx.Rows) error {
		return scanListed(rows, prices)
	})
	b.Queue(groupSQL, sf, p.CustomerID).Query(func(rows pgx.Rows) error { return scanGroup(rows, &g) })
	b.Queue(`SELECT * FROM gm_listing_floors(`+cartVariantsSQL+`)`, sf, id).
		Query(func(rows pgx.Rows) error { return scanFloors(rows, floors) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, apperr.NotFound("cart")
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		lv := prices[l.ListingVariantID]
		if lv == nil {
			l.Status = "UNAVAILABLE"
			l.CurrentUnitPrice = l.UnitPrice
			continue
		}
		l.ListingID, l.Title, l.Options, l.Status = lv.ListingID, lv.Title, lv.Options, lv.Status
		l.CurrentUnitPrice = g.unitPrice(lv.Price, l.Quantity, floors[l.ListingVariantID])
	}
	return c, nil
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func fmtMoney(amount int64, currency string) string {
	return money.Format(amount, currency) + " " + currency
}
