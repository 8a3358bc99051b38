package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/jackc/pgx/v5"
)

// ffWorld is a consortium with an operator running warehouses in Munich and Hamburg, a
// supplier of warehouse goods (mugs), a drop-ship supplier (lamps), and a seller whose
// storefront lists both, behind a gateway.
type ffWorld struct {
	tb         testing.TB
	d          *pgtest.DB
	srv        *httptest.Server
	keys       map[string]string
	c          *tenants.Consortium
	sf         *tenants.Storefront
	munich     uuid.UUID
	hamburg    uuid.UUID
	mug, lamp  uuid.UUID // offer variants
	mugLV      uuid.UUID // listing variants
	lampLV     uuid.UUID
	mugSup     tenants.Principal
	lampSup    tenants.Principal
	seller     tenants.Principal
	operator   tenants.Principal
	ff         *fulfillment.Service
	suppliersN int
}

func newFFWorld(tb testing.TB) *ffWorld {
	tb.Helper()
	ctx := context.Background()
	d := pgtest.New(tb)
	ten, cat, fed := tenants.NewService(d.App), catalog.NewService(d.App, nil), federation.NewService(d.App, nil)
	w := &ffWorld{tb: tb, d: d, keys: map[string]string{}, ff: fulfillment.NewService(d.App, nil)}
	var err error
	if w.c, err = tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "ff", Name: "FF", Currency: "EUR", FeeBps: 500}); err != nil {
		tb.Fatal(err)
	}
	w.operator = tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.c.ID}
	if _, w.keys["op"], err = ten.CreateAPIKey(ctx, w.operator, tenants.APIKeyCreate{Name: "op"}); err != nil {
		tb.Fatal(err)
	}
	member := func(h string, supplier bool) tenants.Principal {
		p := tenanttest.ActiveMember(tb, ten, w.operator, tenants.MemberInvite{Handle: h, LegalName: "Legal " + h, IsSupplier: supplier, IsSeller: !supplier})
		var err error
		if _, w.keys[h], err = ten.CreateAPIKey(ctx, p, tenants.APIKeyCreate{Role: tenants.RoleOwner}); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	w.mugSup, w.lampSup, w.seller = member("mug-maker", true), member("lamp-maker", true), member("dealer", false)
	if w.sf, err = ten.CreateStorefront(ctx, w.seller, tenants.StorefrontCreate{Handle: "ff-shop", Name: "Dealer Shop"}); err != nil {
		tb.Fatal(err)
	}
	for _, wh := range []struct {
		id       *uuid.UUID
		h, reg   string
		lat, lng float64
	}{{&w.munich, "munich", "DE-BY", 48.35, 11.78}, {&w.hamburg, "hamburg", "DE-HH", 53.55, 9.99}} {
		x, err := cat.CreateWarehouse(ctx, w.operator, catalog.WarehouseCreate{Handle: wh.h, Name: wh.h, Latitude: wh.lat, Longitude: wh.lng,
			Region: wh.reg, RegionsServed: []string{"DE"}, HandlingDays: 1})
		if err != nil {
			tb.Fatal(err)
		}
		*wh.id = x.ID
	}
	w.mug, w.mugLV = w.offer(fed, w.mugSup, "Mug", 1000, 4777, false)
	w.lamp, w.lampLV = w.offer(fed, w.lampSup, "Lamp", 3000, 8999, true)
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: d.App, Tenants: ten, Catalog: cat, Federation: fed, Fulfillment: w.ff}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	tb.Cleanup(w.srv.Close)
	return w
}

