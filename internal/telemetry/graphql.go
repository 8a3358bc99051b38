package telemetry

import (
	"context"
	"regexp"
	"sort"
	"strings"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/graph-gophers/graphql-go/introspection"
	"github.com/graph-gophers/graphql-go/trace/tracer"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// GraphQLTracer is a graphql-go tracer that makes one server span per operation, named
// "<type> <name>" ("query viewer", "mutation offerCreate"). The span is the parent of
// the operation's SQL spans. The document and variables are not recorded: a mutation's
// literals and variables may hold personal data or secrets. Per-field spans are not
// made either: a list of a hundred offers would cost a span per field per item, more than
// the work they measure (loaders batch the SQL, which has its own spans).
type GraphQLTracer struct {
	tracer trace.Tracer
}

// NewGraphQLTracer traces with tp (nil: the global provider Setup installs).
func NewGraphQLTracer(tp trace.TracerProvider) *GraphQLTracer {
	return &GraphQLTracer{tracer: tracerFrom(tp)}
}

// TraceQuery implements tracer.Tracer.
func (t *GraphQLTracer) TraceQuery(ctx context.Context, query, operationName string, _ map[string]any, _ map[string]*introspection.Type) (context.Context, tracer.QueryFinishFunc) {
	kind := operationType(query, operationName)
	name := kind
	if operationName != "" {
		name += " " + operationName
	}
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", kind)}
	if operationName != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", operationName))
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return ctx, func(errs []*gqlerrors.QueryError) {
		if len(errs) > 0 {
			span.SetAttributes(attribute.Int("graphql.errors", len(errs)), attribute.StringSlice("graphql.error.codes", errorCodes(errs)))
			span.SetStatus(codes.Error, errs[0].Message)
		}
		span.End()
	}
}

// TraceField implements tracer.Tracer; fields get no spans (see the type's comment).
func (t *GraphQLTracer) TraceField(ctx context.Context, _, _, _ string, _ bool, _ map[string]any) (context.Context, tracer.FieldFinishFunc) {
	return ctx, func(*gqlerrors.QueryError) {}
}

var _ tracer.Tracer = (*GraphQLTracer)(nil)

// errorCodes are the distinct extensions.code values of errs.
func errorCodes(errs []*gqlerrors.QueryError) []string {
	seen := map[string]bool{}
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "GRAPHQL_VALIDATION"
		}
		seen[code] = true
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ignoredTokens are comments and strings, whose words are not the document's keywords.
var ignoredTokens = regexp.MustCompile(`(?s)#[^\n]*|"""(?:[^"\\]|\\.|"[^"]|""[^"])*"""|"(?:[^"\\\n]|\\.)*"`)

// operationType is query, mutation or subscription for the operation graphql-go is about
// to run. Tracers are not told it, so it is read from the document: the keyword before
// the operation's name, or the document's first word when it is anonymous (a shorthand
// "{ … }" is a query).
func operationType(query, name string) string {
	doc := ignoredTokens.ReplaceAllString(query, " ")
	words := strings.FieldsFunc(doc, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	})
	isKind := func(w string) bool { return w == "query" || w == "mutation" || w == "subscription" }
	if name != "" {
		for i := 0; i+1 < len(words); i++ {
			if isKind(words[i]) && words[i+1] == name {
				return words[i]
			}
		}
	}
	if len(words) > 0 && isKind(words[0]) && !strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return words[0]
	}
	return "query"
}
