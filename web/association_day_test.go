package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/guildmart/guildmart/web/webtest"
)

// TestAssociationDay is issue 10's flow across roles, each in its own browser context:
// a shopper browses hanse-shop, searches, adds to cart, checks out by invoice and sees
// the order; the supplier (acme-tools) accepts and ships it with tracking in the
// console; the shopper sees the tracking number; the seller (hanse-dealer) sees the
// order fulfilled and its margin. One screenshot per step.
func TestAssociationDay(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and chromium")
	}
	b := webtest.NewBrowser(t)
	a := webtest.Start(t)
	shop := a.URL + "/s/hanse-shop"
	item := findShippable(t, a, "acme-tools")
	ready := func(view string) chromedp.Action[chromedp.Void] {
		return webtest.WaitJS(`document.querySelector('#app').dataset.ready === '` + view + `'`)
	}

	shopper := b.NewTab(t)
	shopper.Step("shopper opens the shop", webtest.Visit(shop, `#app[data-ready="home"]`), webtest.WaitText("#collections", "Workshop"))
	shopper.Step("shopper browses a collection", webtest.ClickText("#collections a", "Workshop"), ready("listings"), webtest.WaitText("#grid", "Acme"))
	word := strings.Fields(item.Title)[len(strings.Fields(item.Title))-2]
	shopper.Step("shopper searches", webtest.Fill("#search-q", word), webtest.Click("#search-form button"), ready("search"),
		webtest.WaitText("#results", word))
	shopper.Step("shopper opens the product", webtest.Visit(shop+"/listings/"+item.Handle, "#add-to-cart"), ready("listing"), webtest.WaitText("h1", item.Title))
	for name, value := range item.Options {
		shopper.Run(webtest.Select(`#variant-picker select[name="option-`+name+`"]`, value))
	}
	shopper.Step("shopper adds to cart", webtest.WaitText("#availability", "In stock"), webtest.Fill("#qty", "2"), webtest.Click("#add-to-cart"),
		webtest.WaitText("#cart-status", "Added 2"), webtest.WaitText("#cart-count", "2"))
	shopper.Step("shopper reviews the cart", webtest.Click("#cart-link"), ready("cart"), webtest.WaitText("#cart-lines", item.Title))
	shopper.Step("shopper fills in the checkout", webtest.Click("#checkout-link"), ready("checkout"),
		webtest.Fill("#email", "erika@example.com"), webtest.Fill("#name", "Erika Muster"), webtest.Fill("#line1", "Marienplatz 1"),
		webtest.Fill("#postalCode", "80331"), webtest.Fill("#city", "München"), webtest.Fill("#region", "DE-BY"),
		webtest.WaitJS(`document.querySelector('input[name=payment][value=INVOICE]').checked`))
	shopper.Step("shopper places the order by invoice", webtest.Click("#place-order"), ready("order"),
		webtest.WaitText("#confirmation", "Thank you"), webtest.WaitText("#order-lines", item.Title), webtest.WaitText("#no-shipments", "Nothing has shipped"))
	orderURL := shopper.URL()

	var orderName, ref, method string
	if err := a.Owner.QueryRow(t.Context(), `SELECT '#' || o.number, f.reference, i.method FROM orders o
		JOIN storefronts s ON s.id = o.storefront_id
		JOIN fulfillment_orders f ON f.storefront_id = o.storefront_id AND f.order_id = o.id AND f.kind = 'SUPPLIER'
		LEFT JOIN invoices i ON i.storefront_id = o.storefront_id AND i.order_id = o.id
		WHERE s.handle = 'hanse-shop' AND o.email = 'erika@example.com'`).Scan(&orderName, &ref, &method); err != nil {
		t.Fatalf("the order and its drop-ship fulfilment order: %v", err)
	}
	if method != "INVOICE" || !strings.Contains(shopper.Text("#confirmation"), orderName) {
		t.Fatalf("order %s paid by %q; confirmation: %s", orderName, method, shopper.Text("#confirmation"))
	}

	supplier := b.NewTab(t)
	fo := `article.fo[data-reference="` + ref + `"]`
	consoleSignIn(supplier, a.URL, a.Keys["supplier"], "supplier")
	supplier.Step("supplier accepts the drop-ship order", consoleMenu(supplier, "Fulfilment orders", "fulfilment"),
		webtest.WaitText(fo+" .fo-status", "new"), webtest.ClickText(fo+" button", "Accept"), webtest.WaitText(fo+" .fo-status", "accepted"))
	supplier.Step("supplier ships it with tracking", webtest.ClickText(fo+" button", "Ship"),
		consoleFill(fo+" input[name=carrier]", "DHL"), consoleFill(fo+" input[name=trackingNumber]", "JJD0012345678"),
		webtest.ClickText(fo+" button", "Confirm shipment"), webtest.WaitText(fo+" .fo-status", "shipped"))

	shopper.Step("shopper sees the tracking number", webtest.Visit(orderURL, "#app"), ready("order"),
		webtest.WaitText("#shipments .tracking-number", "JJD0012345678"), webtest.WaitText("#shipments .carrier", "DHL"),
		webtest.WaitText("#order-status", "Shipped"))

	var margin string
	if err := a.Owner.QueryRow(t.Context(), `SELECT to_char(-sum(e.amount) / 100.0, 'FM999999990.00') FROM ledger_entries e
		JOIN orders o ON o.id = e.order_id JOIN storefronts s ON s.id = o.storefront_id
		WHERE s.handle = 'hanse-shop' AND o.email = 'erika@example.com' AND e.account = 'MARGIN'`).Scan(&margin); err != nil || margin == "" || margin == "0.00" {
		t.Fatalf("the storefront's margin in the ledger: %q %v", margin, err)
	}
	seller := b.NewTab(t)
	card := `article.order[data-order-name="` + orderName + `"]`
	consoleSignIn(seller, a.URL, a.Keys["seller"], "seller")
	seller.Step("seller sees the order fulfilled and its margin", consoleMenu(seller, "Orders", "orders"),
		webtest.WaitText(card+" .order-status", "fulfilled"), webtest.WaitText(card+" .order-margin", margin))
}
