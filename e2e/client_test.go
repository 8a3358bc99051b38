package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// as is who sends a request: a Bearer key, a Kratos session, a storefront handle.
type as struct {
	key, session, storefront string
}

// gql posts query as who and returns data; top-level errors and userErrors of any
// mutation payload fail the test.
func gql(t *testing.T, base string, who as, query string, vars map[string]any) map[string]any {
	t.Helper()
	data, raw := gqlRaw(t, base, who, query, vars)
	for field, v := range data {
		if p, ok := v.(map[string]any); ok {
			if errs, _ := p["userErrors"].([]any); len(errs) > 0 {
				t.Fatalf("%s: userErrors\n%s\n→ %s", field, query, raw)
			}
		}
	}
	return data
}

// gqlRaw posts query as who; top-level errors fail the test.
func gqlRaw(t *testing.T, base string, who as, query string, vars map[string]any) (map[string]any, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if who.key != "" {
		req.Header.Set("Authorization", "Bearer "+who.key)
	}
	if who.session != "" {
		req.Header.Set("X-Session-Token", who.session)
	}
	if who.storefront != "" {
		req.Header.Set("X-Storefront", who.storefront)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s\n→ %d %s", query, resp.StatusCode, raw)
	}
	return out.Data, string(raw)
}

// dig walks maps and list indexes ("0") in v.
func dig(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []any { l, _ := v.([]any); return l }

// jsonl is one JSON object per line.
func jsonl(rows ...map[string]any) string {
	var b strings.Builder
	for _, r := range rows {
		line, _ := json.Marshal(r)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}
