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

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/jackc/pgx/v5"
)

// fedWorld is a consortium with a supplier whose offers two sellers list in their
// storefronts, behind a gateway.
type fedWorld struct {
	tb        testing.TB
	d         *pgtest.DB
	srv       *httptest.Server
	gw        *gateway.Server
	ten       *tenants.Service
	fed       *federation.Service
	c         *tenants.Consortium
	sup       tenants.Principal
	sel, sel2 tenants.Principal
	sf, sf2   *tenants.Storefront
	keys      map[string]string
	offers    []uuid.UUID
	variants  []uuid.UUID
	wholesale []int64
}

func newFedWorld(tb testing.TB) *fedWorld {
	tb.Helper()
	ctx := context.Background()
	d := pgtest.New(tb)
	w := &fedWorld{tb: tb, d: d, ten: tenants.NewService(d.App), fed: federation.NewService(d.App, nil), keys: map[string]string{}}
	var err error
	if w.c, err = tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "fed", Name: "Fed", Currency: "EUR", FeeBps: 500}); err != nil {
		tb.Fatal(err)
	}
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.c.ID}
	member := func(h string, supplier bool) tenants.Principal {
		p := tenanttest.ActiveMember(tb, w.ten, op, tenants.MemberInvite{Handle: h, LegalName: "Legal " + h, IsSupplier: supplier, IsSeller: !supplier})
		var err error
		if _, w.keys[h], err = w.ten.CreateAPIKey(ctx, p, tenants.APIKeyCreate{Role: tenants.RoleOwner}); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	w.sup, w.sel, w.sel2 = member("hidden-supplier", true), member("dealer", false), member("dealer-two", false)
	if w.sf, err = w.ten.CreateStorefront(ctx, w.sel, tenants.StorefrontCreate{Handle: "dealer-shop", Name: "Dealer"}); err != nil {
		tb.Fatal(err)
	}
	if w.sf2, err = w.ten.CreateStorefront(ctx, w.sel2, tenants.StorefrontCreate{Handle: "other-shop", Name: "Other"}); err != nil {
		tb.Fatal(err)
	}
	if w.gw, err = gateway.NewServer(gateway.Config{}, gateway.Services{Pool: d.App, Tenants: w.ten, Federation: w.fed}, nil); err != nil {
		tb.Fatal(err)
	}
	w.srv = httptest.NewServer(w.gw)
	tb.Cleanup(w.srv.Close)
	return w
}

