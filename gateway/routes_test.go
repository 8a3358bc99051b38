package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guildmart/guildmart/gateway"
)

// TestHome: GET / goes to GraphiQL until the binary names another home (the console).
func TestHome(t *testing.T) {
	t.Parallel()
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusFound {
			t.Fatalf("GET /: %d", rec.Code)
		}
		return rec.Header().Get("Location")
	}
	if got := get(); got != "/graphql" {
		t.Fatalf("home %q, want /graphql", got)
	}
	srv.SetHome("/console")
	if got := get(); got != "/console" {
		t.Fatalf("home %q, want /console", got)
	}
}
