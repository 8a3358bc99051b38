package gateway

import (
	_ "embed"
	"net/http"
)

// The GraphiQL page loads its scripts from a CDN in the browser of whoever opens it; the
// server itself fetches nothing.
//
//go:embed graphiql.html
var graphiqlPage []byte

func graphiqlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(graphiqlPage)
	})
}
