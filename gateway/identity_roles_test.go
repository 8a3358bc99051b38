package gateway_test

import (
	"fmt"
	"testing"

	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/tenants"
)

// roleCaller is one kind of caller of the role matrix: its credentials and the
// principal tenants.Allows judges.
type roleCaller struct {
	name string
	key  string
	hdr  map[string]string
	p    tenants.Principal
}

// familyProbe is a representative mutation of a family, made valid and unique per call so
// that an allowed caller succeeds.
type familyProbe struct {
	family tenants.Family
	query  string
	vars   func(w *world, n int) map[string]any
	field  string
}

var familyProbes = []familyProbe{
	{tenants.FamilyConsortium,
		`mutation($h: String!) { memberInvite(input: {handle: $h, legalName: "Probe", isSupplier: true, isSeller: false}) { member { id } userErrors { message } } }`,
		func(w *world, n int) map[string]any { return map[string]any{"h": fmt.Sprintf("probe-%d", n)} }, "memberInvite"},
	{tenants.FamilyKeys,
		`mutation($n: String) { apiKeyCreate(input: {name: $n}) { secret userErrors { message } } }`,
		func(w *world, n int) map[string]any { return map[string]any{"n": fmt.Sprintf("probe %d", n)} }, "apiKeyCreate"},
	{tenants.FamilyUsers, mInvite,
		func(w *world, n int) map[string]any {
			return map[string]any{"e": newEmail("probe"), "r": "STAFF", "m": w.gid("Member", w.members["one-seller"].ID.String())}
		}, "memberUserInvite"},
	{tenants.FamilyStorefronts,
		`mutation($id: ID!, $n: String!) { storefrontUpdate(input: {id: $id, name: $n}) { storefront { id } userErrors { message } } }`,
		func(w *world, n int) map[string]any {
			return map[string]any{"id": w.storefrontID("one-shop"), "n": fmt.Sprintf("Shop %d", n)}
		}, "storefrontUpdate"},
	{tenants.FamilySelling,
		`mutation($s: ID, $e: String!) { customerCreate(input: {storefrontId: $s, email: $e}) { customer { id } userErrors { message } } }`,
		func(w *world, n int) map[string]any {
			return map[string]any{"s": w.storefrontID("one-shop"), "e": newEmail("buyer")}
		},
		"customerCreate"},
}

// testRoleMatrix runs each family's representative mutation as each kind of caller
// (people signed in with Kratos, the storefront key, a customer) and checks the outcome
// against the role table (tenants.Allows): allowed calls succeed, the others are
// FORBIDDEN. Families without a gateway mutation yet (offers, fulfilment, payouts,
// supplier settings, shopping) are covered by tenants' role-table test only.
func testRoleMatrix(t *testing.T, k *kratostest.Kratos) {
	w := newWorld(t).withSessions(k)
	member := func(role string) tenants.Principal { return tenants.Principal{Kind: tenants.KindMember, Role: role} }
	var callers []roleCaller
	for _, role := range []string{"OWNER", "ADMIN", "STAFF", "SUPPLIER_OPS"} {
		token, _, _ := w.personAt(k, "one-seller", role)
		callers = append(callers, roleCaller{role, "", tok(token), member(role)})
	}
	opEmail := newEmail("op")
	opToken, _ := k.Register(t, opEmail, kratosPassword, "Op")
	if r := w.do("one-op", nil, mOpInvit, map[string]any{"e": opEmail}); dig(r.Data, "operatorUserInvite", "user") == nil {
		t.Fatal(r.Raw)
	}
	custToken, _ := k.Register(t, newEmail("cust"), kratosPassword, "Cust")
	cust := with(tok(custToken), "X-Storefront", "one-shop")
	if r := w.do("", cust, mSignUp, nil); dig(r.Data, "customerSignUp", "customer") == nil {
		t.Fatal(r.Raw)
	}
	callers = append(callers,
		roleCaller{"operator", "", tok(opToken), tenants.Principal{Kind: tenants.KindOperator}},
		roleCaller{"storefront key", "one-shop", nil, tenants.Principal{Kind: tenants.KindStorefront}},
		roleCaller{"customer", "", cust, tenants.Principal{Kind: tenants.KindCustomer}},
	)
	// Each caller is who it claims to be.
	for _, c := range callers {
		r := w.do(c.key, c.hdr, `{ viewer { kind role } }`, nil)
		if dig(r.Data, "viewer", "kind") != string(c.p.Kind) || (c.p.Kind == tenants.KindMember && dig(r.Data, "viewer", "role") != c.p.Role) {
			t.Fatalf("%s: viewer %s", c.name, r.Raw)
		}
	}
	n := 0
	for _, c := range callers {
		for _, f := range familyProbes {
			n++
			want := c.p.Allows(f.family)
			t.Run(fmt.Sprintf("%s/%s", c.name, f.family), func(t *testing.T) {
				r := w.do(c.key, c.hdr, f.query, f.vars(w, n))
				errs, _ := dig(r.Data, f.field, "userErrors").([]any)
				switch {
				case want && (len(r.Errors) > 0 || len(errs) > 0 || dig(r.Data, f.field) == nil):
					t.Errorf("allowed by the role table, but: %s", r.Raw)
				case !want && r.code() != "FORBIDDEN":
					t.Errorf("forbidden by the role table, but: %s", r.Raw)
				}
			})
		}
	}
}
