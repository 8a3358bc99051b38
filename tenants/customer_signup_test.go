package tenants_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestSignUpCustomer(t *testing.T) {
	t.Parallel()
	ps := newPeopleSet(t)
	ctx := context.Background()
	signedIn := func(t *testing.T, h string, id uuid.UUID) tenants.Principal {
		t.Helper()
		p, err := ps.svc.CustomerPrincipal(ctx, h+"-shop", id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("OK", func(t *testing.T) {
		id := ps.people.register("eve@example.com", "Eve", false)
		p := signedIn(t, "alpha", id)
		if p.Kind != tenants.KindShopper || p.IdentityID != id || p.StorefrontID != ps.sf["alpha"].ID {
			t.Fatalf("before sign-up %+v", p)
		}
		c, err := ps.svc.SignUpCustomer(ctx, p, tenants.CustomerSignUp{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Email != "eve@example.com" || c.Name != "Eve" || c.StorefrontID != ps.sf["alpha"].ID {
			t.Fatalf("customer %+v", c)
		}
		p = signedIn(t, "alpha", id)
		if p.Kind != tenants.KindCustomer || p.CustomerID != c.ID {
			t.Fatalf("after sign-up %+v", p)
		}
		if me, err := ps.svc.SignedInCustomer(ctx, p); err != nil || me.ID != c.ID {
			t.Fatalf("signed-in customer %+v %v", me, err)
		}
		// Signing up again returns the same customer.
		if again, err := ps.svc.SignUpCustomer(ctx, p, tenants.CustomerSignUp{}); err != nil || again.ID != c.ID {
			t.Fatalf("again %+v %v", again, err)
		}
	})

	t.Run("TwoStorefrontsTwoCustomers", func(t *testing.T) {
		id := ps.people.register("twice@example.com", "Twice", false)
		a, err := ps.svc.SignUpCustomer(ctx, signedIn(t, "alpha", id), tenants.CustomerSignUp{Name: "At Alpha"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := ps.svc.SignUpCustomer(ctx, signedIn(t, "beta", id), tenants.CustomerSignUp{Name: "At Beta", Kind: "BUSINESS", Company: "B Ltd"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || a.StorefrontID == b.StorefrontID || b.Kind != "BUSINESS" {
			t.Fatalf("customers %+v %+v", a, b)
		}
		// Each member sees only its own customer.
		for h, want := range map[string]uuid.UUID{"alpha": a.ID, "beta": b.ID} {
			for _, other := range []string{"alpha", "beta"} {
				list, _, err := ps.svc.FindCustomers(ctx, ps.owner[h], ps.sf[other].ID, tenants.Page{})
				if h != other && apperr.Code(err) == apperr.ENOTFOUND {
					continue // another member's storefront does not exist for h
				} else if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range list {
					if c.Email == "twice@example.com" {
						found = true
						if c.ID != want {
							t.Errorf("%s sees customer %s of another member", h, c.ID)
						}
					}
				}
				if found != (h == other) {
					t.Errorf("member %s listing storefront %s: found=%v", h, other, found)
				}
			}
		}
	})

	t.Run("ClaimVerified", func(t *testing.T) {
		sfp := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: ps.c.ID, MemberID: ps.m["alpha"].ID, StorefrontID: ps.sf["alpha"].ID}
		old, err := ps.svc.CreateCustomer(ctx, sfp, tenants.CustomerCreate{Email: "known@example.com", Name: "Known"})
		if err != nil {
			t.Fatal(err)
		}
		id := ps.people.register("known@example.com", "Known K", true)
		c, err := ps.svc.SignUpCustomer(ctx, signedIn(t, "alpha", id), tenants.CustomerSignUp{})
		if err != nil || c.ID != old.ID {
			t.Fatalf("claim: %+v %v (want %s)", c, err, old.ID)
		}
	})

	t.Run("ErrClaimUnverified", func(t *testing.T) {
		sfp := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: ps.c.ID, MemberID: ps.m["alpha"].ID, StorefrontID: ps.sf["alpha"].ID}
		if _, err := ps.svc.CreateCustomer(ctx, sfp, tenants.CustomerCreate{Email: "victim@example.com"}); err != nil {
			t.Fatal(err)
		}
		id := ps.people.register("victim@example.com", "Mallory", false)
		_, err := ps.svc.SignUpCustomer(ctx, signedIn(t, "alpha", id), tenants.CustomerSignUp{})
		wantCode(t, err, apperr.ECONFLICT)
		if p := signedIn(t, "alpha", id); p.Kind != tenants.KindShopper {
			t.Fatalf("unverified person became the customer: %+v", p)
		}
	})

	t.Run("ErrNoSession", func(t *testing.T) {
		shopper, err := ps.svc.ShopperOf(ctx, "alpha-shop")
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]tenants.Principal{"Shopper": shopper, "Owner": ps.owner["alpha"], "Anonymous": {}} {
			_, err := ps.svc.SignUpCustomer(ctx, p, tenants.CustomerSignUp{})
			if apperr.Code(err) != apperr.EFORBIDDEN {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		id := ps.people.register("biz@example.com", "Biz", false)
		_, err := ps.svc.SignUpCustomer(ctx, signedIn(t, "alpha", id), tenants.CustomerSignUp{Kind: "BUSINESS"})
		wantCode(t, err, apperr.EINVALID)
	})

	t.Run("ErrUnknownStorefront", func(t *testing.T) {
		_, err := ps.svc.CustomerPrincipal(ctx, "nope", uuid.New())
		wantCode(t, err, apperr.ENOTFOUND)
	})
}
