package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/web/webtest"
)

// TestConsole drives the console in chromium as the demo seller, supplier and
// operator on one running guildmart, and as a person whose key was revoked. Each
// subtest signs in in its own tab (own sessionStorage) and asserts what the page shows
// and what the database holds.
func TestConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and a browser")
	}
	a := webtest.Start(t)
	b := webtest.NewBrowser(t)

	t.Run("SellerSearchesAndPublishes", func(t *testing.T) { consoleSellerPublishes(t, a, b.NewTab(t)) })
	t.Run("SupplierImportsAndUpdatesAvailability", func(t *testing.T) { consoleSupplierImports(t, a, b.NewTab(t)) })
	t.Run("SupplierShipsSellerSeesRouteAndMargin", func(t *testing.T) { consoleShipAndMargin(t, a, b.NewTab(t), b.NewTab(t)) })
	t.Run("OperatorInvitesAndActivates", func(t *testing.T) { consoleOperatorInvites(t, a, b.NewTab(t)) })
	t.Run("EveryPageLoads", func(t *testing.T) {
		consoleEveryPage(t, a, b.NewTab(t), "seller", 12)
		consoleEveryPage(t, a, b.NewTab(t), "operator", 3)
		consoleEveryPage(t, a, b.NewTab(t), "storefront", 4)
	})
	t.Run("OnAPhone", func(t *testing.T) { consoleOnAPhone(t, a, b.NewTab(t, webtest.Phone)) })
	t.Run("ErrRevokedKey", func(t *testing.T) { consoleRevokedKey(t, a, b.NewTab(t)) })
}

// consoleSignIn opens the console and signs in with key, waiting for the overview.
func consoleSignIn(b *webtest.Browser, base, key, name string) {
	b.Step(name+" signs in",
		webtest.Visit(base+"/console", "#signin-key"),
		consoleFill("#signin-key", key),
		webtest.ClickText("#signin button", "Sign in"),
		webtest.WaitJS(`document.querySelector('main')?.dataset.ready === 'home'`))
}

// consoleFill replaces the value of the input matching the CSS selector sel with value,
// typed with real key events (webtest.Fill leaves old text in number inputs).
func consoleFill(sel, value string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(sel)
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)),
		webtest.WaitJS(`((e) => { e.value = ''; return true; })(document.querySelector(`+string(q)+`))`),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// consoleMenu navigates within the console by its menu and waits until the page has loaded.
func consoleMenu(b *webtest.Browser, link, route string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(webtest.ClickText("#nav a", link),
		webtest.WaitJS(`document.querySelector('main')?.dataset.ready === '`+route+`'`))
}

