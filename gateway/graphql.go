package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/guildmart/guildmart/schema"
)

// NewSchema parses the embedded SDL against the resolvers with the configured limits.
func NewSchema(r *Resolver, cfg Config) (*graphql.Schema, error) {
	cfg = cfg.withDefaults()
	opts := []graphql.SchemaOpt{
		graphql.MaxDepth(cfg.MaxDepth),
		graphql.MaxParallelism(256),
		graphql.MaxQueryLength(cfg.MaxQueryLength),
		graphql.MaxSelections(cfg.MaxSelections),
		graphql.UseStringDescriptions(),
		graphql.Tracer(telemetry.NewGraphQLTracer(nil)), // a span per operation
	}
	if !cfg.Introspection {
		opts = append(opts, graphql.RestrictIntrospection(func(context.Context) bool { return false }))
	}
	return graphql.ParseSchema(schema.SDL(), r, opts...)
}

type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// graphqlHandler serves POST /graphql: a JSON body capped at cfg.MaxBodyBytes, executed
// with per-request loaders under the request timeout.
func graphqlHandler(s *graphql.Schema, svc Services, m *metrics, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r.Body = http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes)
		var req gqlRequest
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&req); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeJSONError(w, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "request body over the limit")
				return
			}
			writeJSONError(w, http.StatusBadRequest, "BAD_REQUEST", "body must be a JSON object {query, operationName, variables}")
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			writeJSONError(w, http.StatusBadRequest, "BAD_REQUEST", "body must hold exactly one JSON object")
			return
		}
		if strings.TrimSpace(req.Query) == "" {
			writeJSONError(w, http.StatusBadRequest, "BAD_REQUEST", "query is required")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), cfg.RequestTimeout)
		defer cancel()
		ctx = withLoaders(telemetry.Extract(ctx, r.Header), svc)
		resp := s.Exec(ctx, req.Query, req.OperationName, req.Variables)
		op := req.OperationName
		if op == "" {
			op = "anonymous"
		}
		m.observe(op, resp.Errors, time.Since(start))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}})
}
