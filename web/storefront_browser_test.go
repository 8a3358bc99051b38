package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/guildmart/guildmart/web/webtest"
)

// TestStorefront drives the reference storefront of the demo shop hanse-shop as an
// anonymous shopper: home, grid filters and sort, search facets, the variant picker,
// the cart, checkout (field errors first) and the order status page; then the same shop
// on a phone screen.
func TestStorefront(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and chromium")
	}
	b := webtest.NewBrowser(t)
	a := webtest.Start(t)
	shop := a.URL + "/s/hanse-shop"

	t.Run("Home", func(t *testing.T) {
		b := b.For(t)
		b.Step("home", webtest.Visit(shop, `#app[data-ready="home"]`), webtest.WaitText("#site-name", "Hanse Trade Supply"),
			webtest.WaitText("#collections", "Workshop"))
		if n := webtest.Eval[int](b, `document.querySelectorAll('#featured .card').length`); n != 8 {
			t.Fatalf("featured cards = %d, want 8", n)
		}
	})
	t.Run("GridFilterSort", func(t *testing.T) {
		b := b.For(t)
		b.Step("collection", webtest.ClickText("#collections a", "Workshop"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'listings'`),
			webtest.WaitText("h1", "Workshop"))
		all := webtest.Eval[int](b, `document.querySelectorAll('#grid .card').length`)
		brand := webtest.Eval[string](b, `document.querySelector('#f-brand option:nth-child(2)').value`)
		b.Step("brand filter", webtest.Select("#f-brand", brand), webtest.WaitJS(`location.search.includes('brand=')`),
			webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'listings'`))
		filtered := webtest.Eval[int](b, `document.querySelectorAll('#grid .card').length`)
		if filtered == 0 || filtered >= all {
			t.Fatalf("brand %q shows %d of %d listings", brand, filtered, all)
		}
		b.Step("sort by price", webtest.Select("#f-sort", "PRICE_ASC"), webtest.WaitJS(`location.search.includes('sort=PRICE_ASC')`),
			webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'listings'`))
		prices := webtest.Eval[[]float64](b, `[...document.querySelectorAll('#grid .price')].map(e => parseFloat(e.textContent.replace(/[^0-9.,]/g, '').replace(/,/g, '')))`)
		for i := 1; i < len(prices); i++ {
			if prices[i] < prices[i-1] {
				t.Fatalf("not sorted by price: %v", prices)
			}
		}
	})
	item := findShippable(t, a, "acme-tools")
	listingTitle := item.Title
	t.Run("SearchFacets", func(t *testing.T) {
		b := b.For(t)
		word := strings.Fields(item.Title)[len(strings.Fields(item.Title))-2] // the product noun, e.g. "Drill"
		b.Step("search", webtest.Fill("#search-q", word), chromedp.Submit(chromedp.CSS("#search-form")),
			webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'search'`), webtest.WaitText("h1", word))
		n := webtest.Eval[int](b, `document.querySelectorAll('#results .card').length`)
		if n == 0 {
			t.Fatalf("no results for %s:\n%s", word, b.VisibleText())
		}
		b.Step("facet", webtest.Click(`#facets a[data-facet="brand"]`), webtest.WaitJS(`location.search.includes('brand=')`),
			webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'search'`), webtest.WaitJS(`document.querySelector('#facets a[aria-current="true"]')`))
	})
	t.Run("ListingCart", func(t *testing.T) {
		b := b.For(t)
		b.Step("listing", webtest.Visit(shop+"/listings/"+item.Handle, "#app"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'listing'`),
			webtest.WaitText("h1", listingTitle), webtest.WaitText("#availability", "tock"))
		price := b.Text("#price")
		if !strings.Contains(price, "€") {
			t.Fatalf("price %q", price)
		}
		for name, value := range item.Options {
			b.Run(webtest.Select(`#variant-picker select[name="option-`+name+`"]`, value))
		}
		b.Step("variant picked", webtest.WaitText("#availability", "In stock"))
		b.Step("add to cart", webtest.Fill("#qty", "2"), webtest.Click("#add-to-cart"), webtest.WaitText("#cart-status", "Added 2"),
			webtest.WaitText("#cart-count", "2"))
		b.Step("cart", webtest.Click("#cart-link"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'cart'`),
			webtest.WaitText("#cart-lines", listingTitle))
		b.Step("cart quantity", webtest.Fill(".line-qty", "3"), chromedp.Blur(chromedp.CSS(".line-qty")), webtest.WaitText("#cart-count", "3"),
			webtest.WaitJS(`document.querySelector('.line-qty') && document.querySelector('.line-qty').value === '3'`))
	})
	var orderID string
	if !t.Run("Checkout", func(t *testing.T) {
		b := b.For(t)
		b.Step("checkout", webtest.Click("#checkout-link"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'checkout'`),
			webtest.WaitText("#card-unavailable", "not offered"))
		b.Step("missing fields", webtest.Click("#place-order"), webtest.WaitText("#err-name", "required"), webtest.WaitText("#err-email", "required"))
		if webtest.Eval[string](b, `document.activeElement.id`) != "email" {
			t.Errorf("focus is not on the first field in error")
		}
		b.Step("address", webtest.Fill("#email", "erika@example.com"), webtest.Fill("#name", "Erika Muster"), webtest.Fill("#line1", "Marienplatz 1"),
			webtest.Fill("#postalCode", "80331"), webtest.Fill("#city", "München"), webtest.Fill("#region", "DE-BY"))
		b.Step("placed", webtest.Click("#place-order"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'order'`),
			webtest.WaitText("#confirmation", "Thank you"), webtest.WaitText("#order-lines", listingTitle), webtest.WaitText("#no-shipments", "Nothing has shipped"))
		orderID = webtest.Eval[string](b, `decodeURIComponent(location.pathname.split('/').pop())`)
		var n int
		var email string
		if err := a.Owner.QueryRow(t.Context(), `SELECT o.number, o.email FROM orders o JOIN storefronts s ON s.id = o.storefront_id WHERE s.handle = 'hanse-shop' ORDER BY o.created_at DESC LIMIT 1`).Scan(&n, &email); err != nil {
			t.Fatal(err)
		}
		if email != "erika@example.com" || !strings.Contains(b.Text("#confirmation"), "#"+itoa(n)) {
			t.Fatalf("order %d %s; page: %s", n, email, b.Text("#confirmation"))
		}
		if c := b.Text("#cart-count"); c != "0" {
			t.Errorf("cart count after checkout = %q", c)
		}
	}) {
		return
	}
	t.Run("OrderLookup", func(t *testing.T) {
		// Another browser (no local memory of the order) must give the e-mail first.
		other := b.NewTab(t)
		other.Step("lookup", webtest.Visit(shop+"/orders/"+orderID, "#lookup-form"))
		other.Step("wrong email", webtest.Fill("#lookup-email", "someone@example.com"), webtest.Click("#lookup-form button"),
			webtest.WaitText("#lookup-error", "No order matches"))
		other.Step("right email", webtest.Fill("#lookup-email", "ERIKA@example.com"), webtest.Click("#lookup-form button"),
			webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'order'`), webtest.WaitText("#order-status", "Being prepared"))
	})
	t.Run("Phone", func(t *testing.T) {
		p := b.NewTab(t, webtest.Phone)
		p.Step("phone home", webtest.Visit(shop, `#app[data-ready="home"]`))
		if w := webtest.Eval[int](p, `document.documentElement.scrollWidth`); w > 400 {
			t.Errorf("page is %dpx wide on a 390px phone", w)
		}
		p.Step("phone listing", webtest.Click("#featured a.title"), webtest.WaitJS(`document.querySelector('#app').dataset.ready === 'listing'`))
		if w := webtest.Eval[int](p, `document.documentElement.scrollWidth`); w > 400 {
			t.Errorf("listing page is %dpx wide on a 390px phone", w)
		}
	})
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
