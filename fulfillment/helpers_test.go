package fulfillment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/jackc/pgx/v5"
)

// Places in Germany: warehouses in Munich and Hamburg, a supplier shipping from Berlin,
// customers in Munich (DE-BY).
var (
	munich = fulfillment.Address{Name: "Erika Muster", Line1: "Marienplatz 1", City: "München", PostalCode: "80331", Region: "DE-BY", Country: "DE", Latitude: 48.137, Longitude: 11.575}
	vienna = fulfillment.Address{Name: "Max Muster", Line1: "Stephansplatz 1", City: "Wien", PostalCode: "1010", Region: "AT-9", Country: "AT", Latitude: 48.208, Longitude: 16.373}
	berlin = direct{52.52, 13.40, "DE-BE", []string{"DE"}, 2}
)

// direct is a variant's drop-ship option (zero: none).
type direct struct {
	lat, lng float64
	region   string
	shipsTo  []string
	lead     int
}

// v is a variant to create, prices in minor units.
type v struct {
	wholesale, srp int64
	direct         direct
	floor          *int64
}

// world is one consortium: an operator, two suppliers, a seller with a storefront and a
// customer, a Munich and a Hamburg warehouse, and the services.
type world struct {
	d          *pgtest.DB
	svc        *fulfillment.Service
	fed        *federation.Service
	cat        *catalog.Service
	ten        *tenants.Service
	c          *tenants.Consortium
	op         tenants.Principal
	sup, sup2  tenants.Principal
	sel        tenants.Principal
	sf         *tenants.Storefront
	cust       *tenants.Customer
	whMunich   uuid.UUID
	whHamburg  uuid.UUID
	n          int
	handlePref string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldIn(t, pgtest.New(t), "c1")
}

func newWorldIn(t testing.TB, d *pgtest.DB, h string) *world {
	t.Helper()
	ctx := context.Background()
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: h, Name: h, Currency: "EUR", FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, svc: fulfillment.NewService(d.App, nil), fed: federation.NewService(d.App, nil), cat: catalog.NewService(d.App, nil),
		ten: tenants.NewService(d.App), c: c, op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}, handlePref: h}
	w.sup = w.member(t, h+"-supplier", true, false)
	w.sup2 = w.member(t, h+"-supplier2", true, false)
	w.sel = w.member(t, h+"-seller", false, true)
	if w.sf, err = w.ten.CreateStorefront(ctx, w.sel, tenants.StorefrontCreate{Handle: h + "-shop", Name: "Corner Shop " + h}); err != nil {
		t.Fatal(err)
	}
	if w.cust, err = w.ten.CreateCustomer(ctx, w.sel, tenants.CustomerCreate{StorefrontID: w.sf.ID, Email: "buyer@" + h + ".example", Name: "Buyer"}); err != nil {
		t.Fatal(err)
	}
	w.whMunich = w.warehouse(t, "munich", 48.35, 11.78, "DE-BY", "DE")
	w.whHamburg = w.warehouse(t, "hamburg", 53.55, 9.99, "DE-HH", "DE")
	return w
}

func (w *world) member(t testing.TB, handle string, supplier, seller bool) tenants.Principal {
	t.Helper()
	return tenanttest.ActiveMember(t, w.ten, w.op, tenants.MemberInvite{Handle: handle, LegalName: "Legal " + handle, IsSupplier: supplier, IsSeller: seller})
}

func (w *world) warehouse(t testing.TB, handle string, lat, lng float64, region string, served ...string) uuid.UUID {
	t.Helper()
	wh, err := w.cat.CreateWarehouse(context.Background(), w.op, catalog.WarehouseCreate{Handle: handle, Name: handle,
		Latitude: lat, Longitude: lng, Region: region, RegionsServed: served, HandlingDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	return wh.ID
}

func (w *world) shopper() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindShopper, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID}
}

func (w *world) customer() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID, CustomerID: w.cust.ID}
}

func (w *world) storefrontKey() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID, Role: tenants.RoleStorefront}
}

