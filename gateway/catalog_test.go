package gateway_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

// withCatalog serves w with the catalog service wired in.
func withCatalog(t *testing.T, w *world) *catalog.Service {
	t.Helper()
	cat := catalog.NewService(w.db.App, nil)
	srv, err := gateway.NewServer(gateway.Config{Introspection: true}, gateway.Services{Pool: w.db.App, Tenants: w.svc, Catalog: cat}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
	return cat
}

// ok fails on top-level errors and returns the data.
func (w *world) ok(key, query string, vars map[string]any) map[string]any {
	w.t.Helper()
	r := w.do(key, nil, query, vars)
	if len(r.Errors) > 0 || r.Data == nil {
		w.t.Fatalf("%s: %s", strings.Fields(query)[0], r.Raw)
	}
	return r.Data
}

// noUserErrors fails unless the payload at path has an empty userErrors.
func noUserErrors(t *testing.T, data map[string]any, payload string) map[string]any {
	t.Helper()
	p, _ := data[payload].(map[string]any)
	if errs, _ := p["userErrors"].([]any); len(errs) > 0 || p == nil {
		t.Fatalf("%s: userErrors %v", payload, p["userErrors"])
	}
	return p
}

func userErrorFields(data map[string]any, payload string) []string {
	errs, _ := dig(data, payload, "userErrors").([]any)
	var out []string
	for _, e := range errs {
		var parts []string
		for _, f := range dig(e, "field").([]any) {
			parts = append(parts, f.(string))
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

const offerCreateM = `mutation($in: OfferCreateInput!) { offerCreate(input: $in) {
	offer { id handle status version variants { id sku wholesalePrice { amount currencyCode } } }
	userErrors { field message code } } }`

func variantVars(sku string) map[string]any {
	return map[string]any{"sku": sku, "gtin": "4006381333931", "wholesalePrice": "10.00", "suggestedRetailPrice": "19.99",
		"minimumResalePrice": "15.00", "priceTiers": []any{map[string]any{"minQuantity": 10, "price": "9.00"}},
		"availability": "IN_STOCK", "quantity": 25, "options": []any{map[string]any{"key": "size", "value": "M"}},
		"shipsDirect": map[string]any{"latitude": 48.1, "longitude": 11.6, "region": "DE-BY", "shipsTo": []any{"DE", "AT"}, "leadTimeDays": 2, "shippingCost": "4.90"}}
}

func TestCatalogGraphQL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	withCatalog(t, w)
	sellerID := ids.Global("Member", w.members["one-seller"].ID)
	supplierID := ids.Global("Member", w.members["one-supplier"].ID)

	// The operator builds the tree and a warehouse.
	d := w.ok("one-op", `mutation { categoryCreate(input: {handle: "home", name: "Home"}) { category { id } userErrors { message } } }`, nil)
	homeID := noUserErrors(t, d, "categoryCreate")["category"].(map[string]any)["id"].(string)
	d = w.ok("one-op", `mutation($p: ID) { categoryCreate(input: {parentId: $p, handle: "kitchen", name: "Kitchen"}) { category { id path depth parent { handle } } userErrors { message } } }`, map[string]any{"p": homeID})
	kitchen := noUserErrors(t, d, "categoryCreate")["category"].(map[string]any)
	if kitchen["path"] != "home/kitchen" || kitchen["depth"] != float64(1) || dig(kitchen, "parent", "handle") != "home" {
		t.Fatalf("kitchen %v", kitchen)
	}
	d = w.ok("one-op", `mutation { warehouseCreate(input: {handle: "wh-a", name: "A", latitude: 52.5, longitude: 13.4, region: "DE-BE", regionsServed: ["DE"]}) { warehouse { id handle } userErrors { message } } }`, nil)
	whID := noUserErrors(t, d, "warehouseCreate")["warehouse"].(map[string]any)["id"].(string)

	// The supplier publishes.
	v2 := variantVars("KN-2")
	delete(v2, "shipsDirect")
	v2["warehouses"] = []any{"wh-a"}
	d = w.ok("one-supplier", offerCreateM, map[string]any{"in": map[string]any{"handle": "knife", "title": "Chef knife", "brand": "Acme",
		"categoryId": kitchen["id"], "status": "ACTIVE", "images": []any{"https://img.example.com/k.jpg"},
		"variants": []any{variantVars("KN-1"), v2}}})
	offer := noUserErrors(t, d, "offerCreate")["offer"].(map[string]any)
	offerID := offer["id"].(string)
	variants := offer["variants"].([]any)
	if len(variants) != 2 || dig(variants[0], "wholesalePrice", "amount") != "10.00" || dig(variants[0], "wholesalePrice", "currencyCode") != "EUR" {
		t.Fatalf("offer %v", offer)
	}
	variantID := variants[0].(map[string]any)["id"].(string)

	t.Run("ErrBadInputAsUserErrors", func(t *testing.T) {
		bad := variantVars("BAD-1")
		bad["wholesalePrice"] = "10.001"
		usd := variantVars("BAD-2")
		usd["currencyCode"] = "USD"
		for name, tc := range map[string]struct {
			v     map[string]any
			field string
		}{"precision": {bad, "input.variants.0.wholesalePrice"}, "currency": {usd, "input.variants.0.currency"}} {
			d := w.ok("one-supplier", offerCreateM, map[string]any{"in": map[string]any{"title": "X", "variants": []any{tc.v}}})
			if f := userErrorFields(d, "offerCreate"); len(f) != 1 || f[0] != tc.field {
				t.Errorf("%s: userErrors on %v, want %s", name, f, tc.field)
			}
		}
		r := w.do("one-seller", nil, offerCreateM, map[string]any{"in": map[string]any{"title": "X"}})
		if r.code() != "FORBIDDEN" {
			t.Errorf("a seller-only member publishes: %s", r.Raw)
		}
	})

	const offerQ = `query($id: ID!) { offer(id: $id) { title supplier { handle } category { path parent { handle } children { handle } }
		variants { sku gtin discountBps wholesalePrice { amount } suggestedRetailPrice { amount } minimumResalePrice { amount }
		  priceTiers { minQuantity price { amount } } warehouses { handle } shipsDirect { region shippingCost { amount } }
		  options { key value } offer { id } } } }`
	t.Run("OKSellerSeesListPrice", func(t *testing.T) {
		d := w.ok("one-seller", offerQ, map[string]any{"id": offerID})
		vs := dig(d, "offer", "variants").([]any)
		if dig(d, "offer", "supplier", "handle") != "one-supplier" || dig(d, "offer", "category", "path") != "home/kitchen" ||
			dig(vs[0], "wholesalePrice", "amount") != "10.00" || dig(vs[0], "shipsDirect", "shippingCost", "amount") != "4.90" ||
			dig(vs[1], "warehouses").([]any)[0].(map[string]any)["handle"] != "wh-a" || dig(vs[0], "offer", "id") != offerID {
			t.Fatalf("seller view %v", d)
		}
	})
	t.Run("OKAgreementFlow", func(t *testing.T) {
		noUserErrors(t, w.ok("one-supplier", `mutation { supplierProfileUpdate(input: {agreementRequired: true, displayName: "Acme"}) { supplierProfile { agreementRequired } userErrors { message } } }`, nil), "supplierProfileUpdate")
		if d := w.ok("one-seller", offerQ, map[string]any{"id": offerID}); d["offer"] != nil {
			t.Fatal("agreement required, yet the seller sees the offer")
		}
		d := w.ok("one-seller", `mutation($s: ID!) { sourcingAgreementRequest(input: {supplierId: $s, message: "hi"}) { sourcingAgreement { id status supplier { handle } } userErrors { message } } }`, map[string]any{"s": supplierID})
		agID := noUserErrors(t, d, "sourcingAgreementRequest")["sourcingAgreement"].(map[string]any)["id"].(string)
		d = w.ok("one-supplier", `mutation($id: ID!) { sourcingAgreementApprove(input: {id: $id, discountBps: 1000}) { sourcingAgreement { status discountBps seller { id } } userErrors { message } } }`, map[string]any{"id": agID})
		if a := noUserErrors(t, d, "sourcingAgreementApprove")["sourcingAgreement"].(map[string]any); a["status"] != "APPROVED" || dig(a, "seller", "id") != sellerID {
			t.Fatalf("approve %v", a)
		}
		d = w.ok("one-seller", offerQ, map[string]any{"id": offerID})
		v := dig(d, "offer", "variants").([]any)[0]
		if dig(v, "wholesalePrice", "amount") != "9.00" || dig(v, "discountBps") != float64(1000) ||
			dig(v, "priceTiers").([]any)[0].(map[string]any)["price"].(map[string]any)["amount"] != "8.10" {
			t.Fatalf("seller's effective prices %v", v)
		}
		d = w.ok("one-supplier", offerQ, map[string]any{"id": offerID})
		if v := dig(d, "offer", "variants").([]any)[0]; dig(v, "wholesalePrice", "amount") != "10.00" {
			t.Fatalf("supplier's own price %v", v)
		}
		d = w.ok("one-seller", `{ sourcingAgreements(first: 5) { edges { node { id status } } pageInfo { hasNextPage } } }`, nil)
		if edges := dig(d, "sourcingAgreements", "edges").([]any); len(edges) != 1 {
			t.Fatalf("agreements %v", d)
		}
		// Node resolution of every catalog kind, for the seller and across the consortium line.
		for _, id := range []string{offerID, variantID, homeID, whID, agID, ids.Global("SupplierProfile", w.members["one-supplier"].ID)} {
			q := `query($id: ID!) { node(id: $id) { id } }`
			if d := w.ok("one-seller", q, map[string]any{"id": id}); dig(d, "node", "id") != id {
				t.Errorf("node(%s) for the seller: %v", id, d)
			}
			if d := w.ok("two-seller", q, map[string]any{"id": id}); d["node"] != nil {
				t.Errorf("node(%s) leaks to another consortium: %v", id, d)
			}
		}
		d = w.ok("one-seller", `mutation($id: ID!) { sourcingAgreementRevoke(input: {id: $id}) { sourcingAgreement { status } userErrors { message } } }`, map[string]any{"id": agID})
		noUserErrors(t, d, "sourcingAgreementRevoke")
		if d := w.ok("one-seller", offerQ, map[string]any{"id": offerID}); d["offer"] != nil {
			t.Fatal("revoked, yet visible")
		}
		d = w.ok("one-seller", `mutation($s: ID!) { sourcingAgreementRequest(input: {supplierId: $s}) { sourcingAgreement { id } userErrors { message } } }`, map[string]any{"s": supplierID})
		noUserErrors(t, d, "sourcingAgreementRequest")
		d = w.ok("one-supplier", `mutation($id: ID!) { sourcingAgreementDecline(input: {id: $id}) { sourcingAgreement { status } userErrors { message } } }`, map[string]any{"id": agID})
		if dig(d, "sourcingAgreementDecline", "sourcingAgreement", "status") != "DECLINED" {
			t.Fatalf("decline %v", d)
		}
		noUserErrors(t, w.ok("one-supplier", `mutation { supplierProfileUpdate(input: {agreementRequired: false}) { userErrors { message } } }`, nil), "supplierProfileUpdate")
	})
	t.Run("OKAvailabilityAndChangeLog", func(t *testing.T) {
		d := w.ok("one-supplier", `mutation { offerVariantsSetAvailability(input: {updates: [
			{sku: "KN-1", availability: MADE_TO_ORDER, leadTimeDays: 12}, {sku: "NOPE", availability: OUT_OF_STOCK}]}) {
			results { sku variantId version changed error { field code } } userErrors { message } } }`, nil)
		res := dig(d, "offerVariantsSetAvailability", "results").([]any)
		if dig(res[0], "changed") != true || dig(res[0], "version") != float64(2) || dig(res[0], "variantId") != variantID ||
			dig(res[1], "error", "code") != "INVALID" || dig(res[1], "variantId") != nil {
			t.Fatalf("results %v", res)
		}
		d = w.ok("one-supplier", `mutation($id: ID!) { offerVariantUpdate(input: {id: $id, wholesalePrice: "11.00", priceTiers: []}) {
			offerVariant { version wholesalePrice { amount } priceTiers { minQuantity } } userErrors { field message } } }`, map[string]any{"id": variantID})
		if v := noUserErrors(t, d, "offerVariantUpdate")["offerVariant"].(map[string]any); dig(v, "wholesalePrice", "amount") != "11.00" || len(v["priceTiers"].([]any)) != 0 || v["version"] != float64(3) {
			t.Fatalf("update %v", v)
		}
		d = w.ok("one-supplier", `query($id: ID!) { offerChanges(offerId: $id, first: 10) { edges { node { version actor variant { sku } changes { field old new } } } pageInfo { hasNextPage } } }`, map[string]any{"id": offerID})
		edges := dig(d, "offerChanges", "edges").([]any)
		if len(edges) != 2 || dig(edges[1], "node", "variant", "sku") != "KN-1" || !strings.HasPrefix(dig(edges[1], "node", "actor").(string), "member:") {
			t.Fatalf("changes %v", d)
		}
		if r := w.do("one-seller", nil, `query($id: ID!) { offerChanges(offerId: $id) { edges { cursor } } }`, map[string]any{"id": offerID}); r.code() != "NOT_FOUND" {
			t.Fatalf("a seller reads the change log: %s", r.Raw)
		}
		d = w.ok("one-supplier", `mutation($id: ID!) { offerVariantUpdate(input: {id: $id, minimumResalePrice: "30.00"}) { userErrors { field code } } }`, map[string]any{"id": variantID})
		if f := userErrorFields(d, "offerVariantUpdate"); len(f) != 1 || f[0] != "input.minimumResalePrice" {
			t.Fatalf("floor above retail: %v", f)
		}
	})
	t.Run("OKVariantCreateAndDiscontinue", func(t *testing.T) {
		in := variantVars("KN-3")
		in["offerId"] = offerID
		in["idempotencyKey"] = "kn-3"
		const m = `mutation($in: OfferVariantCreateInput!) { offerVariantCreate(input: $in) { offerVariant { id sku status } userErrors { field message } } }`
		a := noUserErrors(t, w.ok("one-supplier", m, map[string]any{"in": in}), "offerVariantCreate")
		b := noUserErrors(t, w.ok("one-supplier", m, map[string]any{"in": in}), "offerVariantCreate")
		if dig(a, "offerVariant", "id") != dig(b, "offerVariant", "id") || dig(a, "offerVariant", "sku") != "KN-3" {
			t.Fatalf("create %v / retry %v", a, b)
		}
		d := w.ok("one-supplier", `mutation($id: ID!) { offerVariantDiscontinue(input: {id: $id}) { offerVariant { status } userErrors { message } } }`, map[string]any{"id": dig(a, "offerVariant", "id")})
		if dig(d, "offerVariantDiscontinue", "offerVariant", "status") != "DISCONTINUED" {
			t.Fatalf("discontinue %v", d)
		}
		d = w.ok("one-supplier", `{ offerVariant(sku: "KN-3") { status } offers(first: 10) { edges { node { handle } } } warehouses { handle } categories { path } supplierProfile { displayName } }`, nil)
		if dig(d, "offerVariant", "status") != "DISCONTINUED" || len(dig(d, "offers", "edges").([]any)) != 1 || len(d["categories"].([]any)) != 2 || dig(d, "supplierProfile", "displayName") != "Acme" {
			t.Fatalf("reads %v", d)
		}
	})
	t.Run("OKOfferUpdateAndDiscontinue", func(t *testing.T) {
		d := w.ok("one-supplier", `mutation($id: ID!) { offerUpdate(input: {id: $id, title: "Santoku", clearCategory: true, visibility: ALLOW_LIST, allowList: ["one-seller"]}) {
			offer { title category { id } visibility allowList { handle } version } userErrors { field message } } }`, map[string]any{"id": offerID})
		o := noUserErrors(t, d, "offerUpdate")["offer"].(map[string]any)
		if o["title"] != "Santoku" || o["category"] != nil || len(o["allowList"].([]any)) != 1 || o["version"] != float64(2) {
			t.Fatalf("update %v", o)
		}
		if d := w.ok("one-seller", `query($id: ID!) { offer(id: $id) { allowList { handle } } }`, map[string]any{"id": offerID}); dig(d, "offer", "allowList") != nil {
			t.Fatalf("a seller learns the allow-list: %v", d)
		}
		d = w.ok("one-supplier", `mutation($id: ID!) { offerDiscontinue(input: {id: $id}) { offer { status } userErrors { message } } }`, map[string]any{"id": offerID})
		if dig(d, "offerDiscontinue", "offer", "status") != "DISCONTINUED" {
			t.Fatalf("discontinue %v", d)
		}
	})
	t.Run("ErrOtherTenants", func(t *testing.T) {
		for _, key := range []string{"two-seller", "two-supplier", "two-op", "one-shop"} {
			if d := w.ok(key, `query($id: ID!) { offer(id: $id) { id } }`, map[string]any{"id": offerID}); d["offer"] != nil {
				t.Errorf("%s sees the offer", key)
			}
		}
		r := w.do("two-supplier", nil, `mutation($id: ID!) { offerDiscontinue(input: {id: $id}) { offer { id } userErrors { message } } }`, map[string]any{"id": offerID})
		if r.code() != "NOT_FOUND" {
			t.Errorf("another consortium's supplier discontinues: %s", r.Raw)
		}
		r = w.do("one-shop", nil, `mutation { offerVariantsSetAvailability(input: {updates: [{sku: "KN-1", availability: OUT_OF_STOCK}]}) { userErrors { message } } }`, nil)
		if r.code() != "FORBIDDEN" {
			t.Errorf("a storefront key sets availability: %s", r.Raw)
		}
	})
}

// TestCatalogNoNPlusOne counts SQL statements for a page of offers with everything
// hanging off it: the count must not grow with the number of offers.
func TestCatalogNoNPlusOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cat := withCatalog(t, w)
	ctx := context.Background()
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.c1.ID}
	sup := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: w.c1.ID, MemberID: w.members["one-supplier"].ID, Role: tenants.RoleOwner}
	root, err := cat.CreateCategory(ctx, op, catalog.CategoryCreate{Handle: "root", Name: "Root"})
	if err != nil {
		t.Fatal(err)
	}
	var cats []uuid.UUID
	for i := range 3 {
		c, err := cat.CreateCategory(ctx, op, catalog.CategoryCreate{ParentID: &root.ID, Handle: fmt.Sprintf("c%d", i), Name: "C"})
		if err != nil {
			t.Fatal(err)
		}
		cats = append(cats, c.ID)
	}
	for _, h := range []string{"wh-1", "wh-2"} {
		if _, err := cat.CreateWarehouse(ctx, op, catalog.WarehouseCreate{Handle: h, Name: h, Region: "DE", HandlingDays: 1}); err != nil {
			t.Fatal(err)
		}
	}
	add := func(n int) {
		for i := range n {
			in := catalog.OfferCreate{Handle: fmt.Sprintf("o-%s", uuid.NewString()[:8]), Title: "T", Status: catalog.StatusActive, CategoryID: &cats[i%3]}
			for j := range 2 {
				in.Variants = append(in.Variants, catalog.VariantCreate{SKU: fmt.Sprintf("S-%s-%d", in.Handle, j),
					Prices:       catalog.VariantPrices{Wholesale: 100, SuggestedRetail: 200, Tiers: []catalog.Tier{{MinQuantity: 5, Price: 90}}},
					Availability: catalog.InStock, Quantity: 3, Warehouses: []string{"wh-1", "wh-2"}})
			}
			if _, err := cat.CreateOffer(ctx, sup, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	const q = `{ offers(first: 100) { edges { node { handle category { name parent { name } } supplier { handle } supplierProfile { showBrand }
		variants { sku wholesalePrice { amount } priceTiers { price { amount } } warehouses { handle } offer { handle } } } } } }`
	count := func() int64 {
		best := int64(1 << 62)
		for range 3 {
			w.db.Counter.Reset()
			r := w.do("one-supplier", nil, q, nil)
			if len(r.Errors) > 0 {
				t.Fatal(r.Raw)
			}
			best = min(best, w.db.Counter.Count())
		}
		return best
	}
	add(2)
	small := count()
	add(15)
	large := count()
	if large != small {
		t.Fatalf("statements grew with offers: %d for 2, %d for 17 (N+1)", small, large)
	}
	t.Logf("%d statements for 2 and for 17 offers", large)
}