func consoleSellerPublishes(t *testing.T, a *webtest.App, b *webtest.Browser) {
	ctx := t.Context()
	// An offer of another supplier that hanse-shop does not list yet.
	var offerID uuid.UUID
	var title string
	err := a.Owner.QueryRow(ctx, `
		SELECT o.id, o.title FROM offers o JOIN members m ON m.id = o.supplier_id
		WHERE m.handle = 'acme-tools' AND o.status = 'ACTIVE'
		  AND NOT EXISTS (SELECT 1 FROM listings l JOIN storefronts s ON s.id = l.storefront_id WHERE s.handle = 'hanse-shop' AND l.offer_id = o.id)
		ORDER BY o.title LIMIT 1`).Scan(&offerID, &title)
	if err != nil {
		t.Fatalf("pick an offer: %v", err)
	}
	consoleSignIn(b, a.URL, a.Keys["seller"], "seller")
	b.Step("seller searches the catalog",
		consoleMenu(b, "Shared catalog", "catalog"),
		webtest.WaitJS(`document.querySelectorAll('#catalog-results tr[data-offer-id]').length > 0`),
		webtest.WaitText("#facets", "Supplier"),
		consoleFill("#cs-query", title),
		webtest.Select("#cs-sort", "MARGIN_DESC"),
		webtest.ClickText("#catalog-search button", "Search"),
		webtest.WaitText("#catalog-results", title))
	if got := b.Text("#result-count"); !strings.Contains(got, "found") {
		t.Fatalf("result count = %q", got)
	}
	b.Step("seller publishes with a 50 percent markup",
		webtest.Click(`#catalog-results tr[data-offer-id="`+ids.Global("Offer", offerID)+`"] input.pick`),
		webtest.Select("#pub-kind", "MARKUP_PERCENT"),
		consoleFill("#pub-markup", "50"),
		webtest.Select("#pub-rounding", "NONE"),
		webtest.ClickText("#publish button", "Publish selected"),
		webtest.WaitText("#publish-result", "Published 1 offer"))
	if v := webtest.Eval[float64](b, `document.querySelector('#publish-progress').value`); v != 1 {
		t.Errorf("publish progress = %v, want 1", v)
	}

	// The listing exists with the rule, and each variant's price is wholesale + 50 %.
	var listingHandle string
	var markup int
	err = a.Owner.QueryRow(ctx, `SELECT l.handle, r.percent_bps FROM listings l JOIN storefronts s ON s.id = l.storefront_id
		JOIN pricing_rules r ON r.storefront_id = l.storefront_id AND r.id = l.rule_id
		WHERE s.handle = 'hanse-shop' AND l.offer_id = $1`, offerID).Scan(&listingHandle, &markup)
	if err != nil || markup != 5000 {
		t.Fatalf("listing of %s: handle %q markup %d, %v", title, listingHandle, markup, err)
	}
	var wrong int
	if err := a.Owner.QueryRow(ctx, `SELECT count(*) FROM listing_variants lv JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
		JOIN offer_variants v ON v.id = lv.variant_id
		WHERE l.offer_id = $1 AND lv.price <> GREATEST(v.wholesale_price + (v.wholesale_price * 5000 + 5000) / 10000, coalesce(v.minimum_resale_price, 0))`, offerID).Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("%d listing variants priced off the rule (%v)", wrong, err)
	}
	var price string
	if err := a.Owner.QueryRow(ctx, `SELECT to_char(lv.price / 100.0, 'FM999999990.00') FROM listing_variants lv JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
		WHERE l.offer_id = $1 ORDER BY lv.position LIMIT 1`, offerID).Scan(&price); err != nil {
		t.Fatal(err)
	}
	row := `#listings tr[data-listing-handle="` + listingHandle + `"]`
	b.Step("seller sees the new listing",
		webtest.ClickText("#publish-result a", "See your listings"),
		webtest.WaitJS(`document.querySelector('main')?.dataset.ready === 'listings'`),
		webtest.WaitText(row, title),
		webtest.WaitText(row+" .price", price+" EUR"),
		webtest.WaitText(row+" .rule", "wholesale + 50 %"))
	if st := b.Text(row + " .status"); st != "active" && !strings.Contains(st, "out of stock") {
		t.Errorf("listing status = %q", st)
	}
}