// offer creates an ACTIVE offer of sup with variants and publishes it into the
// storefront at the suggested retail price; it returns each variant's (variant id,
// listing variant id).
func (w *world) offer(t testing.TB, sup tenants.Principal, title string, vs ...v) []item {
	t.Helper()
	ctx := context.Background()
	w.n++
	var offer uuid.UUID
	var out []item
	w.as(t, sup, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, status) VALUES ($1, $2, $3, $4, 'ACTIVE') RETURNING id`,
			w.c.ID, sup.MemberID, fmt.Sprintf("o-%d", w.n), title).Scan(&offer); err != nil {
			return err
		}
		for i, x := range vs {
			var id uuid.UUID
			d := x.direct
			var lat, lng *float64
			var region *string
			if d.region != "" {
				lat, lng, region = &d.lat, &d.lng, &d.region
			}
			if err := tx.QueryRow(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, options, currency,
					wholesale_price, suggested_retail_price, minimum_resale_price, availability, available_quantity, ships_direct,
					ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, direct_lead_time_days)
				VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8, 'IN_STOCK', 1000, $9, $10, $11, $12, $13, $14) RETURNING id`,
				w.c.ID, offer, sup.MemberID, fmt.Sprintf("SKU-%d-%d", w.n, i), map[string]string{"size": fmt.Sprint("S", i)},
				x.wholesale, x.srp, x.floor, d.region != "", lat, lng, region, append([]string{}, d.shipsTo...), d.lead).Scan(&id); err != nil {
				return err
			}
			out = append(out, item{variant: id, sku: fmt.Sprintf("SKU-%d-%d", w.n, i)})
		}
		return nil
	})
	l, err := w.fed.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
	if err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if err := w.d.Owner.QueryRow(ctx, `SELECT id FROM listing_variants WHERE storefront_id = $1 AND listing_id = $2 AND variant_id = $3`,
			w.sf.ID, l.ID, out[i].variant).Scan(&out[i].lv); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// item is a published variant.
type item struct {
	variant, lv uuid.UUID
	sku         string
}

func (w *world) receive(t testing.TB, wh uuid.UUID, it item, q int) {
	t.Helper()
	if _, err := w.svc.ReceiveStock(context.Background(), w.op, fulfillment.StockReceipt{WarehouseID: wh, VariantID: it.variant, Quantity: q}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) cart(t testing.TB, p tenants.Principal, lines ...fulfillment.CartLineInput) *fulfillment.Cart {
	t.Helper()
	c, err := w.svc.CreateCart(context.Background(), p, lines)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func line(it item, q int) fulfillment.CartLineInput {
	return fulfillment.CartLineInput{ListingVariantID: it.lv, Quantity: q}
}

func (w *world) checkout(t testing.TB, p tenants.Principal, c *fulfillment.Cart, key string) *fulfillment.Order {
	t.Helper()
	o, err := w.svc.Checkout(context.Background(), p, fulfillment.CheckoutInput{CartID: c.ID, Email: "anon@example.com",
		ShippingAddress: munich, IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// as runs fn in a transaction under p's scope and fails the test on error.
func (w *world) as(t testing.TB, p tenants.Principal, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), w.d.App, p.Scope(), fn); err != nil {
		t.Fatal(err)
	}
}

// stock returns (on hand, reserved) as the owner sees it.
func (w *world) stock(t testing.TB, wh uuid.UUID, it item) (int, int) {
	t.Helper()
	var on, res int
	if err := w.d.Owner.QueryRow(context.Background(), `SELECT on_hand, reserved FROM warehouse_stock WHERE warehouse_id = $1 AND variant_id = $2`,
		wh, it.variant).Scan(&on, &res); err != nil {
		t.Fatal(err)
	}
	return on, res
}

// fos returns an order's fulfilment orders as its seller sees them.
func (w *world) fos(t testing.TB, o *fulfillment.Order) []*fulfillment.FulfillmentOrder {
	t.Helper()
	fs, err := w.svc.FulfillmentOrdersOfOrders(context.Background(), w.sel, []uuid.UUID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	return fs[0]
}

// order re-reads an order as its seller sees it.
func (w *world) order(t testing.TB, id uuid.UUID) *fulfillment.Order {
	t.Helper()
	o, err := w.svc.Order(context.Background(), w.sel, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if apperr.Code(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func i64p(v int64) *int64 { return &v }

// group creates a customer group with a minimum order value and one quantity break.
func (w *world) group(t testing.TB, minOrder int64, minQty, bps int) uuid.UUID {
	t.Helper()
	name := fmt.Sprint("shops-", minOrder)
	tiers := []federation.GroupTier{{MinQuantity: minQty, DiscountBps: bps}}
	g, err := w.fed.CreateCustomerGroup(context.Background(), w.sel, federation.GroupInput{StorefrontID: w.sf.ID, Name: &name,
		MinOrderValue: &minOrder, Tiers: &tiers})
	if err != nil {
		t.Fatal(err)
	}
	return g.ID
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
