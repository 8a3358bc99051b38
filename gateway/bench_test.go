package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

const viewerQuery = `{"query":"{ viewer { kind role consortium { handle name feeBps } member { handle legalName status } } }"}`

// BenchmarkViewer compares the viewer query through the GraphQL gateway with a plain
// net/http handler doing the same database work (authenticate, load consortium and
// member) and writing the same JSON, in the same run, 8 concurrent clients.
// Run: go test ./gateway -run '^$' -bench Viewer -benchtime 5s
func BenchmarkViewer(b *testing.B) {
	ctx := context.Background()
	d := pgtest.New(b)
	svc := tenants.NewService(d.App)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "bench", Name: "Bench", Currency: "EUR", FeeBps: 500})
	if err != nil {
		b.Fatal(err)
	}
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}
	m, _ := svc.InviteMember(ctx, op, tenants.MemberInvite{Handle: "acme", LegalName: "Acme", IsSupplier: true})
	_, _ = svc.ActivateMember(ctx, op, m.ID)
	_, key, err := svc.CreateAPIKey(ctx, tenants.Principal{Kind: tenants.KindMember, ConsortiumID: c.ID, MemberID: m.ID, Role: tenants.RoleOwner}, tenants.APIKeyCreate{})
	if err != nil {
		b.Fatal(err)
	}
	gw, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: d.App, Tenants: svc}, nil)
	if err != nil {
		b.Fatal(err)
	}
	servers := map[string]http.Handler{"gateway": gw, "plain": plainViewer(svc)}
	for _, name := range []string{"gateway", "plain"} {
		b.Run(name, func(b *testing.B) {
			srv := httptest.NewServer(servers[name])
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", srv.URL+"/graphql", strings.NewReader(viewerQuery))
					req.Header.Set("Authorization", "Bearer "+key)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || !strings.Contains(string(body), `"acme"`) {
						b.Fatalf("%d %s", resp.StatusCode, body)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// plainViewer is the hand-written baseline: same authentication and domain reads, same
// response shape, no GraphQL.
func plainViewer(svc *tenants.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		p, err := svc.Authenticate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		c, err := svc.Consortium(r.Context(), p)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		ms, err := svc.MembersByIDs(r.Context(), p, []uuid.UUID{p.MemberID})
		if err != nil || ms[0] == nil {
			http.Error(w, "member", 500)
			return
		}
		type obj = map[string]any
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(obj{"data": obj{"viewer": obj{"kind": p.Kind, "role": p.Role,
			"consortium": obj{"handle": c.Handle, "name": c.Name, "feeBps": c.FeeBps},
			"member":     obj{"handle": ms[0].Handle, "legalName": ms[0].LegalName, "status": ms[0].Status}}}})
	})
}