func consoleSupplierImports(t *testing.T, a *webtest.App, b *webtest.Browser) {
	ctx := t.Context()
	const header = "offer_handle,title,description,brand,category_path,images,offer_status,visibility,sku,gtin,options,weight_grams,wholesale_price,suggested_retail_price,minimum_resale_price,price_tiers,availability,quantity,lead_time_days,ships_direct,ship_from_lat,ship_from_lng,ship_from_region,ships_to_regions,direct_lead_time_days,direct_shipping_cost,warehouses"
	csv := header + "\n" +
		"web-lantern,Storm Lantern,,Acme,home/lighting,,ACTIVE,,WEB-LAN-1,,colour=Red,500,12.00,29.00,,,IN_STOCK,20,,true,48.78,9.18,DE-BW,DE|AT,2,4.90,\n" +
		"web-lantern,,,,,,,,WEB-LAN-2,,colour=Blue,500,12.00,29.00,,,IN_STOCK,15,,true,48.78,9.18,DE-BW,DE|AT,2,4.90,\n" +
		"web-broken,Broken Bucket,,Acme,home/garden/tools,,ACTIVE,,WEB-BRK-1,,,900,-3.00,19.00,,,IN_STOCK,5,,true,48.78,9.18,DE-BW,DE,2,0,\n"
	file := filepath.Join(t.TempDir(), "offers.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	consoleSignIn(b, a.URL, a.Keys["supplier"], "supplier")
	b.Step("supplier imports a CSV with one bad row",
		consoleMenu(b, "CSV import", "imports"),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
		webtest.ClickText("#import-form button", "Import"),
		webtest.WaitText("#import-status", "succeeded"),
		webtest.WaitText("#import-errors", "wholesale_price"))
	if v := webtest.Eval[float64](b, `document.querySelector('#import-progress').value`); v != 1 {
		t.Errorf("progress = %v, want 1", v)
	}
	if got := b.Text("#import-status"); !strings.Contains(got, "3 of 3 rows") || !strings.Contains(got, "2 created") || !strings.Contains(got, "1 failed") {
		t.Errorf("import status = %q", got)
	}
	if got := b.Text(`#import-errors tr[data-row="4"]`); !strings.Contains(got, "wholesale_price") {
		t.Errorf("row error of line 4 = %q", got)
	}
	var good, bad int
	if err := a.Owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sku LIKE 'WEB-LAN-%'), count(*) FILTER (WHERE sku = 'WEB-BRK-1') FROM offer_variants`).Scan(&good, &bad); err != nil || good != 2 || bad != 0 {
		t.Fatalf("imported variants: %d good, %d bad (%v)", good, bad, err)
	}

	b.Step("supplier updates availability, one SKU unknown",
		consoleMenu(b, "Availability", "availability"),
		consoleFill(".avail-row:nth-of-type(1) [name=sku]", "WEB-LAN-1"),
		webtest.Select(".avail-row:nth-of-type(1) [name=availability]", "OUT_OF_STOCK"),
		webtest.ClickText("#availability-form button", "Add another SKU"),
		consoleFill(".avail-row:nth-of-type(2) [name=sku]", "NO-SUCH-SKU"),
		consoleFill(".avail-row:nth-of-type(2) [name=quantity]", "3"),
		webtest.ClickText("#availability-form button", "Update availability"),
		webtest.WaitText(".avail-row:nth-of-type(1) .avail-result", "WEB-LAN-1: updated"),
		webtest.WaitText(".avail-row:nth-of-type(2) .avail-result", "unknown SKU"))
	var avail string
	if err := a.Owner.QueryRow(ctx, `SELECT availability FROM offer_variants WHERE sku = 'WEB-LAN-1'`).Scan(&avail); err != nil || avail != "OUT_OF_STOCK" {
		t.Fatalf("WEB-LAN-1 availability = %q, %v", avail, err)
	}
	b.Step("supplier finds its offer by SKU",
		consoleMenu(b, "My offers", "offers"),
		consoleFill("#offer-find-sku", "WEB-LAN-1"),
		webtest.ClickText("#offer-find button", "Find"),
		webtest.WaitText(`#offers tr[data-sku="WEB-LAN-2"]`, "WEB-LAN-2"),
		webtest.WaitText(`#offers tr[data-sku="WEB-LAN-1"] .availability`, "out of stock"))
}

func consoleOperatorInvites(t *testing.T, a *webtest.App, b *webtest.Browser) {
	ctx := t.Context()
	consoleSignIn(b, a.URL, a.Keys["operator"], "operator")
	b.Step("operator's bad invite is explained next to the handle",
		consoleMenu(b, "Members", "members"),
		consoleFill("#mi-handle", "Bad Handle"),
		consoleFill("#mi-legal-name", "Baltic Bikes OÜ"),
		webtest.ClickText("#member-invite button", "Invite"),
		webtest.WaitJS(`document.querySelector('#mi-handle').getAttribute('aria-invalid') === 'true'`),
		webtest.WaitJS(`document.getElementById(document.querySelector('#mi-handle').getAttribute('aria-describedby')).innerText.length > 0`))
	b.Step("operator invites a member",
		consoleFill("#mi-handle", "baltic-bikes"),
		webtest.Click("#mi-supplier"),
		webtest.ClickText("#member-invite button", "Invite"),
		webtest.WaitText(`#members tr[data-handle="baltic-bikes"] .member-status`, "invited"))
	b.Step("operator activates it",
		webtest.Click(`#members tr[data-handle="baltic-bikes"] button`),
		webtest.WaitText(`#members tr[data-handle="baltic-bikes"] .member-status`, "active"),
		webtest.WaitText("#members-result", "baltic-bikes is now active"))
	var status string
	var supplier bool
	if err := a.Owner.QueryRow(ctx, `SELECT status, is_supplier FROM members WHERE handle = 'baltic-bikes'`).Scan(&status, &supplier); err != nil || status != "ACTIVE" || !supplier {
		t.Fatalf("baltic-bikes: %s supplier=%v (%v)", status, supplier, err)
	}
}

