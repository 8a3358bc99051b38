package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/identity"
)

const kratosPassword = "correct-horse-battery-staple-42"

var emails atomic.Int64

// startKratos starts one real Kratos (kratostest) on a fresh database of the shared test
// server; tests share it as subtests of one top-level test: it takes seconds to start.
func startKratos(tb testing.TB) *kratostest.Kratos { return kratostest.StartOnTestDB(tb) }

// withSessions rebuilds w's server with people's sessions resolved by Kratos k (or, with
// k nil, by an unconfigured identity client), the way cmd/guildmart wires it.
func (w *world) withSessions(k *kratostest.Kratos) *world {
	w.t.Helper()
	var cfg identity.Config
	if k != nil {
		cfg = identity.Config{PublicURL: k.PublicURL, AdminURL: k.AdminURL}
	}
	ic, err := identity.New(cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.svc = w.svc.WithPeople(ic)
	srv, err := gateway.NewServer(gateway.Config{Introspection: true}, gateway.Services{Pool: w.db.App, Tenants: w.svc}, nil,
		gateway.SessionAuthenticator(w.svc, ic))
	if err != nil {
		w.t.Fatal(err)
	}
	srv.Handle("POST /session/logout", gateway.SessionLogoutHandler(ic))
	w.srv.Close()
	w.srv = httptest.NewServer(srv)
	w.t.Cleanup(w.srv.Close)
	return w
}

func newEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%s@people.example", prefix, emails.Add(1), uuid.NewString()[:6])
}

func tok(token string) map[string]string { return map[string]string{"X-Session-Token": token} }

func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range h {
		out[a] = b
	}
	return out
}

const (
	qViewer  = `{ viewer { kind role signedIn user { email role status member { handle } } customer { id email name } storefront { handle } } }`
	mInvite  = `mutation($e: String!, $r: UserRole!, $m: ID) { memberUserInvite(input: {email: $e, name: "Invited", role: $r, memberId: $m}) { user { id email role status } recoveryLink userErrors { field message code } } }`
	mRemove  = `mutation($id: ID!) { memberUserRemove(input: {id: $id}) { user { id status } userErrors { message } } }`
	mSignUp  = `mutation { customerSignUp(input: {}) { customer { id email name } userErrors { field message code } } }`
	mOpInvit = `mutation($e: String!) { operatorUserInvite(input: {email: $e, name: "Op"}) { user { id role } recoveryLink userErrors { message } } }`
)

// personAt registers a person at Kratos and has key (a member's key) invite it with role:
// the person's session then acts as that user.
func (w *world) personAt(k *kratostest.Kratos, key, role string) (token, email, userID string) {
	w.t.Helper()
	email = newEmail(strings.ToLower(role))
	token, _ = k.Register(w.t, email, kratosPassword, "Person "+role)
	r := w.do(key, nil, mInvite, map[string]any{"e": email, "r": role})
	userID, _ = dig(r.Data, "memberUserInvite", "user", "id").(string)
	if userID == "" {
		w.t.Fatalf("invite %s: %s", role, r.Raw)
	}
	return token, email, userID
}