// addOffers creates n offers of two variants each. Wholesale prices end in 3 (2003,
// 2013, …): no sell price (the tests' rules end in .99 or 00) or suggested retail
// (99.99) can equal one, so finding one in a response means a leak.
func (w *fedWorld) addOffers(n int) {
	w.tb.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, w.d.App, w.sup.Scope(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO supplier_profiles (consortium_id, member_id, show_brand) VALUES ($1, $2, false)
			ON CONFLICT DO NOTHING`, w.c.ID, w.sup.MemberID); err != nil {
			return err
		}
		for i := range n {
			k := len(w.offers)
			var offer uuid.UUID
			if err := tx.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, description, brand, status, images)
				VALUES ($1, $2, $3, $4, 'Forged steel.', 'Secretbrand', 'ACTIVE', '{https://img.example/k.jpg}') RETURNING id`,
				w.c.ID, w.sup.MemberID, fmt.Sprintf("knife-%d", k), fmt.Sprintf("Knife %d", k)).Scan(&offer); err != nil {
				return err
			}
			w.offers = append(w.offers, offer)
			for j, size := range []string{"S", "L"} {
				ws := int64(2003 + 10*(2*k+j))
				var id uuid.UUID
				if err := tx.QueryRow(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, options, currency,
						wholesale_price, suggested_retail_price, availability, available_quantity)
					VALUES ($1, $2, $3, $4, $5, 'EUR', $6, 9999, 'IN_STOCK', 50) RETURNING id`,
					w.c.ID, offer, w.sup.MemberID, fmt.Sprintf("K-%d-%s", k, size), map[string]string{"size": size}, ws).Scan(&id); err != nil {
					return err
				}
				w.variants, w.wholesale = append(w.variants, id), append(w.wholesale, ws)
			}
			_ = i
		}
		return nil
	})
	if err != nil {
		w.tb.Fatal(err)
	}
}

func (w *fedWorld) do(key string, hdr map[string]string, query string, vars map[string]any) gqlResp {
	w.tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", w.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+w.keys[key])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResp
	if err := json.Unmarshal(raw, &out); err != nil {
		w.tb.Fatalf("bad JSON %q: %v", raw, err)
	}
	out.Status, out.Raw = resp.StatusCode, string(raw)
	return out
}

func shopper(handle string) map[string]string { return map[string]string{"X-Storefront": handle} }

// publishAll lists every offer in the dealer's storefront through GraphQL.
func (w *fedWorld) publishAll() {
	w.tb.Helper()
	gids := make([]string, len(w.offers))
	for i, o := range w.offers {
		gids[i] = ids.Global("Offer", o)
	}
	r := w.do("dealer", nil, `mutation($in: ListingsPublishBulkInput!) { listingsPublishBulk(input: $in) { count userErrors { field message } } }`,
		map[string]any{"in": map[string]any{"storefrontId": ids.Global("Storefront", w.sf.ID), "offerIds": gids,
			"pricingRule": map[string]any{"kind": "MARKUP_PERCENT", "markupBps": 5000, "rounding": "CHARM_99"}}})
	if dig(r.Data, "listingsPublishBulk", "count") != float64(len(w.offers)) {
		w.tb.Fatalf("bulk publish: %s", r.Raw)
	}
}

const storefrontPageQuery = `query($h: String!, $n: Int) { storefront(handle: $h) { id name
  listings(first: $n) { edges { cursor node { id handle title description images brand vendor status publishedAt offerId titleOverride
    pricingRule { id markupBps } collection { id handle title pricingRule { id } }
    options { name values } priceRange { min { amount currencyCode } max { amount currencyCode } }
    variants { id selectedOptions { name value } price { amount currencyCode } compareAt { amount } availability availableForSale
      status statusReason fixedPrice { amount } offerVariantId } } }
    pageInfo { hasNextPage endCursor } }
  collections { id handle title pricingRule { id } }
  pricingRule { id } customerGroups { id name } customerGroup { id }
  listingChanges(first: 5) { edges { node { id newPrice { amount } } } } } }`

// leaks lists what a shop window response must never contain.
func (w *fedWorld) leaks(raw string, foreign []string) []string {
	var out []string
	for _, ws := range w.wholesale {
		if s := money.Format(ws, "EUR"); strings.Contains(raw, `"`+s+`"`) || strings.Contains(raw, s) {
			out = append(out, "wholesale "+s)
		}
	}
	secrets := []string{"Secretbrand", "hidden-supplier", "Legal hidden-supplier", w.sup.MemberID.String(), ids.Global("Member", w.sup.MemberID),
		"K-0-S", "markupBps\":5000"}
	for i, o := range w.offers {
		secrets = append(secrets, o.String(), ids.Global("Offer", o), w.variants[2*i].String(), ids.Global("OfferVariant", w.variants[2*i]))
	}
	secrets = append(secrets, foreign...)
	for _, s := range secrets {
		if strings.Contains(raw, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestStorefrontAPINoLeaks runs every storefront query as a shopper and searches the raw
// JSON for wholesale amounts, supplier identity (the supplier hides its brand), catalog
// IDs and the other storefront's IDs.
func TestStorefrontAPINoLeaks(t *testing.T) {
	t.Parallel()
	w := newFedWorld(t)
	w.addOffers(6)
	w.publishAll()
	// the other seller lists the same offers in its own storefront
	res, err := w.fed.PublishListings(context.Background(), w.sel2, federation.BulkPublishInput{StorefrontID: w.sf2.ID, OfferIDs: w.offers})
	if err != nil {
		t.Fatal(err)
	}
	var foreign []string
	for _, id := range res.ListingIDs {
		foreign = append(foreign, ids.Global("Listing", id), id.String())
	}
	foreign = append(foreign, ids.Global("Storefront", w.sf2.ID), w.sel.MemberID.String(), w.sel2.MemberID.String())

	page := w.do("", shopper("dealer-shop"), storefrontPageQuery, map[string]any{"h": "dealer-shop", "n": 50})
	if len(page.Errors) > 0 || len(dig(page.Data, "storefront", "listings", "edges").([]any)) != 6 {
		t.Fatalf("page: %s", page.Raw)
	}
	first := dig(page.Data, "storefront", "listings", "edges").([]any)[0]
	handle := dig(first, "node", "handle").(string)
	listingID := dig(first, "node", "id").(string)
	v0 := dig(first, "node", "variants").([]any)[0]
	if dig(v0, "price", "amount") == nil || dig(v0, "compareAt", "amount") != "99.99" || dig(v0, "availability") != "IN_STOCK" {
		t.Fatalf("variant: %v", v0)
	}
	for _, hidden := range []string{"brand", "vendor", "offerId", "pricingRule", "titleOverride"} {
		if dig(first, "node", hidden) != nil {
			t.Errorf("shopper sees %s: %v", hidden, dig(first, "node", hidden))
		}
	}
	queries := map[string]gqlResp{
		"page": page,
		"listing": w.do("", shopper("dealer-shop"), `query($h: String!, $l: String!) { storefront(handle: $h) { listing(handle: $l) {
			id title variants { id price { amount } compareAt { amount } availability statusReason fixedPrice { amount } offerVariantId } } } }`,
			map[string]any{"h": "dealer-shop", "l": handle}),
		"search": w.do("", shopper("dealer-shop"), `query($h: String!) { storefront(handle: $h) { search(query: "knife") {
			edges { node { id title brand vendor variants { price { amount } } } } facets { brands { value count } collections { value count } } } } }`,
			map[string]any{"h": "dealer-shop"}),
		"node": w.do("", shopper("dealer-shop"), `query($id: ID!) { node(id: $id) { id ... on Listing { title offerId variants { price { amount } offerVariantId } } } }`,
			map[string]any{"id": listingID}),
		"foreignStorefront": w.do("", shopper("dealer-shop"), storefrontPageQuery, map[string]any{"h": "other-shop", "n": 50}),
		"foreignNode": w.do("", shopper("other-shop"), `query($id: ID!) { node(id: $id) { id ... on Listing { title } } }`,
			map[string]any{"id": listingID}),
	}
	if dig(queries["search"].Data, "storefront", "search", "edges") == nil || len(queries["search"].Errors) > 0 {
		t.Fatalf("search: %s", queries["search"].Raw)
	}
	if dig(queries["foreignStorefront"].Data, "storefront") != nil || dig(queries["foreignNode"].Data, "node") != nil {
		t.Fatalf("foreign storefront visible: %s %s", queries["foreignStorefront"].Raw, queries["foreignNode"].Raw)
	}
	for name, r := range queries {
		if l := w.leaks(r.Raw, foreign); len(l) > 0 {
			t.Errorf("%s leaks %v", name, l)
		}
	}
	// The other storefront's shopper sees only its own listings.
	other := w.do("", shopper("other-shop"), storefrontPageQuery, map[string]any{"h": "other-shop", "n": 50})
	if strings.Contains(other.Raw, listingID) || len(dig(other.Data, "storefront", "listings", "edges").([]any)) != 6 {
		t.Fatalf("other shop: %s", other.Raw)
	}
	// The seller sees what the shopper may not: rule, offer reference, reasons.
	seller := w.do("dealer", nil, storefrontPageQuery, map[string]any{"h": "dealer-shop", "n": 50})
	if len(seller.Errors) > 0 || dig(seller.Data, "storefront", "listings", "edges").([]any)[0].(map[string]any)["node"].(map[string]any)["offerId"] == nil {
		t.Fatalf("seller page: %s", seller.Raw)
	}
}

// TestSellerMutations drives publish rules, rules, groups and unpublish through GraphQL.
func TestSellerMutations(t *testing.T) {
	t.Parallel()
	w := newFedWorld(t)
	w.addOffers(3)
	w.exec(`UPDATE offer_variants SET minimum_resale_price = 5000 WHERE offer_id = $1`, w.offers[0])
	sf := ids.Global("Storefront", w.sf.ID)
	publish := `mutation($in: ListingPublishInput!) { listingPublish(input: $in) {
		listing { id handle variants { price { amount } status statusReason } pricingRule { kind markupBps } }
		userErrors { field message code } } }`

	t.Run("ErrUnderFloor", func(t *testing.T) {
		r := w.do("dealer", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", w.offers[0]),
			"pricingRule": map[string]any{"kind": "MARKUP_PERCENT", "markupBps": 1000}}})
		errs := dig(r.Data, "listingPublish", "userErrors").([]any)
		if len(errs) == 0 || dig(errs[0], "code") != "INVALID" || !strings.Contains(dig(errs[0], "message").(string), "minimum resale price 50.00") {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("OKClamp", func(t *testing.T) {
		r := w.do("dealer", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", w.offers[0]),
			"pricingRule": map[string]any{"kind": "MARKUP_PERCENT", "markupBps": 1000, "clampToFloor": true}}})
		v := dig(r.Data, "listingPublish", "listing", "variants").([]any)[0]
		if dig(v, "price", "amount") != "50.00" || dig(v, "statusReason") != "CLAMPED_TO_MINIMUM_RESALE_PRICE" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		r := w.do("dealer", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", w.offers[0])}})
		if dig(r.Data, "listingPublish", "userErrors").([]any)[0].(map[string]any)["code"] != "CONFLICT" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("ErrNotEntitledIsNotFound", func(t *testing.T) {
		r := w.do("dealer", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", uuid.New())}})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("%s", r.Raw)
		}
		r = w.do("dealer-two", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", w.offers[1])}})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("foreign storefront: %s", r.Raw)
		}
	})
	var listingID string
	t.Run("OKRuleAndGroup", func(t *testing.T) {
		r := w.do("dealer", nil, publish, map[string]any{"in": map[string]any{"storefrontId": sf, "offerId": ids.Global("Offer", w.offers[1]), "handle": "knife-one"}})
		listingID, _ = dig(r.Data, "listingPublish", "listing", "id").(string)
		if listingID == "" {
			t.Fatalf("%s", r.Raw)
		}
		r = w.do("dealer", nil, `mutation($in: PricingRuleSetInput!) { pricingRuleSet(input: $in) { pricingRule { kind amount { amount } } heldCount userErrors { message } } }`,
			map[string]any{"in": map[string]any{"target": listingID, "rule": map[string]any{"kind": "FIXED_PRICE", "amount": "77.00"}}})
		if dig(r.Data, "pricingRuleSet", "pricingRule", "amount", "amount") != "77.00" {
			t.Fatalf("%s", r.Raw)
		}
		r = w.do("dealer", nil, `mutation($in: CustomerGroupCreateInput!) { customerGroupCreate(input: $in) { customerGroup { id name paymentTermsDays minOrderValue { amount } quantityTiers { minQuantity discountBps } pricingRule { kind } } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"storefrontId": sf, "name": "Shops", "paymentTermsDays": 30, "minOrderValue": "200.00",
				"quantityTiers": []any{map[string]any{"minQuantity": 10, "discountBps": 500}}, "pricingRule": map[string]any{"kind": "MARKUP_PERCENT", "markupBps": 2000}}})
		if dig(r.Data, "customerGroupCreate", "customerGroup", "pricingRule", "kind") != "MARKUP_PERCENT" ||
			dig(r.Data, "customerGroupCreate", "customerGroup", "minOrderValue", "amount") != "200.00" {
			t.Fatalf("%s", r.Raw)
		}
		groupID, _ := dig(r.Data, "customerGroupCreate", "customerGroup", "id").(string)
		r = w.do("dealer", nil, `{ storefront(handle: "dealer-shop") { listing(handle: "knife-one") { variants { id } } } }`, nil)
		lvID := dig(r.Data, "storefront", "listing", "variants").([]any)[0].(map[string]any)["id"]
		r = w.do("dealer", nil, `mutation($in: CustomerGroupPricesSetInput!) { customerGroupPricesSet(input: $in) { customerGroup { name } userErrors { field message } } }`,
			map[string]any{"in": map[string]any{"customerGroupId": groupID, "prices": []any{map[string]any{"listingVariantId": lvID, "price": "10.00"}}}})
		if errs := dig(r.Data, "customerGroupPricesSet", "userErrors").([]any); len(errs) != 1 || !strings.Contains(dig(errs[0], "message").(string), "BELOW_COST") {
			t.Fatalf("group price under cost: %s", r.Raw)
		}
		r = w.do("dealer", nil, `mutation($in: CustomerGroupPricesSetInput!) { customerGroupPricesSet(input: $in) { customerGroup { name } userErrors { field message } } }`,
			map[string]any{"in": map[string]any{"customerGroupId": groupID, "prices": []any{map[string]any{"listingVariantId": lvID, "price": "70.00"}}}})
		if dig(r.Data, "customerGroupPricesSet", "customerGroup", "name") != "Shops" {
			t.Fatalf("group price: %s", r.Raw)
		}
		r = w.do("dealer", nil, `query($h: String!) { storefront(handle: $h) { listing(handle: "knife-one") { variants { price { amount } fixedPrice { amount } } }
			listingChanges(first: 10) { edges { node { oldPrice { amount } newPrice { amount } newStatus listing { handle } } } } customerGroups { name } } }`,
			map[string]any{"h": "dealer-shop"})
		if dig(r.Data, "storefront", "listing", "variants").([]any)[0].(map[string]any)["price"].(map[string]any)["amount"] != "77.00" {
			t.Fatalf("%s", r.Raw)
		}
		if edges := dig(r.Data, "storefront", "listingChanges", "edges").([]any); len(edges) < 2 || dig(edges[0], "node", "newPrice", "amount") != "77.00" {
			t.Fatalf("feed: %s", r.Raw)
		}
	})
	t.Run("OKUnpublish", func(t *testing.T) {
		r := w.do("dealer", nil, `mutation($id: ID!) { listingUnpublish(input: {id: $id}) { listing { status variants { status } } userErrors { message } } }`,
			map[string]any{"id": listingID})
		if dig(r.Data, "listingUnpublish", "listing", "status") != "UNPUBLISHED" {
			t.Fatalf("%s", r.Raw)
		}
		r = w.do("", shopper("dealer-shop"), `{ storefront(handle: "dealer-shop") { listing(handle: "knife-one") { id } } }`, nil)
		if dig(r.Data, "storefront", "listing") != nil {
			t.Fatalf("shopper sees unpublished: %s", r.Raw)
		}
		r = w.do("dealer-two", nil, `mutation($id: ID!) { listingUnpublish(input: {id: $id}) { listing { status } } }`, map[string]any{"id": listingID})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("foreign unpublish: %s", r.Raw)
		}
	})
}

