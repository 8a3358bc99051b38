package e2e_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/stripemock"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/identity"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

const whsec = "whsec_e2e_secret"

// TestSettlementDay is issue 7's end-to-end test, through the public interfaces only:
// two suppliers import their offers (POST /v1/imports/offers, run by a River worker);
// the operator receives consigned stock; a dealer publishes them with a 50% markup; a
// shop customer (signed in with Ory Kratos, 30-day terms) buys by invoice and a consumer
// by card (stripe-mock, signed webhook); one line is drop-shipped, one shipped from a
// warehouse, one rejected and rerouted to a warehouse, one rejected with nowhere to go,
// cancelled and refunded to the card; the payout job pays the drop-shipper through
// Stripe Connect; a shipped lamp comes back, is refunded and its payout reversed. Every
// party's balances are then exactly what is computed by hand below, and the ledger
// check is clean. With GUILDMART_E2E_KEEP=FILE the database is kept and its URLs written
// to FILE, so `make test` runs `guildmart ledger check` on it.
//
// Fee 5% of retail. Retail = wholesale × 1.5:
//
//	mug  (mugmaker, consigned to Munich)         wholesale  4.00, retail  6.00
//	lamp (lampworks, direct; consigned to Hamburg) wholesale 30.00, retail 45.00
//	vase (lampworks, direct only)                 wholesale 12.00, retail 18.00
//
//	order A, shop customer, invoice:  3 mugs 18.00 (fee 0.90, margin  5.10) from Munich
//	                                  1 lamp 45.00 (fee 2.25, margin 12.75) drop-shipped
//	order B, consumer, card 81.00:    1 lamp 45.00 (fee 2.25, margin 12.75) rejected → Hamburg
//	                                  2 vases 36.00 (fee 1.80, margin 10.20) rejected → cancelled
//
// Money: A paid 20.00 + 43.00 to the dealer; B's 81.00 to the platform by card, 36.00
// refunded for the vases; payouts (lampworks has a Stripe account, mugmaker not): 30.00
// + 30.00 to lampworks; A's lamp returned: 45.00 refunded by the dealer, 30.00 reversed
// from lampworks' transfer.
func TestSettlementDay(t *testing.T) {
	stripemock.Need(t, stripeMockURL)
	k := kratostest.StartOnTestDB(t)
	ctx := context.Background()
	d := pgtest.New(t)
	if f := os.Getenv("GUILDMART_E2E_KEEP"); f != "" {
		if err := d.Keep(f); err != nil {
			t.Fatal(err)
		}
	}

	// The product, wired like cmd/guildmart wires it.
	ic, err := identity.New(identity.Config{PublicURL: k.PublicURL, AdminURL: k.AdminURL})
	if err != nil {
		t.Fatal(err)
	}
	ten := tenants.NewService(d.App).WithPeople(ic)
	pay := payments.NewService(d.App).WithStripe(payments.StripeConfig{SecretKey: "sk_test_e2e", WebhookSecret: whsec, BackendURL: stripeMockURL})
	var imp *imports.Service
	var ff *fulfillment.Service
	jc, err := jobs.New(d.App, jobs.Options{Work: true, Registrations: []jobs.Registration{
		imports.WorkersOf(func() *imports.Service { return imp }),
		search.Jobs(search.Open(d.App, "", "")),
		fulfillment.Workers(func() *fulfillment.Service { return ff }, 0),
		payments.Workers(func() *payments.Service { return pay }, time.Hour),
	}})
	if err != nil {
		t.Fatal(err)
	}
	imp = imports.NewService(d.App, jc)
	ff = fulfillment.NewService(d.App, jc)
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jc.Stop(context.Background()) })
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: d.App, Tenants: ten, Catalog: catalog.NewService(d.App, jc),
		Imports: imp, Federation: federation.NewService(d.App, jc), Fulfillment: ff, Payments: pay}, nil,
		gateway.SessionAuthenticator(ten, ic))
	if err != nil {
		t.Fatal(err)
	}
	srv.HandleAuthed("POST /v1/imports/offers", imp.UploadHandler())
	srv.Handle("POST /webhooks/stripe", gateway.StripeWebhook(pay, slog.Default()))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	G := hs.URL

	// The association: an operator, two suppliers, a dealer (keys made as a CLI would).
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "guild", Name: "Guild", Currency: "EUR", FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	opP := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}
	_, opKey, err := ten.CreateAPIKey(ctx, opP, tenants.APIKeyCreate{Name: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	op := as{key: opKey}
	keys := map[string]as{}
	memberIDs := map[string]string{}
	for _, m := range []struct {
		handle           string
		supplier, seller bool
	}{{"mugmaker", true, false}, {"lampworks", true, false}, {"dealer", false, true}} {
		data := gql(t, G, op, `mutation($in: MemberInviteInput!) { memberInvite(input: $in) { member { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"handle": m.handle, "legalName": m.handle + " GmbH", "isSupplier": m.supplier, "isSeller": m.seller}})
		id := str(dig(data, "memberInvite", "member", "id"))
		gql(t, G, op, `mutation($id: ID!) { memberActivate(input: {id: $id}) { member { status } userErrors { message } } }`, map[string]any{"id": id})
		memberIDs[m.handle] = id
		mem, err := ten.MemberByHandle(ctx, opP, m.handle)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := ten.CreateAPIKey(ctx, tenants.Principal{Kind: tenants.KindMember, ConsortiumID: c.ID, MemberID: mem.ID, Role: tenants.RoleOwner},
			tenants.APIKeyCreate{Name: m.handle, Role: tenants.RoleOwner})
		if err != nil {
			t.Fatal(err)
		}
		keys[m.handle] = as{key: secret}
	}
	dealer, lampworks, mugmaker := keys["dealer"], keys["lampworks"], keys["mugmaker"]

	// Warehouses.
	wh := map[string]string{}
	for _, w := range []struct {
		handle, region string
		lat, lng       float64
	}{{"munich", "DE-BY", 48.35, 11.78}, {"hamburg", "DE-HH", 53.55, 9.99}} {
		data := gql(t, G, op, `mutation($in: WarehouseCreateInput!) { warehouseCreate(input: $in) { warehouse { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"handle": w.handle, "name": w.handle, "latitude": w.lat, "longitude": w.lng, "region": w.region,
				"regionsServed": []string{"DE"}, "handlingDays": 1}})
		wh[w.handle] = str(dig(data, "warehouseCreate", "warehouse", "id"))
	}

	// Suppliers import their offers; a River worker runs each job.
	importFile := func(who as, body string) {
		t.Helper()
		req, _ := http.NewRequest("POST", G+"/v1/imports/offers", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+who.key)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("import: %d %s", resp.StatusCode, raw)
		}
		var job string
		if i := strings.Index(string(raw), `"id":"`); i >= 0 {
			job = strings.SplitN(string(raw)[i+6:], `"`, 2)[0]
		}
		waitFor(t, "the import job", func() bool {
			data := gql(t, G, who, `query($id: ID!) { importJob(id: $id) { status created failed } }`, map[string]any{"id": job})
			if s := str(dig(data, "importJob", "status")); s == "FAILED" || dig(data, "importJob", "failed") != float64(0) {
				t.Fatalf("import job %v", data)
			}
			return str(dig(data, "importJob", "status")) == "SUCCEEDED"
		})
	}
	importFile(mugmaker, jsonl(map[string]any{"offer_handle": "mug", "title": "Stoneware Mug", "brand": "Töpferei", "offer_status": "ACTIVE",
		"sku": "MUG-1", "wholesale_price": "4.00", "suggested_retail_price": "7.90", "quantity": 100, "warehouses": []string{"munich"}}))
	importFile(lampworks, jsonl(
		map[string]any{"offer_handle": "lamp", "title": "Brass Desk Lamp", "brand": "Lampworks", "offer_status": "ACTIVE",
			"sku": "LAMP-1", "wholesale_price": "30.00", "suggested_retail_price": "59.00", "quantity": 20, "ships_direct": true,
			"ship_from_lat": 52.52, "ship_from_lng": 13.40, "ship_from_region": "DE-BE", "ships_to_regions": []string{"DE"},
			"direct_lead_time_days": 2, "warehouses": []string{"hamburg"}},
		map[string]any{"offer_handle": "vase", "title": "Glass Vase", "brand": "Lampworks", "offer_status": "ACTIVE",
			"sku": "VASE-1", "wholesale_price": "12.00", "suggested_retail_price": "24.00", "quantity": 20, "ships_direct": true,
			"ship_from_lat": 52.52, "ship_from_lng": 13.40, "ship_from_region": "DE-BE", "ships_to_regions": []string{"DE"},
			"direct_lead_time_days": 2}))

	// The operator receives the consigned stock: mugs in Munich, lamps in Hamburg.
	variants := map[string]string{}
	var offerIDs []string
	for _, sup := range []as{mugmaker, lampworks} {
		data := gql(t, G, sup, `{ offers(first: 10) { edges { node { id variants { id sku } } } } }`, nil)
		for _, e := range list(dig(data, "offers", "edges")) {
			offerIDs = append(offerIDs, str(dig(e, "node", "id")))
			for _, v := range list(dig(e, "node", "variants")) {
				variants[str(dig(v, "sku"))] = str(dig(v, "id"))
			}
		}
	}
	if len(offerIDs) != 3 {
		t.Fatalf("the suppliers have %d offers, want 3", len(offerIDs))
	}
	for _, r := range []struct{ wh, sku string }{{"munich", "MUG-1"}, {"hamburg", "LAMP-1"}} {
		gql(t, G, op, `mutation($in: StockReceiveInput!) { stockReceive(input: $in) { userErrors { message } } }`,
			map[string]any{"in": map[string]any{"warehouseId": wh[r.wh], "variantId": variants[r.sku], "quantity": 10}})
	}

	// The dealer opens a storefront (suppliers first) and publishes everything at +50%.
	data := gql(t, G, dealer, `mutation { storefrontCreate(input: {handle: "dealer-shop", name: "Dealer Shop", routingPolicy: SUPPLIER_FIRST}) {
		storefront { id } userErrors { message } } }`, nil)
	sfID := str(dig(data, "storefrontCreate", "storefront", "id"))
	data = gql(t, G, dealer, `mutation($in: ListingsPublishBulkInput!) { listingsPublishBulk(input: $in) { count userErrors { message } } }`,
		map[string]any{"in": map[string]any{"storefrontId": sfID, "offerIds": offerIDs,
			"pricingRule": map[string]any{"kind": "MARKUP_PERCENT", "markupBps": 5000, "rounding": "NONE"}}})
	if dig(data, "listingsPublishBulk", "count") != float64(3) {
		t.Fatalf("published %v", data)
	}
	shopper := as{storefront: "dealer-shop"}
	lv := map[string]string{} // sku → listing variant
	data = gql(t, G, shopper, `{ storefront(handle: "dealer-shop") { listings(first: 10) { edges { node { title variants { id price { amount } } } } } } }`, nil)
	prices := map[string]string{}
	for _, e := range list(dig(data, "storefront", "listings", "edges")) {
		sku := map[string]string{"Stoneware Mug": "MUG-1", "Brass Desk Lamp": "LAMP-1", "Glass Vase": "VASE-1"}[str(dig(e, "node", "title"))]
		lv[sku] = str(dig(e, "node", "variants", "0", "id"))
		prices[sku] = str(dig(e, "node", "variants", "0", "price", "amount"))
	}
	if prices["MUG-1"] != "6.00" || prices["LAMP-1"] != "45.00" || prices["VASE-1"] != "18.00" {
		t.Fatalf("shop prices %v, want wholesale + 50%%", prices)
	}

	// A shop signs up with Ory Kratos; the dealer gives it 30-day terms.
	token, _ := k.Register(t, "kiosk@shops.example", "correct-horse-battery-staple-42", "Kiosk am Markt")
	shop := as{session: token, storefront: "dealer-shop"}
	data = gql(t, G, shop, `mutation { customerSignUp(input: {company: "Kiosk am Markt", kind: BUSINESS}) { customer { id } userErrors { message } } }`, nil)
	shopCustomer := str(dig(data, "customerSignUp", "customer", "id"))
	data = gql(t, G, dealer, `mutation($sf: ID!) { customerGroupCreate(input: {storefrontId: $sf, name: "Shops", paymentTermsDays: 30}) {
		customerGroup { id } userErrors { message } } }`, map[string]any{"sf": sfID})
	gql(t, G, dealer, `mutation($c: ID!, $g: ID!) { customerGroupAssign(input: {customerId: $c, customerGroupId: $g}) { userErrors { message } } }`,
		map[string]any{"c": shopCustomer, "g": dig(data, "customerGroupCreate", "customerGroup", "id")})

	addr := map[string]any{"name": "Kiosk am Markt", "line1": "Markt 1", "city": "München", "postalCode": "80331", "region": "DE-BY",
		"country": "DE", "latitude": 48.137, "longitude": 11.575}
	checkout := func(who as, key string, lines map[string]int, extra map[string]any) map[string]any {
		t.Helper()
		var ls []map[string]any
		for sku, q := range lines {
			ls = append(ls, map[string]any{"listingVariantId": lv[sku], "quantity": q})
		}
		data := gql(t, G, who, `mutation($l: [CartLineInput!]) { cartCreate(input: {lines: $l}) { cart { id } userErrors { message } } }`,
			map[string]any{"l": ls})
		in := map[string]any{"cartId": dig(data, "cartCreate", "cart", "id"), "shippingAddress": addr, "idempotencyKey": key}
		for k, v := range extra {
			in[k] = v
		}
		return gql(t, G, who, `mutation($in: CheckoutCompleteInput!) { checkoutComplete(input: $in) {
			order { id name subtotal { amount } lines { id title quantity routing { kind } } invoice { method dueAt amount { amount } } }
			clientSecret paymentIntentId userErrors { field message } } }`, map[string]any{"in": in})["checkoutComplete"].(map[string]any)
	}

	// Order A: the shop, by invoice.
	a := checkout(shop, "order-a", map[string]int{"MUG-1": 3, "LAMP-1": 1}, nil)
	orderA := str(dig(a, "order", "id"))
	if dig(a, "order", "subtotal", "amount") != "63.00" || dig(a, "order", "invoice", "method") != "INVOICE" || dig(a, "clientSecret") != nil {
		t.Fatalf("order A %v", a)
	}
	if due, _ := time.Parse(time.RFC3339, str(dig(a, "order", "invoice", "dueAt"))); due.Sub(time.Now()) < 29*24*time.Hour {
		t.Fatalf("order A due %v, want in 30 days", dig(a, "order", "invoice", "dueAt"))
	}
	lineOf := func(o map[string]any, title string) string {
		for _, l := range list(dig(o, "order", "lines")) {
			if dig(l, "title") == title {
				return str(dig(l, "id"))
			}
		}
		t.Fatalf("no line %q in %v", title, o)
		return ""
	}
	lampLineA := lineOf(a, "Brass Desk Lamp")

	// Order B: a consumer, by card; the client secret comes with the order.
	b := checkout(shopper, "order-b", map[string]int{"LAMP-1": 1, "VASE-1": 2}, map[string]any{"email": "eve@consumer.example", "paymentMethod": "CARD"})
	orderB := str(dig(b, "order", "id"))
	if dig(b, "order", "subtotal", "amount") != "81.00" || !strings.Contains(str(dig(b, "clientSecret")), "_secret_") || dig(b, "order", "invoice") != nil {
		t.Fatalf("order B %v", b)
	}
	// Stripe confirms the card (the signed webhook), twice: applied once.
	for i := 0; i < 2; i++ {
		payload := fmt.Sprintf(`{"id":"evt_e2e_1","object":"event","type":"payment_intent.succeeded","api_version":%q,"data":{"object":{"id":%q,"object":"payment_intent"}}}`,
			stripe.APIVersion, dig(b, "paymentIntentId"))
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: whsec, Timestamp: time.Now()}).Header
		req, _ := http.NewRequest("POST", G+"/webhooks/stripe", strings.NewReader(payload))
		req.Header.Set("Stripe-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("webhook: %d", resp.StatusCode)
		}
	}

	// Fulfilment. Lampworks accepts and ships A's lamp, rejects B's lamp (rerouted to
	// Hamburg) and B's vases (nowhere to go: cancelled); the operator ships Munich's mugs
	// and Hamburg's lamp.
	foQuery := `{ fulfillmentOrders(first: 20) { edges { node { id kind status warehouse { handle } lines { id sku quantity } } } } }`
	fos := func(who as) []any { return list(dig(gql(t, G, who, foQuery, nil), "fulfillmentOrders", "edges")) }
	ship := func(who as, id string) {
		gql(t, G, who, `mutation($id: ID!) { fulfillmentOrderAccept(input: {id: $id}) { userErrors { message } } }`, map[string]any{"id": id})
		gql(t, G, who, `mutation($id: ID!) { fulfillmentOrderShip(input: {id: $id, shipments: [{carrier: "DHL", trackingNumber: "JD0001"}]}) {
			userErrors { message } } }`, map[string]any{"id": id})
	}
	for _, e := range fos(lampworks) {
		id := str(dig(e, "node", "id"))
		if sawA(t, G, dealer, orderA, id) {
			ship(lampworks, id)
			continue
		}
		// B's lamp and vases, one drop-ship order: rejected whole.
		gql(t, G, lampworks, `mutation($id: ID!) { fulfillmentOrderReject(input: {id: $id, reason: "cannot ship this week"}) { userErrors { message } } }`,
			map[string]any{"id": id})
	}
	for _, e := range fos(op) {
		if n := dig(e, "node"); dig(n, "status") == "NEW" {
			ship(op, str(dig(n, "id")))
		}
	}
	statuses := func() (string, string) {
		q := `query($id: ID!) { node(id: $id) { ... on Order { status } } }`
		return str(dig(gql(t, G, dealer, q, map[string]any{"id": orderA}), "node", "status")),
			str(dig(gql(t, G, dealer, q, map[string]any{"id": orderB}), "node", "status"))
	}
	if sa, sb := statuses(); sa != "FULFILLED" || sb != "FULFILLED" {
		t.Fatalf("orders %s and %s, want both FULFILLED (B's vases cancelled)", sa, sb)
	}

	// The dealer collects A in two payments; B's vases are refunded to the card.
	for i, amt := range []string{"20.00", "43.00"} {
		gql(t, G, dealer, `mutation($in: OrderRecordPaymentInput!) { orderRecordPayment(input: $in) { userErrors { message } } }`,
			map[string]any{"in": map[string]any{"orderId": orderA, "amount": amt, "idempotencyKey": fmt.Sprint("pay-a-", i)}})
	}
	data = gql(t, G, dealer, `mutation($id: ID!) { orderRefundOwed(input: {orderId: $id}) { refund { amount { amount } method } userErrors { message } } }`,
		map[string]any{"id": orderB})
	if dig(data, "orderRefundOwed", "refund", "amount", "amount") != "36.00" || dig(data, "orderRefundOwed", "refund", "method") != "CARD" {
		t.Fatalf("refund %v", data)
	}

	// Payouts: lampworks onboarded a Stripe account; the payout job (River) pays its two
	// shipped lamps; mugmaker has none and is on the payout statement instead.
	gql(t, G, lampworks, `mutation { memberSetPayoutAccount(input: {stripeAccountId: "acct_1Lampworks"}) { userErrors { message } } }`, nil)
	if _, err := jc.Insert(ctx, payments.PayoutArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the payout job", func() bool {
		var n int
		_ = d.Owner.QueryRow(ctx, `SELECT count(*) FROM payout_transfers`).Scan(&n)
		return n == 2
	})

	// A's lamp comes back: refunded by the dealer (invoice), 30.00 taken back from lampworks.
	data = gql(t, G, dealer, `mutation($in: OrderReturnInput!) { orderReturn(input: $in) { returnedAmount { amount }
		refund { amount { amount } method } reversals { amount { amount } stripeTransferId } invoice { amount { amount } paid { amount } status }
		userErrors { field message } } }`,
		map[string]any{"in": map[string]any{"orderId": orderA, "lines": []any{map[string]any{"orderLineId": lampLineA, "quantity": 1}},
			"reason": "arrived scratched", "idempotencyKey": "ret-a-1"}})
	r := dig(data, "orderReturn")
	if dig(r, "returnedAmount", "amount") != "45.00" || dig(r, "refund", "amount", "amount") != "45.00" || dig(r, "refund", "method") != "INVOICE" ||
		len(list(dig(r, "reversals"))) != 1 || dig(r, "reversals", "0", "amount", "amount") != "30.00" ||
		dig(r, "invoice", "amount", "amount") != "18.00" || dig(r, "invoice", "status") != "PAID" {
		t.Fatalf("return %v", r)
	}

	// Every party's balances, as each sees them through the API, by hand:
	//   shop customer: receivable 63.00 − 63.00 paid − 45.00 returned + 45.00 refunded = 0
	//   consumer:      81.00 − 36.00 cancelled − 81.00 paid + 36.00 refunded = 0
	//   mugmaker:      12.00 due (no payout account: on the payout statement)
	//   lampworks:     30 + 30 due − 60 paid out + 30 returned − 30 reversed = 0; vases 24.00 placed, cancelled = 0
	//   consortium:    fee 0.90 + 2.25 + 2.25 + 1.80 − 1.80 (vases) − 2.25 (return) = 3.15;
	//                  cash 81.00 − 36.00 − 60.00 + 30.00 = 15.00
	//   dealer:        margin 5.10 + 12.75 + 12.75 + 10.20 − 10.20 − 12.75 = 17.85; cash 63.00 − 45.00 = 18.00
	want := map[string]map[string]string{
		"mugmaker":  {"SUPPLIER PAYABLE_DUE": "-12.00"},
		"lampworks": {},
		"operator":  {"CONSORTIUM FEE_REVENUE": "-3.15", "CONSORTIUM CASH": "15.00"},
		"dealer": {"SUPPLIER PAYABLE_DUE": "-12.00", "CONSORTIUM FEE_REVENUE": "-3.15", "CONSORTIUM CASH": "15.00",
			"STOREFRONT MARGIN": "-17.85", "STOREFRONT CASH": "18.00"},
	}
	for who, accounts := range want {
		p := map[string]as{"mugmaker": mugmaker, "lampworks": lampworks, "operator": op, "dealer": dealer}[who]
		got := map[string]string{}
		for _, bal := range list(dig(gql(t, G, p, `{ balances { partyKind account amount { amount } } }`, nil), "balances")) {
			if amt := str(dig(bal, "amount", "amount")); amt != "0.00" {
				got[str(dig(bal, "partyKind"))+" "+str(dig(bal, "account"))] = amt
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(accounts) {
			t.Errorf("%s sees %v, want %v", who, got, accounts)
		}
	}
	// The shop customer's own receivable is settled; it sees no supplier or margin.
	data = gql(t, G, shop, `{ balances { partyKind account amount { amount } } }`, nil)
	for _, bal := range list(dig(data, "balances")) {
		if dig(bal, "partyKind") != "CUSTOMER" || dig(bal, "amount", "amount") != "0.00" {
			t.Errorf("shop customer sees %v", bal)
		}
	}
	// Mugmaker's 12.00 is on its payout statement.
	data = gql(t, G, mugmaker, `query($f: Time!, $t: Time!) { payoutStatements(from: $f, to: $t) { statements { due { amount } lines } } }`,
		map[string]any{"f": time.Now().Add(-time.Hour).Format(time.RFC3339), "t": time.Now().Add(time.Hour).Format(time.RFC3339)})
	if dig(data, "payoutStatements", "statements", "0", "due", "amount") != "12.00" {
		t.Errorf("mugmaker's statement %v", data)
	}

	probs, err := ledger.Check(ctx, d.Owner)
	if err != nil || len(probs) > 0 {
		t.Fatalf("ledger check: %v %v", probs, err)
	}
	var entries int
	if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&entries); err != nil || entries == 0 {
		t.Fatalf("ledger entries %d, %v", entries, err)
	}
}

// sawA reports whether fulfilment order fo belongs to order A (as its seller sees it).
func sawA(t *testing.T, base string, dealer as, orderA, fo string) bool {
	t.Helper()
	data := gql(t, base, dealer, `query($id: ID!) { node(id: $id) { ... on Order { fulfillmentOrders { id } } } }`, map[string]any{"id": orderA})
	for _, f := range list(dig(data, "node", "fulfillmentOrders")) {
		if dig(f, "id") == fo {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds (background workers), failing after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
