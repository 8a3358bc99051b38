package gateway_test

import (
	"context"
	"testing"
)

func TestMemberInviteValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const m = `mutation($h: String!, $n: String!, $s: Boolean!, $b: Boolean!) { memberInvite(input: {handle: $h, legalName: $n, isSupplier: $s, isSeller: $b}) { member { handle status } userErrors { field message code } } }`
	for name, tc := range map[string]struct {
		vars   map[string]any
		fields []string // "" = OK
	}{
		"OK":                {map[string]any{"h": "new-member", "n": "New", "s": true, "b": false}, nil},
		"ErrAllAtOnce":      {map[string]any{"h": "Bad Handle", "n": "", "s": false, "b": false}, []string{"input.handle", "input.legalName", "input.isSupplier"}},
		"ErrHandleTooShort": {map[string]any{"h": "a", "n": "X", "s": true, "b": true}, []string{"input.handle"}},
		"ErrDuplicate":      {map[string]any{"h": "one-seller", "n": "X", "s": true, "b": true}, []string{"input.handle"}},
	} {
		t.Run(name, func(t *testing.T) {
			var before int
			_ = w.db.Owner.QueryRow(context.Background(), `SELECT count(*) FROM members`).Scan(&before)
			r := w.do("one-op", nil, m, tc.vars)
			if len(r.Errors) > 0 {
				t.Fatal(r.Raw)
			}
			errs, _ := dig(r.Data, "memberInvite", "userErrors").([]any)
			if len(errs) != len(tc.fields) {
				t.Fatalf("userErrors %v, want on %v", errs, tc.fields)
			}
			for i, f := range tc.fields {
				got := ""
				for j, p := range dig(errs[i], "field").([]any) {
					if j > 0 {
						got += "."
					}
					got += p.(string)
				}
				if got != f {
					t.Errorf("error %d on %s, want %s", i, got, f)
				}
			}
			var after int
			_ = w.db.Owner.QueryRow(context.Background(), `SELECT count(*) FROM members`).Scan(&after)
			if tc.fields == nil {
				if after != before+1 || dig(r.Data, "memberInvite", "member", "status") != "INVITED" {
					t.Fatalf("not created: %s", r.Raw)
				}
			} else if after != before {
				t.Fatalf("a failed invite wrote %d rows", after-before)
			}
		})
	}
}

func TestRoleChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// A member may not invite; a storefront key may not open storefronts; the operator
	// may not create member keys.
	for _, tc := range []struct{ key, q, code string }{
		{"one-seller", `mutation { memberInvite(input: {handle: "x-y", legalName: "X", isSupplier: true, isSeller: false}) { member { id } } }`, "FORBIDDEN"},
		{"one-shop", `mutation { storefrontCreate(input: {handle: "x-y", name: "X"}) { storefront { id } } }`, "FORBIDDEN"},
		{"one-supplier", `mutation { storefrontCreate(input: {handle: "x-y", name: "X"}) { storefront { id } } }`, "FORBIDDEN"},
		{"one-shop", `{ members { edges { node { handle } } } }`, "FORBIDDEN"},
	} {
		r := w.do(tc.key, nil, tc.q, nil)
		if r.code() != tc.code {
			t.Errorf("%s %s: got %s, want %s", tc.key, tc.q, r.Raw, tc.code)
		}
	}
	r := w.do("one-op", nil, `mutation { apiKeyCreate(input: {role: OWNER}) { secret userErrors { field code } } }`, nil)
	if dig(r.Data, "apiKeyCreate", "secret") != nil {
		t.Fatalf("operator made a member key: %s", r.Raw)
	}
}

func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const m = `mutation { storefrontCreate(input: {handle: "idem-shop", name: "Idem", idempotencyKey: "k-1"}) { storefront { id } userErrors { message } } }`
	a := w.do("one-seller", nil, m, nil)
	b := w.do("one-seller", nil, m, nil)
	ida, idb := dig(a.Data, "storefrontCreate", "storefront", "id"), dig(b.Data, "storefrontCreate", "storefront", "id")
	if ida == nil || ida != idb {
		t.Fatalf("retry with the same key: %s vs %s", a.Raw, b.Raw)
	}
}

// TestCrossTenantGraphQL probes the boundary through the API: every read of another
// tenant's things is null or NOT_FOUND, every write NOT_FOUND or FORBIDDEN.
func TestCrossTenantGraphQL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	twoShop := w.do("two-seller", nil, `{ storefront(handle: "two-shop") { id } }`, nil)
	sfID, _ := dig(twoShop.Data, "storefront", "id").(string)
	if sfID == "" {
		t.Fatal(twoShop.Raw)
	}
	twoMember := w.gid("Member", w.members["two-supplier"].ID.String())
	for _, key := range []string{"one-op", "one-seller", "one-supplier", "one-shop", "two-supplier"} {
		for _, q := range []struct {
			q    string
			vars map[string]any
			path []string
		}{
			{`{ storefront(handle: "two-shop") { id } }`, nil, []string{"storefront"}},
			{`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sfID}, []string{"node"}},
		} {
			if key == "two-supplier" {
				continue // same consortium, but another member: checked below
			}
			r := w.do(key, nil, q.q, q.vars)
			if v := dig(r.Data, q.path...); v != nil {
				t.Errorf("%s reads %s: %s", key, q.q, r.Raw)
			}
		}
		r := w.do(key, nil, `query($s: ID) { customers(storefrontId: $s) { edges { node { email } } } }`, map[string]any{"s": sfID})
		if c := r.code(); c != "NOT_FOUND" && c != "FORBIDDEN" {
			t.Errorf("%s lists two-shop customers: %s", key, r.Raw)
		}
		r = w.do(key, nil, `mutation($s: ID!) { storefrontUpdate(input: {id: $s, name: "pwned"}) { storefront { name } } }`, map[string]any{"s": sfID})
		if c := r.code(); c != "NOT_FOUND" && c != "FORBIDDEN" {
			t.Errorf("%s updates two-shop: %s", key, r.Raw)
		}
		r = w.do(key, nil, `mutation($s: ID) { customerCreate(input: {storefrontId: $s, email: "evil@example.com"}) { customer { id } } }`, map[string]any{"s": sfID})
		if c := r.code(); c != "NOT_FOUND" && c != "FORBIDDEN" {
			t.Errorf("%s creates a two-shop customer: %s", key, r.Raw)
		}
	}
	r := w.do("one-op", nil, `mutation($id: ID!) { memberSuspend(input: {id: $id}) { member { status } } }`, map[string]any{"id": twoMember})
	if r.code() != "NOT_FOUND" {
		t.Errorf("operator one suspends a member of two: %s", r.Raw)
	}
	var name string
	_ = w.db.Owner.QueryRow(context.Background(), `SELECT name FROM storefronts WHERE handle = 'two-shop'`).Scan(&name)
	if name == "pwned" {
		t.Fatal("two-shop was renamed across tenants")
	}
}
