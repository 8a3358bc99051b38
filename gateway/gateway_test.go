package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is two consortia, each with a supplier, a seller with a storefront, and keys.
type world struct {
	t       *testing.T
	db      *pgtest.DB
	srv     *httptest.Server
	svc     *tenants.Service
	c1, c2  *tenants.Consortium
	keys    map[string]string // name -> secret
	members map[string]*tenants.Member
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	d := pgtest.New(t)
	w := &world{t: t, db: d, svc: tenants.NewService(d.App), keys: map[string]string{}, members: map[string]*tenants.Member{}}
	var err error
	for i, c := range []**tenants.Consortium{&w.c1, &w.c2} {
		h := []string{"one", "two"}[i]
		*c, err = tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: h, Name: "Consortium " + h, Currency: "EUR", FeeBps: 500})
		if err != nil {
			t.Fatal(err)
		}
		cons := *c
		op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: cons.ID}
		_, w.keys[h+"-op"], err = w.svc.CreateAPIKey(ctx, op, tenants.APIKeyCreate{Name: "op"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []tenants.MemberInvite{
			{Handle: h + "-supplier", LegalName: "Supplier " + h, IsSupplier: true},
			{Handle: h + "-seller", LegalName: "Seller " + h, IsSeller: true},
		} {
			mem, err := w.svc.InviteMember(ctx, op, m)
			if err != nil {
				t.Fatal(err)
			}
			if mem, err = w.svc.ActivateMember(ctx, op, mem.ID); err != nil {
				t.Fatal(err)
			}
			w.members[m.Handle] = mem
			owner := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: cons.ID, MemberID: mem.ID, Role: tenants.RoleOwner}
			_, w.keys[m.Handle], err = w.svc.CreateAPIKey(ctx, owner, tenants.APIKeyCreate{Role: tenants.RoleOwner})
			if err != nil {
				t.Fatal(err)
			}
			if m.IsSeller {
				sf, err := w.svc.CreateStorefront(ctx, owner, tenants.StorefrontCreate{Handle: h + "-shop", Name: "Shop " + h})
				if err != nil {
					t.Fatal(err)
				}
				_, w.keys[h+"-shop"], err = w.svc.CreateAPIKey(ctx, owner, tenants.APIKeyCreate{StorefrontID: sf.ID})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.CreateCustomer(ctx, owner, tenants.CustomerCreate{StorefrontID: sf.ID, Email: "buyer@" + h + ".example", Name: "Buyer " + h}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	srv, err := gateway.NewServer(gateway.Config{Introspection: true}, gateway.Services{Pool: d.App, Tenants: w.svc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
	return w
}

type gqlResp struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
	Raw string
}

// do posts a GraphQL request with headers ("key" = a name in w.keys, or raw headers).
func (w *world) do(key string, hdr map[string]string, query string, vars map[string]any) gqlResp {
	w.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", w.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		secret, ok := w.keys[key]
		if !ok {
			secret = key
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResp
	if err := json.Unmarshal(raw, &out); err != nil {
		w.t.Fatalf("bad JSON %q: %v", raw, err)
	}
	out.Status, out.Raw = resp.StatusCode, string(raw)
	return out
}

func (r gqlResp) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// dig walks a path of map keys.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestViewer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		key, kind, handle string
	}{
		{"one-op", "OPERATOR", ""}, {"one-supplier", "MEMBER", "one-supplier"}, {"one-shop", "STOREFRONT", ""},
	} {
		r := w.do(tc.key, nil, `{ viewer { kind role consortium { handle } member { handle } storefront { handle } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", tc.key, r.Raw)
		}
		if got := dig(r.Data, "viewer", "kind"); got != tc.kind {
			t.Errorf("%s: kind %v, want %s", tc.key, got, tc.kind)
		}
		if got := dig(r.Data, "viewer", "consortium", "handle"); got != "one" {
			t.Errorf("%s: consortium %v", tc.key, got)
		}
		if tc.handle != "" && dig(r.Data, "viewer", "member", "handle") != tc.handle {
			t.Errorf("%s: member %v", tc.key, dig(r.Data, "viewer", "member"))
		}
	}
	r := w.do("", map[string]string{"X-Storefront": "two-shop"}, `{ viewer { kind storefront { handle } } }`, nil)
	if dig(r.Data, "viewer", "kind") != "SHOPPER" || dig(r.Data, "viewer", "storefront", "handle") != "two-shop" {
		t.Fatalf("shopper viewer: %s", r.Raw)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	t.Run("ErrBadKey", func(t *testing.T) {
		r := w.do("gm_"+strings.Repeat("x", 43), nil, `{ viewer { kind } }`, nil)
		if r.Status != 401 || r.code() != "UNAUTHENTICATED" {
			t.Fatalf("got %d %s", r.Status, r.Raw)
		}
	})
	t.Run("ErrNotBearer", func(t *testing.T) {
		r := w.do("", map[string]string{"Authorization": "Basic abc"}, `{ viewer { kind } }`, nil)
		if r.Status != 401 {
			t.Fatalf("got %d %s", r.Status, r.Raw)
		}
	})
	t.Run("ErrUnknownStorefront", func(t *testing.T) {
		r := w.do("", map[string]string{"X-Storefront": "nope"}, `{ viewer { kind } }`, nil)
		if r.Status != 401 || r.code() != "UNAUTHENTICATED" {
			t.Fatalf("got %d %s", r.Status, r.Raw)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		r := w.do("", nil, `{ viewer { kind } }`, nil)
		if r.code() != "UNAUTHENTICATED" {
			t.Fatalf("got %s", r.Raw)
		}
	})
	t.Run("ErrRevokedKey", func(t *testing.T) {
		r := w.do("one-seller", nil, `mutation($n: String) { apiKeyCreate(input: {name: $n, role: STAFF}) { secret apiKey { id } userErrors { message } } }`, map[string]any{"n": "temp"})
		secret, _ := dig(r.Data, "apiKeyCreate", "secret").(string)
		id, _ := dig(r.Data, "apiKeyCreate", "apiKey", "id").(string)
		if secret == "" {
			t.Fatalf("create: %s", r.Raw)
		}
		if r := w.do(secret, nil, `{ viewer { role } }`, nil); dig(r.Data, "viewer", "role") != "STAFF" {
			t.Fatalf("new key: %s", r.Raw)
		}
		r = w.do("one-seller", nil, `mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { apiKey { revokedAt } userErrors { message } } }`, map[string]any{"id": id})
		if dig(r.Data, "apiKeyRevoke", "apiKey", "revokedAt") == nil {
			t.Fatalf("revoke: %s", r.Raw)
		}
		if r := w.do(secret, nil, `{ viewer { role } }`, nil); r.Status != 401 {
			t.Fatalf("revoked key still works: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("ErrSuspendedMember", func(t *testing.T) {
		id := w.gid("Member", w.members["one-supplier"].ID.String())
		r := w.do("one-op", nil, `mutation($id: ID!) { memberSuspend(input: {id: $id}) { member { status } userErrors { message } } }`, map[string]any{"id": id})
		if dig(r.Data, "memberSuspend", "member", "status") != "SUSPENDED" {
			t.Fatalf("suspend: %s", r.Raw)
		}
		if r := w.do("one-supplier", nil, `{ viewer { kind } }`, nil); r.Status != 401 {
			t.Fatalf("suspended member's key works: %d %s", r.Status, r.Raw)
		}
		r = w.do("one-op", nil, `mutation($id: ID!) { memberActivate(input: {id: $id}) { member { status } } }`, map[string]any{"id": id})
		if r := w.do("one-supplier", nil, `{ viewer { kind } }`, nil); r.Status != 200 {
			t.Fatalf("reactivated member's key fails: %s", r.Raw)
		}
	})
}