func TestIdentity(t *testing.T) {
	k := startKratos(t)

	t.Run("SignUpAndLogin", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		email := newEmail("shopper")
		token, _ := k.Register(t, email, kratosPassword, "Sally Shopper")
		shop := with(tok(token), "X-Storefront", "one-shop")

		r := w.do("", shop, qViewer, nil)
		if dig(r.Data, "viewer", "kind") != "SHOPPER" || dig(r.Data, "viewer", "signedIn") != true || dig(r.Data, "viewer", "customer") != nil {
			t.Fatalf("before sign-up: %s", r.Raw)
		}
		r = w.do("", shop, mSignUp, nil)
		if dig(r.Data, "customerSignUp", "customer", "email") != email || dig(r.Data, "customerSignUp", "customer", "name") != "Sally Shopper" {
			t.Fatalf("sign-up: %s", r.Raw)
		}
		r = w.do("", shop, qViewer, nil)
		if dig(r.Data, "viewer", "kind") != "CUSTOMER" || dig(r.Data, "viewer", "customer", "email") != email ||
			dig(r.Data, "viewer", "storefront", "handle") != "one-shop" {
			t.Fatalf("after sign-up: %s", r.Raw)
		}
		// A new login is the same customer.
		login := with(tok(k.Login(t, email, kratosPassword)), "X-Storefront", "one-shop")
		r2 := w.do("", login, qViewer, nil)
		if dig(r2.Data, "viewer", "customer", "id") != dig(r.Data, "viewer", "customer", "id") {
			t.Fatalf("login: %s", r2.Raw)
		}
		// Signing up twice returns the same customer.
		if r := w.do("", login, mSignUp, nil); dig(r.Data, "customerSignUp", "customer", "id") != dig(r2.Data, "viewer", "customer", "id") {
			t.Fatalf("sign-up again: %s", r.Raw)
		}
		// Without X-Storefront the person has no account: 401, saying what to do.
		if r := w.do("", tok(token), qViewer, nil); r.Status != 401 || !strings.Contains(r.Raw, "X-Storefront") {
			t.Fatalf("no account: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("ErrBadSession", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		for name, h := range map[string]map[string]string{
			"Token":  tok("ory_st_not-a-session"),
			"Cookie": {"Cookie": "ory_kratos_session=garbage"},
		} {
			if r := w.do("", h, qViewer, nil); r.Status != 401 || r.code() != "UNAUTHENTICATED" {
				t.Errorf("%s: %d %s", name, r.Status, r.Raw)
			}
		}
		token, _ := k.Register(t, newEmail("lost"), kratosPassword, "Lost")
		if r := w.do("", with(tok(token), "X-Storefront", "nope"), qViewer, nil); r.Status != 401 {
			t.Errorf("unknown storefront: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("InviteRecoveryLinkAndCookie", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		email := newEmail("invitee")
		r := w.do("one-seller", nil, mInvite, map[string]any{"e": email, "r": "STAFF"})
		link, _ := dig(r.Data, "memberUserInvite", "recoveryLink").(string)
		if dig(r.Data, "memberUserInvite", "user", "status") != "INVITED" || !strings.HasPrefix(link, k.PublicURL+"/") {
			t.Fatalf("invite: %s", r.Raw)
		}
		// Following the link signs the person in at Kratos (a browser session cookie).
		cookie := followRecoveryLink(t, link)
		r = w.do("", map[string]string{"Cookie": "other=1; " + cookie.String()}, qViewer, nil)
		if dig(r.Data, "viewer", "kind") != "MEMBER" || dig(r.Data, "viewer", "role") != "STAFF" ||
			dig(r.Data, "viewer", "user", "email") != email || dig(r.Data, "viewer", "user", "status") != "ACTIVE" ||
			dig(r.Data, "viewer", "user", "member", "handle") != "one-seller" {
			t.Fatalf("viewer with the recovery session cookie: %s", r.Raw)
		}
		// An active user cannot be invited again; the list shows it.
		r = w.do("one-seller", nil, mInvite, map[string]any{"e": email, "r": "STAFF"})
		if errs, _ := dig(r.Data, "memberUserInvite", "userErrors").([]any); len(errs) != 1 || dig(errs[0], "code") != "CONFLICT" {
			t.Fatalf("re-invite active: %s", r.Raw)
		}
		r = w.do("one-seller", nil, `{ memberUsers(first: 10) { edges { node { email status } } } }`, nil)
		if !strings.Contains(r.Raw, email) {
			t.Fatalf("memberUsers: %s", r.Raw)
		}
	})

	t.Run("RemoveRevokesSessions", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		token, email, id := w.personAt(k, "one-seller", "ADMIN")
		second := k.Login(t, email, kratosPassword)
		for _, s := range []string{token, second} {
			if r := w.do("", tok(s), qViewer, nil); dig(r.Data, "viewer", "role") != "ADMIN" {
				t.Fatalf("before removal: %s", r.Raw)
			}
		}
		r := w.do("one-seller", nil, mRemove, map[string]any{"id": id})
		if dig(r.Data, "memberUserRemove", "user", "status") != "REMOVED" {
			t.Fatalf("remove: %s", r.Raw)
		}
		for _, s := range []string{token, second} {
			if r := w.do("", tok(s), qViewer, nil); r.Status != 401 || r.code() != "UNAUTHENTICATED" {
				t.Fatalf("old session after removal: %d %s", r.Status, r.Raw)
			}
		}
		// Signing in again does not bring the membership back.
		if r := w.do("", tok(k.Login(t, email, kratosPassword)), qViewer, nil); r.Status != 401 {
			t.Fatalf("new session after removal: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("Logout", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		token, _, _ := w.personAt(k, "one-seller", "STAFF")
		if r := w.do("", tok(token), qViewer, nil); r.Status != 200 { // cached now
			t.Fatal(r.Raw)
		}
		req, _ := http.NewRequest("POST", w.srv.URL+"/session/logout", nil)
		req.Header.Set("X-Session-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if r := w.do("", tok(token), qViewer, nil); r.Status != 401 {
			t.Fatalf("after logout: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("SeveralAccounts", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		token, email, _ := w.personAt(k, "one-seller", "STAFF")
		if r := w.do("one-supplier", nil, mInvite, map[string]any{"e": email, "r": "SUPPLIER_OPS"}); dig(r.Data, "memberUserInvite", "user") == nil {
			t.Fatal(r.Raw)
		}
		if r := w.do("", tok(token), qViewer, nil); r.Status != 401 || !strings.Contains(r.Raw, "X-Member") {
			t.Fatalf("ambiguous: %d %s", r.Status, r.Raw)
		}
		for member, role := range map[string]string{"one-seller": "STAFF", "one-supplier": "SUPPLIER_OPS"} {
			r := w.do("", with(tok(token), "X-Member", member), qViewer, nil)
			if dig(r.Data, "viewer", "role") != role || dig(r.Data, "viewer", "user", "member", "handle") != member {
				t.Errorf("X-Member %s: %s", member, r.Raw)
			}
		}
	})

	t.Run("OperatorUser", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		email := newEmail("operator")
		token, _ := k.Register(t, email, kratosPassword, "Olga")
		r := w.do("one-op", nil, mOpInvit, map[string]any{"e": email})
		if dig(r.Data, "operatorUserInvite", "user", "role") != "OPERATOR" || dig(r.Data, "operatorUserInvite", "recoveryLink") == nil {
			t.Fatalf("operator invite: %s", r.Raw)
		}
		r = w.do("", tok(token), qViewer, nil)
		if dig(r.Data, "viewer", "kind") != "OPERATOR" || dig(r.Data, "viewer", "user", "email") != email {
			t.Fatalf("operator viewer: %s", r.Raw)
		}
		// Another consortium's operator does not see this user.
		r = w.do("two-op", nil, `{ operatorUsers { edges { node { email } } } }`, nil)
		if strings.Contains(r.Raw, email) || len(r.Errors) > 0 {
			t.Fatalf("other consortium's operator: %s", r.Raw)
		}
	})

	t.Run("SamePersonTwoStorefronts", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t).withSessions(k)
		dealerKey := w.addSeller("one-dealer")
		email := newEmail("twice")
		token, _ := k.Register(t, email, kratosPassword, "Twice")
		ids := map[string]string{}
		for _, shop := range []string{"one-shop", "one-dealer-shop"} {
			r := w.do("", with(tok(token), "X-Storefront", shop), mSignUp, nil)
			ids[shop], _ = dig(r.Data, "customerSignUp", "customer", "id").(string)
			if ids[shop] == "" {
				t.Fatalf("sign-up at %s: %s", shop, r.Raw)
			}
		}
		if ids["one-shop"] == ids["one-dealer-shop"] {
			t.Fatal("one customer for two storefronts")
		}
		// Each member sees its own customer and never the other's.
		sellerShop := w.storefrontID("one-shop")
		dealerShop := w.storefrontID("one-dealer-shop")
		const q = `query($s: ID) { customers(storefrontId: $s, first: 100) { edges { node { id email } } } }`
		if r := w.do("one-seller", nil, q, map[string]any{"s": sellerShop}); !strings.Contains(r.Raw, ids["one-shop"]) || strings.Contains(r.Raw, ids["one-dealer-shop"]) {
			t.Errorf("seller's customers: %s", r.Raw)
		}
		if r := w.do("one-seller", nil, q, map[string]any{"s": dealerShop}); strings.Contains(r.Raw, email) || r.code() != "NOT_FOUND" {
			t.Errorf("seller reads the dealer's customers: %s", r.Raw)
		}
		if r := w.do(dealerKey, nil, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids["one-shop"]}); dig(r.Data, "node") != nil {
			t.Errorf("dealer resolves the seller's customer: %s", r.Raw)
		}
		// The person's session at one storefront is only that customer.
		r := w.do("", with(tok(token), "X-Storefront", "one-dealer-shop"), qViewer, nil)
		if dig(r.Data, "viewer", "customer", "id") != ids["one-dealer-shop"] {
			t.Errorf("viewer at the dealer: %s", r.Raw)
		}
	})

	t.Run("RoleMatrix", func(t *testing.T) {
		t.Parallel()
		testRoleMatrix(t, k)
	})
}

// followRecoveryLink opens a Kratos recovery link like a browser (without following the
// redirect to the settings UI) and returns the session cookie Kratos sets.
func followRecoveryLink(t *testing.T, link string) *http.Cookie {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == gateway.SessionCookie && ck.Value != "" {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatalf("recovery link: HTTP %d, no %s cookie (headers %v)", resp.StatusCode, gateway.SessionCookie, resp.Header)
	return nil
}

// addSeller admits a seller member of consortium one with a storefront "<handle>-shop"
// and returns its owner key's secret.
func (w *world) addSeller(handle string) string {
	w.t.Helper()
	ctx := context.Background()
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.c1.ID}
	m, err := w.svc.InviteMember(ctx, op, tenants.MemberInvite{Handle: handle, LegalName: handle, IsSeller: true})
	if err == nil {
		m, err = w.svc.ActivateMember(ctx, op, m.ID)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	owner := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: w.c1.ID, MemberID: m.ID, Role: tenants.RoleOwner}
	if _, err := w.svc.CreateStorefront(ctx, owner, tenants.StorefrontCreate{Handle: handle + "-shop", Name: handle}); err != nil {
		w.t.Fatal(err)
	}
	_, secret, err := w.svc.CreateAPIKey(ctx, owner, tenants.APIKeyCreate{Role: tenants.RoleOwner})
	if err != nil {
		w.t.Fatal(err)
	}
	return secret
}

func (w *world) storefrontID(handle string) string {
	w.t.Helper()
	var id string
	if err := w.db.Owner.QueryRow(context.Background(), `SELECT id::text FROM storefronts WHERE handle = $1`, handle).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return w.gid("Storefront", id)
}

func TestSessionsNotConfigured(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withSessions(nil)
	for name, h := range map[string]map[string]string{
		"Token":  tok("ory_st_anything"),
		"Cookie": {"Cookie": "ory_kratos_session=anything"},
	} {
		r := w.do("", h, qViewer, nil)
		if r.Status != 401 || !strings.Contains(r.Raw, "identity service not configured") {
			t.Errorf("%s: %d %s", name, r.Status, r.Raw)
		}
	}
	// API keys work as before; people features say why they cannot.
	if r := w.do("one-seller", nil, qViewer, nil); dig(r.Data, "viewer", "kind") != "MEMBER" || dig(r.Data, "viewer", "signedIn") != false {
		t.Fatalf("API key: %s", r.Raw)
	}
	r := w.do("one-seller", nil, mInvite, map[string]any{"e": "x@people.example", "r": "STAFF"})
	if r.code() != tenants.CodeUnavailable || !strings.Contains(r.Raw, "identity service not configured") {
		t.Fatalf("invite without Kratos: %s", r.Raw)
	}
	req, _ := http.NewRequest("POST", w.srv.URL+"/session/logout", nil)
	req.Header.Set("X-Session-Token", "ory_st_anything")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("logout without Kratos: %d", resp.StatusCode)
	}
}
