package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/guildmart/guildmart/tenants"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

type codedErr struct{ code string }

func (e codedErr) Error() string                         { return "no: " + e.code }
func (e codedErr) Extensions() map[string]any            { return map[string]any{"code": e.code} }
func (tinyResolver) Hello() string                       { return "hi" }
func (tinyResolver) Fail() (*string, error)              { return nil, codedErr{"FORBIDDEN"} }
func (tinyResolver) Boom() (*string, error)              { return nil, errors.New("boom") }
func (tinyResolver) Do() string                          { return "done" }
func (tinyResolver) Echo(args struct{ Q string }) string { return args.Q }

type tinyResolver struct{}

const tinySDL = `type Query { hello: String! fail: String boom: String echo(q: String!): String! }
type Mutation { do: String! }`

func TestGraphQLTracer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, query, op string
		wantSpan        string
		wantCodes       string // "" = no error
	}{
		{"OKShorthand", `{ hello }`, "", "query", ""},
		{"OKNamedQuery", `query Greeting { hello }`, "", "query Greeting", ""},
		{"OKMutation", `mutation Make { do }`, "", "mutation Make", ""},
		{"OKOperationNameAmongMany", "# mutation Fake\nquery A { hello }\nmutation B { do }", "B", "mutation B", ""},
		{"OKKeywordInString", `query Q { echo(q: "mutation Q") }`, "", "query Q", ""},
		{"OKAliasNamedMutation", `{ mutation: hello }`, "", "query", ""},
		{"ErrCoded", `query F { fail }`, "", "query F", `["FORBIDDEN"]`},
		{"ErrUncoded", `query F { fail boom }`, "", "query F", `["FORBIDDEN","GRAPHQL_VALIDATION"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tp, exp := recorder()
			s := graphql.MustParseSchema(tinySDL, &tinyResolver{}, graphql.Tracer(telemetry.NewGraphQLTracer(tp)))
			s.Exec(context.Background(), tc.query, tc.op, nil)
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1: %v", len(spans), spans.Snapshots())
			}
			sp := spans[0]
			if sp.Name != tc.wantSpan || sp.SpanKind != trace.SpanKindServer {
				t.Fatalf("span %q kind %v, want %q server", sp.Name, sp.SpanKind, tc.wantSpan)
			}
			codesAttr, _ := attr(sp, "graphql.error.codes")
			if codesAttr != tc.wantCodes || (tc.wantCodes != "") != (sp.Status.Code == codes.Error) {
				t.Fatalf("error codes %q status %v, want %q", codesAttr, sp.Status, tc.wantCodes)
			}
			for _, a := range sp.Attributes {
				if strings.Contains(string(a.Key), "variables") || strings.Contains(string(a.Key), "query") && a.Key != "graphql.operation.type" {
					t.Fatalf("span records %s: documents and variables may carry personal data", a.Key)
				}
			}
		})
	}
}

// TestGatewaySpans runs a real GraphQL request through the gateway over a pool with the
// SQL tracer: the operation span continues the caller's trace and the resolvers' SQL are
// its children. It installs the global provider, so it is not parallel.
func TestGatewaySpans(t *testing.T) {
	spansNow := useGlobal(t)
	ctx := context.Background()
	d := pgtest.New(t)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, d.AppURL, telemetry.NewSQLTracer(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	svc := tenants.NewService(pool)
	_, key, err := svc.CreateAPIKey(ctx, tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}, tenants.APIKeyCreate{Name: "op"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(spansNow()); n != 0 {
		t.Fatalf("%d spans before any request: SQL outside a trace must not start one", n)
	}
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: pool, Tenants: svc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	body, _ := json.Marshal(map[string]any{"query": `query Who { viewer { kind consortium { name } } }`})
	req, _ := http.NewRequest("POST", hs.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"C1"`) {
		t.Fatalf("response %s", raw)
	}

	spans := spansNow()
	op, ok := spanNamed(spans, "query Who")
	if !ok {
		t.Fatalf("no operation span among %d spans", len(spans))
	}
	if op.SpanContext.TraceID().String() != traceID || op.Parent.SpanID().String() != parentID || !op.Parent.IsRemote() {
		t.Fatalf("operation span does not continue the caller's trace: trace %s parent %s", op.SpanContext.TraceID(), op.Parent.SpanID())
	}
	if v, _ := attr(op, "graphql.operation.name"); v != "Who" {
		t.Fatalf("graphql.operation.name = %q", v)
	}
	sql := childrenOf(spans, op.SpanContext)
	if len(sql) == 0 {
		t.Fatal("no SQL span under the operation span")
	}
	found := false
	for _, s := range sql {
		sys, _ := attr(s, "db.system.name")
		texts := []string{}
		if text, ok := attr(s, "db.query.text"); ok {
			texts = append(texts, text)
		}
		for _, e := range s.Events { // a loader's batch: one event per statement
			for _, a := range e.Attributes {
				if a.Key == "db.query.text" {
					texts = append(texts, a.Value.AsString())
				}
			}
		}
		for _, text := range texts {
			found = found || (sys == "postgresql" && strings.Contains(text, "consortia"))
		}
	}
	if !found {
		t.Fatalf("no SQL span reading consortia under the operation: %v", sql.Snapshots())
	}

	// /metrics carries the process-wide collectors the gateway registers.
	mresp, err := http.Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, name := range []string{`guildmart_checkout_outcomes_total{outcome="placed"}`, `guildmart_graphql_requests_total{operation="anonymous"}`} {
		if !strings.Contains(string(m), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}