// offer creates an ACTIVE one-variant offer of sup (drop-shipping from Berlin to DE when
// direct) and lists it in the storefront at its suggested retail price.
func (w *ffWorld) offer(fed *federation.Service, sup tenants.Principal, title string, wholesale, srp int64, direct bool) (uuid.UUID, uuid.UUID) {
	ctx := context.Background()
	w.suppliersN++
	var offer, variant, lv uuid.UUID
	err := db.InTx(ctx, w.d.App, sup.Scope(), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, status) VALUES ($1, $2, $3, $4, 'ACTIVE') RETURNING id`,
			w.c.ID, sup.MemberID, fmt.Sprint("o", w.suppliersN), title).Scan(&offer); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price,
				suggested_retail_price, availability, available_quantity, ships_direct, ship_from_latitude, ship_from_longitude,
				ship_from_region, ships_to_regions, direct_lead_time_days)
			VALUES ($1, $2, $3, $4, 'EUR', $5, $6, 'IN_STOCK', 100, $7,
				CASE WHEN $7 THEN 52.52 END, CASE WHEN $7 THEN 13.40 END, CASE WHEN $7 THEN 'DE-BE' END,
				CASE WHEN $7 THEN '{DE}'::text[] ELSE '{}' END, 2) RETURNING id`,
			w.c.ID, offer, sup.MemberID, strings.ToUpper(title)+"-1", wholesale, srp, direct).Scan(&variant)
	})
	if err != nil {
		w.tb.Fatal(err)
	}
	l, err := fed.PublishListing(ctx, w.seller, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
	if err != nil {
		w.tb.Fatal(err)
	}
	if err := w.d.Owner.QueryRow(ctx, `SELECT id FROM listing_variants WHERE listing_id = $1`, l.ID).Scan(&lv); err != nil {
		w.tb.Fatal(err)
	}
	return variant, lv
}

// gql posts a request as key (a name in w.keys) or, with key "", as a shopper of the
// storefront; it fails the test on top-level errors and returns data and the raw JSON.
func (w *ffWorld) gql(key, query string, vars map[string]any) (map[string]any, string) {
	w.tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", w.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key == "" {
		req.Header.Set("X-Storefront", w.sf.Handle)
	} else {
		req.Header.Set("Authorization", "Bearer "+w.keys[key])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		w.tb.Fatalf("%s\n→ %s", query, raw)
	}
	return out.Data, string(raw)
}

// noUserErrors fails on a payload's userErrors.
func (w *ffWorld) noUserErrors(data map[string]any, field string) map[string]any {
	w.tb.Helper()
	p, _ := data[field].(map[string]any)
	if errs, _ := p["userErrors"].([]any); len(errs) > 0 || p == nil {
		w.tb.Fatalf("%s: %v", field, data)
	}
	return p
}

func str(v any) string { s, _ := v.(string); return s }

const foFields = `id reference kind status storefrontName reason slaDueAt
	shipTo { name line1 line2 city postalCode region country latitude longitude }
	warehouse { handle } wholesaleTotal { amount currencyCode }
	lines { id sku title quantity quantityShipped quantityRemoved status reason unitCost { amount currencyCode } }
	shipments { id carrier trackingNumber trackingUrl status shippedAt deliveredAt lines { fulfillmentOrderLineId orderLineId quantity } }`

