package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/web"
)

// TestMain is the web package's (the browser tests use per-test databases).
func TestMain(m *testing.M) { pgtest.Main(m) }

func TestHandler(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	get := func(path string, hdr ...string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	body := func(r *http.Response) string {
		var rd io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		return string(b)
	}
	for _, tc := range []struct {
		name, path, ctype, contains string
		status                      int
	}{
		{"OK/storefront", "/s/hanse-shop", "text/html", `id="app"`, 200},
		{"OK/storefrontDeep", "/s/hanse-shop/listings/some-thing", "text/html", `id="app"`, 200},
		{"OK/console", "/console", "text/html", "Guildmart console", 200},
		{"OK/consoleDeep", "/console/orders", "text/html", "Guildmart console", 200},
		{"OK/consoleFile", "/console/console.css", "text/css", "", 200},
		{"OK/asset", "/assets/shared/gql.js", "text/javascript", "export async function gql", 200},
		{"OK/storefrontAsset", "/assets/storefront/js/app.js", "text/javascript", "", 200},
		{"ErrNoAsset", "/assets/nope.js", "", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(tc.path, "Accept-Encoding", "gzip")
			if r.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", r.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type = %q, want %s", ct, tc.ctype)
			}
			if r.Header.Get("ETag") == "" || r.Header.Get("Cache-Control") == "" {
				t.Errorf("no cache headers: %v", r.Header)
			}
			if b := body(r); !strings.Contains(b, tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
		})
	}
	t.Run("OK/notModified", func(t *testing.T) {
		etag := get("/assets/shared/gql.js").Header.Get("ETag")
		if r := get("/assets/shared/gql.js", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Fatalf("status = %d, want 304", r.StatusCode)
		}
	})
	t.Run("OK/gzip", func(t *testing.T) {
		if r := get("/assets/storefront/js/app.js", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("not gzipped: %v", r.Header)
		}
		if r := get("/assets/storefront/js/app.js"); r.Header.Get("Content-Encoding") != "" {
			t.Fatalf("gzipped without Accept-Encoding")
		}
	})
	t.Run("OK/storefrontCSP", func(t *testing.T) {
		if csp := get("/s/lily").Header.Get("Content-Security-Policy"); !strings.Contains(csp, "js.stripe.com") {
			t.Fatalf("CSP = %q", csp)
		}
	})
}