func (w *fedWorld) exec(sql string, args ...any) {
	w.tb.Helper()
	if err := db.InTx(context.Background(), w.d.App, w.sup.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	}); err != nil {
		w.tb.Fatal(err)
	}
}

// TestStorefrontPageNoNPlusOne: a page of 50 listings with variants and collections costs
// the same statements as a page of 5.
func TestStorefrontPageNoNPlusOne(t *testing.T) {
	t.Parallel()
	w := newFedWorld(t)
	w.addOffers(50)
	w.publishAll()
	r := w.do("dealer", nil, `mutation($in: CollectionCreateInput!) { collectionCreate(input: $in) { collection { id } } }`,
		map[string]any{"in": map[string]any{"storefrontId": ids.Global("Storefront", w.sf.ID), "handle": "knives", "title": "Knives"}})
	coll, _ := dig(r.Data, "collectionCreate", "collection", "id").(string)
	if coll == "" {
		t.Fatal(r.Raw)
	}
	if _, err := w.d.Owner.Exec(context.Background(), `UPDATE listings SET collection_id = (SELECT id FROM storefront_collections) WHERE storefront_id = $1`, w.sf.ID); err != nil {
		t.Fatal(err)
	}
	count := func(n int) int64 {
		w.d.Counter.Reset()
		r := w.do("", shopper("dealer-shop"), storefrontPageQuery, map[string]any{"h": "dealer-shop", "n": n})
		if len(r.Errors) > 0 || len(dig(r.Data, "storefront", "listings", "edges").([]any)) != n {
			t.Fatalf("%s", r.Raw)
		}
		return w.d.Counter.Count()
	}
	small, large := count(5), count(50)
	if small != large {
		t.Fatalf("statements: %d for 5 listings, %d for 50 (N+1)", small, large)
	}
	t.Logf("%d statements per page", large)
}
