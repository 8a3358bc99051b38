package gateway_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// TestPaymentsGraphQL: a shopper buys the lamp (retail 89.99, wholesale 30.00, fee 5% of
// retail = 4.50, margin 55.49); the seller records a partial payment; each party reads
// only its own side of the ledger.
func TestPaymentsGraphQL(t *testing.T) {
	t.Parallel()
	w := newFFWorld(t)
	ctx := context.Background()
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: w.d.App, Tenants: tenants.NewService(w.d.App),
		Catalog: catalog.NewService(w.d.App, nil), Federation: federation.NewService(w.d.App, nil), Fulfillment: w.ff,
		Payments: payments.NewService(w.d.App)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)

	shopper := tenants.Principal{Kind: tenants.KindShopper, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID}
	cart, err := w.ff.CreateCart(ctx, shopper, []fulfillment.CartLineInput{{ListingVariantID: w.lampLV, Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := w.ff.Checkout(ctx, shopper, fulfillment.CheckoutInput{CartID: cart.ID, Email: "erika@shopper.example",
		ShippingAddress: fulfillment.Address{Name: "Erika", Line1: "Marienplatz 1", City: "München", PostalCode: "80331", Region: "DE-BY", Country: "DE", Latitude: 48.137, Longitude: 11.575},
		IdempotencyKey:  "pay-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, w.d.App, shopper.Scope(), func(tx pgx.Tx) error { return ledger.PostOrderPlaced(ctx, tx, o.ID) }); err != nil {
		t.Fatal(err)
	}
	orderID := ids.Global("Order", o.ID)

	t.Run("OKRecordPayment", func(t *testing.T) {
		d, _ := w.gql("dealer", `mutation($in: OrderRecordPaymentInput!) { orderRecordPayment(input: $in) {
			payment { method status amount { amount } } invoice { status paid { amount } outstanding { amount } } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"orderId": orderID, "amount": "10.00", "idempotencyKey": "p1"}})
		p := w.noUserErrors(d, "orderRecordPayment")
		if dig(p, "invoice", "outstanding", "amount") != "79.99" || dig(p, "payment", "amount", "amount") != "10.00" {
			t.Fatalf("payload %v", p)
		}
		d, _ = w.gql("dealer", `query($id: ID!) { node(id: $id) { ... on Order { invoice { status amount { amount } paid { amount } } payments { amount { amount } method } } } }`,
			map[string]any{"id": orderID})
		if dig(d, "node", "invoice", "paid", "amount") != "10.00" {
			t.Fatalf("order %v", d)
		}
	})
	t.Run("ErrAmountTooLarge", func(t *testing.T) {
		d, _ := w.gql("dealer", `mutation($in: OrderRecordPaymentInput!) { orderRecordPayment(input: $in) { payment { status } userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"orderId": orderID, "amount": "100.00"}})
		errs, _ := dig(d, "orderRecordPayment", "userErrors").([]any)
		if len(errs) != 1 || dig(errs[0], "code") != "INVALID" {
			t.Fatalf("got %v, want one INVALID userError", d)
		}
	})
	t.Run("OKSupplierSeesOnlyItsPayable", func(t *testing.T) {
		d, raw := w.gql("lamp-maker", `{ balances { partyKind account amount { amount } } ledgerEntries(first: 10) { edges { node { account amount { amount } } } } }`, nil)
		bs, _ := d["balances"].([]any)
		if len(bs) != 1 || dig(bs[0], "account") != "PAYABLE" || dig(bs[0], "amount", "amount") != "-30.00" {
			t.Fatalf("supplier balances %v", d)
		}
		for _, secret := range []string{"89.99", "MARGIN", "RECEIVABLE", "FEE_REVENUE", "55.49"} {
			if strings.Contains(raw, secret) {
				t.Fatalf("the supplier reads %q: %s", secret, raw)
			}
		}
	})
	t.Run("OKMarginOfTheSellerOnly", func(t *testing.T) {
		q := `query($id: ID!) { node(id: $id) { ... on Order { margin { amount currencyCode } } } }`
		d, _ := w.gql("dealer", q, map[string]any{"id": orderID})
		if dig(d, "node", "margin", "amount") != "55.49" {
			t.Fatalf("seller's margin %v, want 55.49", d)
		}
		d, _ = w.gql("", q, map[string]any{"id": orderID})
		if m := dig(d, "node", "margin"); m != nil {
			t.Fatalf("a shopper reads the margin %v", d)
		}
	})
	t.Run("OKOperatorSeesFee", func(t *testing.T) {
		d, _ := w.gql("op", `{ balances { account amount { amount } } }`, nil)
		bs, _ := d["balances"].([]any)
		if len(bs) != 1 || dig(bs[0], "account") != "FEE_REVENUE" || dig(bs[0], "amount", "amount") != "-4.50" {
			t.Fatalf("operator balances %v", d)
		}
	})
	t.Run("OKSellerPages", func(t *testing.T) {
		d, _ := w.gql("dealer", `{ ledgerEntries(first: 2) { edges { cursor node { kind account amount { amount } } } pageInfo { hasNextPage endCursor } } }`, nil)
		if dig(d, "ledgerEntries", "pageInfo", "hasNextPage") != true {
			t.Fatalf("page %v", d)
		}
		after := dig(d, "ledgerEntries", "pageInfo", "endCursor")
		d, _ = w.gql("dealer", `query($a: String) { ledgerEntries(first: 10, after: $a) { edges { node { kind account } } pageInfo { hasNextPage } } }`,
			map[string]any{"a": after})
		// 4 order-placed entries + 2 of the payment, 2 on the first page.
		if es, _ := dig(d, "ledgerEntries", "edges").([]any); len(es) != 4 {
			t.Fatalf("second page %v", d)
		}
	})
	t.Run("OKPayoutAccountAndStatements", func(t *testing.T) {
		d, _ := w.gql("lamp-maker", `mutation { memberSetPayoutAccount(input: {stripeAccountId: "acct_1LAMP"}) { stripeAccountId userErrors { field code } } }`, nil)
		if p := w.noUserErrors(d, "memberSetPayoutAccount"); p["stripeAccountId"] != "acct_1LAMP" {
			t.Fatalf("payload %v", p)
		}
		d, _ = w.gql("lamp-maker", `mutation { memberSetPayoutAccount(input: {stripeAccountId: "nope"}) { stripeAccountId userErrors { field code } } }`, nil)
		if errs, _ := dig(d, "memberSetPayoutAccount", "userErrors").([]any); len(errs) != 1 {
			t.Fatalf("payload %v", d)
		}
		d, _ = w.gql("lamp-maker", `query($f: Time!, $t: Time!) { payoutStatements(from: $f, to: $t) { statements { due { amount } lines } csv } }`,
			map[string]any{"f": "2000-01-01T00:00:00Z", "t": "2000-12-31T00:00:00Z"})
		if sts, _ := dig(d, "payoutStatements", "statements").([]any); len(sts) != 0 || !strings.HasPrefix(str(dig(d, "payoutStatements", "csv")), "supplier_id,") {
			t.Fatalf("statements %v", d)
		}
	})
	t.Run("ErrRefundAndCardWithoutStripe", func(t *testing.T) {
		for _, m := range []string{"orderRefundOwed", "orderCardPaymentCreate"} {
			d, _ := w.gql("dealer", `mutation($in: `+strings.ToUpper(m[:1])+m[1:]+`Input!) { `+m+`(input: $in) { userErrors { field code } } }`,
				map[string]any{"in": map[string]any{"orderId": orderID}})
			if errs, _ := dig(d, m, "userErrors").([]any); len(errs) != 1 || dig(errs[0], "code") != "CONFLICT" {
				t.Fatalf("%s: %v, want one CONFLICT", m, d)
			}
		}
	})
	t.Run("ErrCardCheckoutWithoutStripe", func(t *testing.T) {
		var before int
		_ = w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&before)
		d, _ := w.gql("", `mutation($l: [CartLineInput!]) { cartCreate(input: {lines: $l}) { cart { id } userErrors { message } } }`,
			map[string]any{"l": []any{map[string]any{"listingVariantId": ids.Global("ListingVariant", w.lampLV), "quantity": 1}}})
		cart := dig(d, "cartCreate", "cart", "id")
		d, _ = w.gql("", `mutation($in: CheckoutCompleteInput!) { checkoutComplete(input: $in) { order { id } clientSecret userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"cartId": cart, "email": "eve@example.com", "idempotencyKey": "card-1", "paymentMethod": "CARD",
				"shippingAddress": map[string]any{"name": "Eve", "line1": "Markt 1", "city": "München", "postalCode": "80331", "region": "DE-BY",
					"country": "DE", "latitude": 48.137, "longitude": 11.575}}})
		errs, _ := dig(d, "checkoutComplete", "userErrors").([]any)
		if len(errs) != 1 || dig(errs[0], "code") != "CONFLICT" || fmt.Sprint(dig(errs[0], "field")) != "[input paymentMethod]" ||
			dig(d, "checkoutComplete", "order") != nil {
			t.Fatalf("got %v, want a paymentMethod CONFLICT and no order", d)
		}
		var after int
		_ = w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&after)
		if after != before {
			t.Fatalf("orders %d → %d: a refused card checkout placed an order", before, after)
		}
	})
	t.Run("ErrReturnMoreThanShipped", func(t *testing.T) {
		d, _ := w.gql("dealer", `query($id: ID!) { node(id: $id) { ... on Order { lines { id } } } }`, map[string]any{"id": orderID})
		line := dig(d, "node", "lines").([]any)[0]
		d, _ = w.gql("dealer", `mutation($in: OrderReturnInput!) { orderReturn(input: $in) { returnedAmount { amount } userErrors { field message code } } }`,
			map[string]any{"in": map[string]any{"orderId": orderID, "lines": []any{map[string]any{"orderLineId": dig(line, "id"), "quantity": 1}}}})
		errs, _ := dig(d, "orderReturn", "userErrors").([]any)
		if len(errs) != 1 || dig(errs[0], "code") != "INVALID" || !strings.Contains(str(dig(errs[0], "message")), "0 shipped unit(s) can still be returned") {
			t.Fatalf("got %v, want INVALID: nothing shipped yet", d)
		}
		// Another member's order does not exist for the supplier.
		d, _ = w.gql("lamp-maker", `mutation($in: OrderReturnInput!) { orderReturn(input: $in) { userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"orderId": orderID, "lines": []any{map[string]any{"orderLineId": dig(line, "id"), "quantity": 1}}}})
		if errs, _ := dig(d, "orderReturn", "userErrors").([]any); len(errs) != 1 || fmt.Sprint(dig(errs[0], "field")) != "[input orderId]" {
			t.Fatalf("supplier: %v, want the order not found", d)
		}
	})
	t.Run("OKReferral", func(t *testing.T) {
		q := `mutation($in: StorefrontReferralSetInput!) { storefrontReferralSet(input: $in) { referral { shareBps referrer { handle } } userErrors { field code } } }`
		in := map[string]any{"storefrontId": ids.Global("Storefront", w.sf.ID), "referrerId": ids.Global("Member", w.lampSup.MemberID), "shareBps": 1000}
		d, _ := w.gql("dealer", q, map[string]any{"in": in})
		if p := w.noUserErrors(d, "storefrontReferralSet"); dig(p, "referral", "referrer", "handle") != "lamp-maker" || dig(p, "referral", "shareBps") != float64(1000) {
			t.Fatalf("payload %v", p)
		}
		in["shareBps"] = 20000
		d, _ = w.gql("dealer", q, map[string]any{"in": in})
		if errs, _ := dig(d, "storefrontReferralSet", "userErrors").([]any); len(errs) != 1 || fmt.Sprint(dig(errs[0], "field")) != "[input shareBps]" {
			t.Fatalf("got %v, want a shareBps userError", d)
		}
		d, _ = w.gql("lamp-maker", q, map[string]any{"in": map[string]any{"storefrontId": ids.Global("Storefront", w.sf.ID), "referrerId": nil}})
		if errs, _ := dig(d, "storefrontReferralSet", "userErrors").([]any); len(errs) != 1 {
			t.Fatalf("another member changed the referral: %v", d)
		}
	})
}

// TestStorefrontPaymentMethods: a shopper learns whether to offer a card and the key
// Stripe.js needs; nothing about cards without Stripe.
func TestStorefrontPaymentMethods(t *testing.T) {
	t.Parallel()
	w := newFFWorld(t)
	q := `{ storefront(handle: "ff-shop") { paymentMethods stripePublishableKey } }`
	d, _ := w.gql("", q, nil)
	if fmt.Sprint(dig(d, "storefront", "paymentMethods")) != "[INVOICE]" || dig(d, "storefront", "stripePublishableKey") != nil {
		t.Fatalf("without Stripe: %v", d)
	}
	pay := payments.NewService(w.d.App).WithStripe(payments.StripeConfig{SecretKey: "sk_test_x", PublishableKey: "pk_test_x", BackendURL: "http://127.0.0.1:1"})
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: w.d.App, Tenants: tenants.NewService(w.d.App),
		Federation: federation.NewService(w.d.App, nil), Fulfillment: w.ff, Payments: pay}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.Close()
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
	d, _ = w.gql("", q, nil)
	if fmt.Sprint(dig(d, "storefront", "paymentMethods")) != "[INVOICE CARD]" || dig(d, "storefront", "stripePublishableKey") != "pk_test_x" {
		t.Fatalf("with Stripe: %v", d)
	}
}
