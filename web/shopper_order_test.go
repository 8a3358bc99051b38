package web_test

import (
	"testing"

	"github.com/guildmart/guildmart/web/webtest"
)

const shopperOrderQuery = `query($id: ID!, $email: String!) { shopperOrder(id: $id, email: $email) { name email lines { title routing { kind } routingReason } shipments { trackingNumber } } }`

// placeOrder checks out item in hanse-shop through the API as an anonymous shopper and
// returns the order's ID.
func placeOrder(t *testing.T, a *webtest.App, item shippable, email string) string {
	t.Helper()
	res := a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `query($l: String!) { storefront(handle: "hanse-shop") { listing(handle: $l) { variants { id selectedOptions { name value } } } } }`,
		Vars: map[string]any{"l": item.Handle}})
	var variant string
	for _, v := range res.Data["storefront"].(map[string]any)["listing"].(map[string]any)["variants"].([]any) {
		match := true
		for _, o := range v.(map[string]any)["selectedOptions"].([]any) {
			o := o.(map[string]any)
			if item.Options[o["name"].(string)] != o["value"] {
				match = false
			}
		}
		if match {
			variant = v.(map[string]any)["id"].(string)
		}
	}
	res = a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `mutation($v: ID!) { cartCreate(input: {lines: [{listingVariantId: $v, quantity: 1}]}) { cart { id } userErrors { message } } }`,
		Vars: map[string]any{"v": variant}})
	cart := res.Data["cartCreate"].(map[string]any)["cart"].(map[string]any)["id"]
	res = a.Do(t, webtest.Request{Storefront: "hanse-shop", Query: `mutation($c: ID!, $k: String!, $e: String!) { checkoutComplete(input: {cartId: $c, email: $e, idempotencyKey: $k,
		shippingAddress: {name: "Erika", line1: "Marienplatz 1", city: "München", postalCode: "80331", region: "DE-BY", country: "DE", latitude: 48.1, longitude: 11.5}}) {
		order { id } userErrors { field message } } }`, Vars: map[string]any{"c": cart, "k": cart, "e": email}})
	if len(res.Errors) > 0 {
		t.Fatalf("checkout: %v", res.Errors)
	}
	p := res.Data["checkoutComplete"].(map[string]any)
	if p["order"] == nil {
		t.Fatalf("checkout: %v %v", p["userErrors"], res.Errors)
	}
	return p["order"].(map[string]any)["id"].(string)
}

// TestShopperOrder checks the order lookup of anonymous shoppers: the order's ID and its
// e-mail, in its own storefront only, never routing, and only for shoppers.
func TestShopperOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary")
	}
	a := webtest.Start(t)
	id := placeOrder(t, a, findShippable(t, a, "acme-tools"), "erika@example.com")
	lookup := func(sf, key, id, email string) webtest.Response {
		return a.Do(t, webtest.Request{Storefront: sf, Key: key, Query: shopperOrderQuery, Vars: map[string]any{"id": id, "email": email}})
	}
	t.Run("OK", func(t *testing.T) {
		res := lookup("hanse-shop", "", id, " Erika@Example.com ")
		o, _ := res.Data["shopperOrder"].(map[string]any)
		if o == nil || o["email"] != "erika@example.com" {
			t.Fatalf("shopperOrder = %v %v", res.Data, res.Errors)
		}
		for _, l := range o["lines"].([]any) {
			if l.(map[string]any)["routing"] != nil || l.(map[string]any)["routingReason"] != nil {
				t.Fatalf("a shopper sees routing: %v", l)
			}
		}
	})
	for _, tc := range []struct{ name, sf, id, email string }{
		{"ErrWrongEmail", "hanse-shop", id, "someone@example.com"},
		{"ErrOtherStorefront", "lily", id, "erika@example.com"},
		{"ErrMalformedID", "hanse-shop", "nope", "erika@example.com"},
		{"ErrEmptyEmail", "hanse-shop", id, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := lookup(tc.sf, "", tc.id, tc.email)
			if len(res.Errors) > 0 || res.Data["shopperOrder"] != nil {
				t.Fatalf("shopperOrder = %v %v, want null", res.Data, res.Errors)
			}
		})
	}
	t.Run("ErrNotShopper", func(t *testing.T) {
		res := lookup("", a.Keys["supplier"], id, "erika@example.com")
		if len(res.Errors) == 0 || res.Errors[0]["extensions"].(map[string]any)["code"] != "FORBIDDEN" {
			t.Fatalf("supplier: %v %v", res.Data, res.Errors)
		}
	})
}
