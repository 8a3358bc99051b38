package imports_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

func TestUploadHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.svc.UploadHandler()
	good := csvFile(goodRow("h-1", "H-1", nil))
	post := func(p *tenants.Principal, target, contentType string, body io.Reader) (*httptest.ResponseRecorder, map[string]any) {
		r := httptest.NewRequest(http.MethodPost, target, body)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if p != nil {
			r = r.WithContext(tenants.WithPrincipal(r.Context(), *p))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("body %q: %v", w.Body.String(), err)
		}
		return w, out
	}
	errCode := func(out map[string]any) string {
		es, _ := out["errors"].([]any)
		if len(es) == 0 {
			return ""
		}
		return es[0].(map[string]any)["code"].(string)
	}

	t.Run("OK", func(t *testing.T) {
		w, out := post(&e.acme, "/v1/imports/offers", "text/csv; charset=utf-8", strings.NewReader(good))
		if w.Code != http.StatusAccepted || out["status"] != "QUEUED" {
			t.Fatalf("%d %v", w.Code, out)
		}
		id, ok := ids.ParseKind(out["id"].(string), imports.GlobalKind)
		if !ok {
			t.Fatalf("id %v is not an ImportJob global id", out["id"])
		}
		if _, err := e.svc.Job(context.Background(), e.acme, id); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("OKFormatParameter", func(t *testing.T) {
		body := `{"offer_handle": "h-2", "title": "T", "sku": "H-2", "wholesale_price": "1.00", "suggested_retail_price": "2.00", "quantity": 1, "warehouses": ["wh-berlin"]}`
		if w, out := post(&e.acme, "/v1/imports/offers?format=jsonl", "application/octet-stream", strings.NewReader(body)); w.Code != http.StatusAccepted {
			t.Fatalf("%d %v", w.Code, out)
		}
		if w, out := post(&e.acme, "/v1/imports/offers", "application/x-ndjson", strings.NewReader(body)); w.Code != http.StatusAccepted {
			t.Fatalf("%d %v", w.Code, out)
		}
	})

	cases := []struct {
		name       string
		p          *tenants.Principal
		target, ct string
		body       io.Reader
		status     int
		code       string
	}{
		{"ErrUnauthenticated", nil, "/v1/imports/offers", "text/csv", strings.NewReader(good), http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"ErrNoFormat", &e.acme, "/v1/imports/offers", "application/octet-stream", strings.NewReader(good), http.StatusUnsupportedMediaType, "INVALID"},
		{"ErrHeader", &e.acme, "/v1/imports/offers", "text/csv", strings.NewReader("a,b\n1,2\n"), http.StatusBadRequest, "INVALID"},
		{"ErrForbidden", &e.op, "/v1/imports/offers", "text/csv", strings.NewReader(good), http.StatusForbidden, "FORBIDDEN"},
		{"ErrTooLarge", &e.acme, "/v1/imports/offers", "text/csv", io.LimitReader(zeros{}, imports.MaxFileBytes+10), http.StatusRequestEntityTooLarge, "INVALID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, out := post(tc.p, tc.target, tc.ct, tc.body)
			if w.Code != tc.status || errCode(out) != tc.code {
				t.Fatalf("%d %v, want %d %s", w.Code, out, tc.status, tc.code)
			}
		})
	}
}
