package webtest_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/web/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestHarness boots the binary, calls the API with a demo key and as an anonymous
// shopper, and drives chromium over the gateway's health page.
func TestHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary")
	}
	a := webtest.Start(t)
	for _, role := range []string{"operator", "supplier", "seller", "storefront"} {
		if a.Keys[role] == "" {
			t.Fatalf("no demo key for %s: %v", role, a.Keys)
		}
	}
	t.Run("OK", func(t *testing.T) {
		data := a.GQL(t, a.Keys["seller"], `{ viewer { kind member { handle } } }`, nil)
		v := data["viewer"].(map[string]any)
		if v["kind"] != "MEMBER" || v["member"].(map[string]any)["handle"] != "hanse-dealer" {
			t.Fatalf("viewer = %v", v)
		}
		res := a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `{ viewer { kind storefront { handle } } }`})
		if len(res.Errors) > 0 || res.Data["viewer"].(map[string]any)["kind"] != "SHOPPER" {
			t.Fatalf("shopper viewer = %v %v", res.Data, res.Errors)
		}
		var n int
		if err := a.Owner.QueryRow(t.Context(), `SELECT count(*) FROM storefronts`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("storefronts = %d, %v", n, err)
		}
		// The demo listings seed republished offers into both demo storefronts.
		res = a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `{ storefront(handle: "hanse-shop") { collections { handle } listings(first: 100) { edges { node { handle } } } } }`})
		sf := res.Data["storefront"].(map[string]any)
		if got := len(sf["listings"].(map[string]any)["edges"].([]any)); got < 30 {
			t.Errorf("hanse-shop shows %d listings, want about 40 (errors %v)", got, res.Errors)
		}
		if got := len(sf["collections"].([]any)); got < 2 {
			t.Errorf("hanse-shop has %d collections", got)
		}
	})
	t.Run("Browser", func(t *testing.T) {
		b := webtest.NewBrowser(t)
		b.Step("health", webtest.Visit(a.URL+"/readyz", "body"), webtest.WaitText("body", "ok"))
		if got := webtest.Eval[string](b, "location.pathname"); got != "/readyz" {
			t.Fatalf("path = %q", got)
		}
		phone := b.NewTab(t, webtest.Phone)
		phone.Step("phone health", webtest.Visit(a.URL+"/readyz", "body"))
		if w := webtest.Eval[int](phone, "screen.width"); w > 500 {
			t.Fatalf("phone width = %d", w)
		}
	})
}