// TestFulfillmentFlow runs the whole flow through GraphQL: stock received, a shopper's
// cart checked out (one line to a warehouse, one drop-shipped), the supplier sees a blind
// order and rejects it, the line is rerouted to the warehouse holding the lamp, the
// operator ships both warehouse orders, they are delivered, the order is DELIVERED.
func TestFulfillmentFlow(t *testing.T) {
	t.Parallel()
	w := newFFWorld(t)
	gid := func(kind string, id uuid.UUID) string { return ids.Global(kind, id) }

	// Stock: the mug maker consigns mugs to Munich (later the operator receives lamps in Hamburg).
	receive := func(key string, wh, v uuid.UUID, q int) {
		d, _ := w.gql(key, `mutation($in: StockReceiveInput!) { stockReceive(input: $in) { stock { onHand available warehouse { handle } } userErrors { field message } } }`,
			map[string]any{"in": map[string]any{"warehouseId": gid("Warehouse", wh), "variantId": gid("OfferVariant", v), "quantity": q, "reference": "DN-1"}})
		if p := w.noUserErrors(d, "stockReceive"); dig(p, "stock", "onHand") != float64(q) {
			t.Fatalf("stock %v", p)
		}
	}
	receive("mug-maker", w.munich, w.mug, 5)

	// A shopper fills a cart and checks out.
	d, _ := w.gql("", `mutation($in: CartCreateInput!) { cartCreate(input: $in) { cart { id subtotal { amount } lines { title quantity status priceChanged } } userErrors { field message } } }`,
		map[string]any{"in": map[string]any{"lines": []any{
			map[string]any{"listingVariantId": gid("ListingVariant", w.mugLV), "quantity": 2},
			map[string]any{"listingVariantId": gid("ListingVariant", w.lampLV), "quantity": 1}}}})
	cart := w.noUserErrors(d, "cartCreate")["cart"].(map[string]any)
	if str(dig(cart, "subtotal", "amount")) != "185.53" {
		t.Fatalf("cart %v", cart)
	}
	address := map[string]any{"name": "Erika Muster", "line1": "Marienplatz 1", "city": "München", "postalCode": "80331",
		"region": "DE-BY", "country": "DE", "latitude": 48.137, "longitude": 11.575}
	d, _ = w.gql("", `mutation($in: CheckoutCompleteInput!) { checkoutComplete(input: $in) {
			order { id name number status subtotal { amount } lines { title quantity status routingReason unitPrice { amount } } }
			userErrors { field message code } } }`,
		map[string]any{"in": map[string]any{"cartId": cart["id"], "email": "erika@shopper.example", "shippingAddress": address, "idempotencyKey": "c-1"}})
	order := w.noUserErrors(d, "checkoutComplete")["order"].(map[string]any)
	if order["name"] != "#1001" || order["status"] != "UNFULFILLED" || dig(order, "lines").([]any)[0].(map[string]any)["routingReason"] != nil {
		t.Fatalf("order as the shopper sees it %v", order)
	}

	// The seller sees where each line went and why.
	sellerOrder := func() map[string]any {
		d, _ := w.gql("dealer", `query($id: ID!) { order(id: $id) { name status email
			lines { title status quantityFulfilled routingReason routing { kind warehouse { handle } supplier { handle } sku } }
			fulfillmentOrders { kind status } shipments { carrier } } }`, map[string]any{"id": order["id"]})
		return d["order"].(map[string]any)
	}
	so := sellerOrder()
	lines := so["lines"].([]any)
	if dig(lines[0], "routing", "kind") != "WAREHOUSE" || dig(lines[0], "routing", "warehouse", "handle") != "munich" ||
		dig(lines[1], "routing", "kind") != "SUPPLIER" || dig(lines[1], "routing", "supplier", "handle") != "lamp-maker" ||
		!strings.Contains(str(dig(lines[1], "routingReason")), "ships direct") {
		t.Fatalf("seller's order %v", so)
	}

	// Blind drop-ship: the lamp maker's view carries no retail price and no customer e-mail.
	d, raw := w.gql("lamp-maker", `{ fulfillmentOrders(status: NEW, first: 10) { edges { cursor node { `+foFields+` } } pageInfo { hasNextPage endCursor } } }`, nil)
	edges := dig(d, "fulfillmentOrders", "edges").([]any)
	if len(edges) != 1 || !strings.Contains(raw, `"30.00"`) || !strings.Contains(raw, "Dealer Shop") || !strings.Contains(raw, "Marienplatz 1") {
		t.Fatalf("supplier's fulfillment orders %s", raw)
	}
	for _, secret := range []string{"89.99", "47.77", "185.53", "erika@", "shopper.example", "#1001", "dealer"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the supplier's JSON contains %q: %s", secret, raw)
		}
	}
	// The mug maker's goods go through a warehouse: it sees no fulfilment order at all.
	if d, _ := w.gql("mug-maker", `{ fulfillmentOrders { edges { node { id } } } }`, nil); len(dig(d, "fulfillmentOrders", "edges").([]any)) != 0 {
		t.Fatalf("the mug maker sees %v", d)
	}

	// The lamp maker rejects: the lamp is rerouted to Hamburg, which holds two by now.
	receive("op", w.hamburg, w.lamp, 2)
	fo := dig(edges[0], "node").(map[string]any)
	d, _ = w.gql("lamp-maker", `mutation($in: FulfillmentOrderRejectInput!) { fulfillmentOrderReject(input: $in) { fulfillmentOrder { status reason } userErrors { field message } } }`,
		map[string]any{"in": map[string]any{"id": fo["id"], "reason": "out of stock"}})
	if p := w.noUserErrors(d, "fulfillmentOrderReject"); dig(p, "fulfillmentOrder", "status") != "REJECTED" {
		t.Fatalf("reject %v", p)
	}
	so = sellerOrder()
	lines = so["lines"].([]any)
	if dig(lines[1], "routing", "kind") != "WAREHOUSE" || dig(lines[1], "routing", "warehouse", "handle") != "hamburg" ||
		!strings.Contains(str(dig(lines[1], "routingReason")), "rerouted after the supplier rejected it (out of stock)") {
		t.Fatalf("after reject %v", so)
	}

	// The operator ships both warehouse orders, then they are delivered.
	d, _ = w.gql("op", `{ fulfillmentOrders(first: 10) { edges { node { id kind warehouse { handle } lines { sku quantity } } } } }`, nil)
	whEdges := dig(d, "fulfillmentOrders", "edges").([]any)
	if len(whEdges) != 2 {
		t.Fatalf("operator sees %v", d)
	}
	for i, e := range whEdges {
		id := dig(e, "node", "id")
		d, _ = w.gql("op", `mutation($in: FulfillmentOrderShipInput!) { fulfillmentOrderShip(input: $in) { fulfillmentOrder { status shipments { trackingNumber } } userErrors { field message } } }`,
			map[string]any{"in": map[string]any{"id": id, "shipments": []any{map[string]any{"carrier": "DHL", "trackingNumber": fmt.Sprint("JJD", i), "trackingUrl": "https://track.example/1"}}}})
		if p := w.noUserErrors(d, "fulfillmentOrderShip"); dig(p, "fulfillmentOrder", "status") != "SHIPPED" {
			t.Fatalf("ship %v", p)
		}
	}
	if so = sellerOrder(); so["status"] != "FULFILLED" {
		t.Fatalf("after shipping: %v", so)
	}
	for _, e := range whEdges {
		d, _ = w.gql("op", `mutation($in: FulfillmentOrderIdInput!) { fulfillmentOrderDeliver(input: $in) { fulfillmentOrder { status } userErrors { field message } } }`,
			map[string]any{"in": map[string]any{"id": dig(e, "node", "id")}})
		if p := w.noUserErrors(d, "fulfillmentOrderDeliver"); dig(p, "fulfillmentOrder", "status") != "DELIVERED" {
			t.Fatalf("deliver %v", p)
		}
	}
	if so = sellerOrder(); so["status"] != "DELIVERED" || len(so["shipments"].([]any)) != 2 || len(so["fulfillmentOrders"].([]any)) != 3 {
		t.Fatalf("delivered order %v", so)
	}

	// Stock left the warehouses; the suppliers see their sell-through, not the customers.
	d, _ = w.gql("op", `{ warehouseStock(first: 10) { edges { node { sku onHand reserved available warehouse { handle } } } } }`, nil)
	for _, e := range dig(d, "warehouseStock", "edges").([]any) {
		if n := dig(e, "node").(map[string]any); n["reserved"] != float64(0) {
			t.Errorf("stock still reserved: %v", n)
		}
	}
	d, raw = w.gql("mug-maker", `query($from: Time!, $to: Time!) { sellThrough(from: $from, to: $to) { day sku region units wholesaleRevenue { amount } } }`,
		map[string]any{"from": time.Now().Add(-24 * time.Hour).Format(time.RFC3339), "to": time.Now().Add(time.Hour).Format(time.RFC3339)})
	rows := d["sellThrough"].([]any)
	if len(rows) != 1 || dig(rows[0], "units") != float64(2) || dig(rows[0], "wholesaleRevenue", "amount") != "20.00" || dig(rows[0], "region") != "DE-BY" {
		t.Fatalf("sell-through %v", rows)
	}
	if strings.Contains(raw, "erika") || strings.Contains(raw, "47.77") {
		t.Fatalf("sell-through leaks: %s", raw)
	}
}