func consoleRevokedKey(t *testing.T, a *webtest.App, b *webtest.Browser) {
	// A second key of the seller, revoked while the console is open with it.
	d := a.GQL(t, a.Keys["seller"], `mutation { apiKeyCreate(input: {name: "console test", role: STAFF}) { secret apiKey { id } userErrors { message } } }`, nil)
	p := d["apiKeyCreate"].(map[string]any)
	secret, id := p["secret"].(string), p["apiKey"].(map[string]any)["id"].(string)
	consoleSignIn(b, a.URL, secret, "staff")
	a.GQL(t, a.Keys["seller"], `mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { message } } }`, map[string]any{"id": id})
	b.Step("a revoked key is told in plain words",
		webtest.ClickText("#nav a", "Orders"),
		webtest.WaitText("#signin-error", "not signed in any more"),
		webtest.WaitText("#signin-error", "revoked"))
	b.Step("signing in with the revoked key is refused in plain words",
		webtest.Visit(a.URL+"/console", "#signin-key"),
		webtest.WaitJS(`document.querySelector('#signin-error').hidden`),
		consoleFill("#signin-key", secret),
		webtest.ClickText("#signin button", "Sign in"),
		webtest.WaitText("#signin-error", "This API key was not accepted (invalid or revoked API key)"))
	b.Step("a session that does not exist is explained too",
		webtest.ClickText("#signin button", "Use my session"),
		webtest.WaitText("#signin-error", "No signed-in session was found"))
	if got := webtest.Eval[string](b, `sessionStorage.getItem('gm.console.key') || ''`); got != "" {
		t.Errorf("the revoked key is still kept in the tab")
	}
}

func consoleShipAndMargin(t *testing.T, a *webtest.App, supplier, seller *webtest.Browser) {
	ctx := t.Context()
	// A shopper orders a listed acme-tools variant that only the supplier can ship to
	// Munich (no warehouse holds it), so the line goes drop-ship.
	var lv uuid.UUID
	err := a.Owner.QueryRow(ctx, `SELECT lv.id FROM listing_variants lv JOIN storefronts s ON s.id = lv.storefront_id
		JOIN offer_variants v ON v.id = lv.variant_id JOIN members m ON m.id = v.supplier_id
		WHERE s.handle = 'hanse-shop' AND lv.status = 'ACTIVE' AND m.handle = 'acme-tools'
		  AND v.ships_direct AND 'DE' = ANY(v.ships_to_regions) AND v.availability = 'IN_STOCK' AND v.available_quantity >= 2
		  AND NOT EXISTS (SELECT 1 FROM warehouse_stock ws WHERE ws.variant_id = v.id AND ws.on_hand > 0)
		ORDER BY lv.id LIMIT 1`).Scan(&lv)
	if err != nil {
		t.Fatalf("pick a drop-ship listing variant: %v", err)
	}
	res := a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `mutation($lv: ID!) { cartCreate(input: {lines: [{listingVariantId: $lv, quantity: 2}]}) { cart { id } userErrors { message } } }`,
		Vars: map[string]any{"lv": ids.Global("ListingVariant", lv)}})
	if len(res.Errors) > 0 {
		t.Fatalf("cartCreate: %v", res.Errors)
	}
	cart := res.Data["cartCreate"].(map[string]any)["cart"].(map[string]any)["id"].(string)
	res = a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `mutation($c: ID!) { checkoutComplete(input: {cartId: $c, email: "erika@example.com", idempotencyKey: "console-test-1",
		shippingAddress: {name: "Erika Muster", line1: "Marienplatz 1", city: "München", postalCode: "80331", region: "DE-BY", country: "DE", latitude: 48.137, longitude: 11.575}}) {
		order { id name } userErrors { field message } } }`, Vars: map[string]any{"c": cart}})
	payload, _ := res.Data["checkoutComplete"].(map[string]any)
	order, _ := payload["order"].(map[string]any)
	if order == nil {
		t.Fatalf("checkoutComplete: %v %v", res.Errors, payload)
	}
	var ref string
	if err := a.Owner.QueryRow(ctx, `SELECT reference FROM fulfillment_orders WHERE order_id = $1 AND kind = 'SUPPLIER'`, consoleUUID(t, order["id"].(string), "Order")).Scan(&ref); err != nil {
		t.Fatalf("the supplier's fulfilment order: %v", err)
	}

	fo := `article.fo[data-reference="` + ref + `"]`
	consoleSignIn(supplier, a.URL, a.Keys["supplier"], "supplier")
	supplier.Step("supplier accepts the drop-ship order",
		consoleMenu(supplier, "Fulfilment orders", "fulfilment"),
		webtest.WaitText(fo+" .fo-status", "new"),
		webtest.WaitText(fo+" .ship-to", "Marienplatz 1"),
		webtest.ClickText(fo+" button", "Accept"),
		webtest.WaitText(fo+" .fo-status", "accepted"))
	supplier.Step("supplier ships it with tracking",
		webtest.ClickText(fo+" button", "Ship"),
		consoleFill(fo+" input[name=carrier]", "DHL"),
		consoleFill(fo+" input[name=trackingNumber]", "JJD0099887766"),
		webtest.ClickText(fo+" button", "Confirm shipment"),
		webtest.WaitText(fo+" .fo-status", "shipped"),
		webtest.WaitText(fo+" .shipments", "JJD0099887766"))

	var margin string
	if err := a.Owner.QueryRow(ctx, `SELECT to_char(-sum(amount) / 100.0, 'FM999999990.00') FROM ledger_entries WHERE order_id = $1 AND account = 'MARGIN'`,
		consoleUUID(t, order["id"].(string), "Order")).Scan(&margin); err != nil {
		t.Fatalf("margin in the ledger: %v", err)
	}
	card := `article.order[data-order-name="` + order["name"].(string) + `"]`
	consoleSignIn(seller, a.URL, a.Keys["seller"], "seller")
	seller.Step("seller sees the order fulfilled, its route and margin",
		consoleMenu(seller, "Orders", "orders"),
		webtest.WaitText(card+" .order-status", "fulfilled"),
		webtest.WaitText(card+" .route", "supplier acme-tools"),
		webtest.WaitText(card+" .routing-reason", "ships direct"),
		webtest.WaitText(card+" .order-margin", "Margin "+margin+" EUR"),
		webtest.WaitText(card+" .shipments", "JJD0099887766"))
}