func TestFulfillmentGraphQLErrors(t *testing.T) {
	t.Parallel()
	w := newFFWorld(t)
	address := map[string]any{"name": "E", "line1": "L", "city": "C", "postalCode": "1", "region": "DE-BY", "country": "DE", "latitude": 48.1, "longitude": 11.5}
	d, _ := w.gql("", `mutation($in: CartCreateInput!) { cartCreate(input: $in) { cart { id } userErrors { field message } } }`,
		map[string]any{"in": map[string]any{"lines": []any{map[string]any{"listingVariantId": ids.Global("ListingVariant", w.mugLV), "quantity": 1}}}})
	cartID := dig(d, "cartCreate", "cart", "id")

	t.Run("ErrOutOfStockNamesTheLine", func(t *testing.T) {
		d, _ := w.gql("", `mutation($in: CheckoutCompleteInput!) { checkoutComplete(input: $in) { order { id } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"cartId": cartID, "email": "a@b.example", "shippingAddress": address, "idempotencyKey": "x"}})
		errs := dig(d, "checkoutComplete", "userErrors").([]any)
		if len(errs) != 1 || dig(errs[0], "message") != `"Mug" is out of stock for delivery to DE-BY` || dig(errs[0], "code") != "CONFLICT" {
			t.Fatalf("%v", d)
		}
	})
	t.Run("ErrBadCartID", func(t *testing.T) {
		d, _ := w.gql("", `mutation { cartLinesAdd(input: {cartId: "nope", lines: []}) { cart { id } userErrors { field message } } }`, nil)
		errs := dig(d, "cartLinesAdd", "userErrors").([]any)
		if len(errs) != 1 || fmt.Sprint(dig(errs[0], "field")) != "[input cartId]" {
			t.Fatalf("%v", d)
		}
	})
	t.Run("ErrOtherShoppersCart", func(t *testing.T) {
		d, _ := w.gql("dealer", `query($id: ID!) { cart(id: $id) { id } }`, map[string]any{"id": cartID})
		if d["cart"] != nil {
			t.Fatalf("a member reads a shopper's cart: %v", d)
		}
	})
	t.Run("ErrWebhookURL", func(t *testing.T) {
		d, _ := w.gql("dealer", `mutation { webhookEndpointCreate(input: {url: "ftp://x", events: ["order.created"]}) { webhookEndpoint { id } secret userErrors { field message } } }`, nil)
		if errs := dig(d, "webhookEndpointCreate", "userErrors").([]any); len(errs) != 1 || dig(d, "webhookEndpointCreate", "secret") != nil {
			t.Fatalf("%v", d)
		}
		d, _ = w.gql("dealer", `mutation { webhookEndpointCreate(input: {url: "https://hooks.example/a", events: ["order.created"]}) { webhookEndpoint { id url events } secret userErrors { field message } } }`, nil)
		if p := w.noUserErrors(d, "webhookEndpointCreate"); !strings.HasPrefix(str(p["secret"]), "whsec_") {
			t.Fatalf("%v", p)
		}
	})
}