func consoleUUID(t *testing.T, gid, kind string) uuid.UUID {
	t.Helper()
	id, ok := ids.ParseKind(gid, kind)
	if !ok {
		t.Fatalf("%q is not a %s ID", gid, kind)
	}
	return id
}

// consoleOnAPhone checks the console fits a phone screen: the menu folds above the page and
// wide tables scroll inside their own box, not the page.
func consoleOnAPhone(t *testing.T, a *webtest.App, b *webtest.Browser) {
	consoleSignIn(b, a.URL, a.Keys["seller"], "seller on a phone")
	// The listings table is the widest; its page is very long, so no screenshot of it.
	b.Run(consoleMenu(b, "Listings", "listings"),
		webtest.WaitJS(`document.querySelectorAll('#listings tr[data-listing-handle]').length > 0`))
	if over := webtest.Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
		t.Errorf("the page is wider than the phone's screen (%d > %d)", webtest.Eval[int](b, `document.documentElement.scrollWidth`), webtest.Eval[int](b, `window.innerWidth`))
	}
	if !webtest.Eval[bool](b, `document.querySelector('#nav').getBoundingClientRect().bottom <= document.querySelector('main h1').getBoundingClientRect().top`) {
		t.Errorf("the menu is not above the page on a phone")
	}
	b.Step("seller's orders on a phone", consoleMenu(b, "Orders", "orders"), webtest.WaitText("article.order .order-margin", "Margin"))
}

// consoleEveryPage opens each page of the role's menu and requires it to load without an error
// (no screenshots: the other subtests show the pages that matter).
func consoleEveryPage(t *testing.T, a *webtest.App, b *webtest.Browser, role string, want int) {
	consoleSignIn(b, a.URL, a.Keys[role], role)
	paths := webtest.Eval[[]string](b, `[...document.querySelectorAll('#nav a')].map(a => a.dataset.path).filter(Boolean)`)
	if len(paths) != want {
		t.Errorf("%s sees %d pages %v, want %d", role, len(paths), paths, want)
	}
	for _, p := range paths {
		b.Run(webtest.Click(`#nav a[data-path="`+p+`"]`),
			webtest.WaitJS(`document.querySelector('main')?.dataset.ready === '`+p+`'`))
		if msg := b.Text("#page-error"); msg != "" {
			t.Errorf("%s page %s: %s", role, p, msg)
		}
	}
}
