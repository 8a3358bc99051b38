package telemetry

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// maxStatement caps the statement text kept on a span: generated SQL can be long, and
// the text is for finding the statement, not for replaying it.
const maxStatement = 2048

// SQLTracer is a pgx tracer that makes a client span per statement, batch and COPY.
// Only statements inside a trace (a GraphQL operation, a job) get spans: a pool's own
// health checks and River's polling would otherwise start a trace each second.
// Arguments are never recorded; the text carries $n placeholders, not values.
type SQLTracer struct {
	tracer trace.Tracer
}

// NewSQLTracer traces with tp (nil: the global provider Setup installs).
func NewSQLTracer(tp trace.TracerProvider) *SQLTracer {
	return &SQLTracer{tracer: tracerFrom(tp)}
}

type sqlSpanKey struct{}

func (t *SQLTracer) start(ctx context.Context, name string, attrs ...attribute.KeyValue) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	attrs = append(attrs, attribute.String("db.system.name", "postgresql"))
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, sqlSpanKey{}, span)
}

func end(ctx context.Context, err error, rows int64) {
	span, ok := ctx.Value(sqlSpanKey{}).(trace.Span)
	if !ok {
		return
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	} else if rows >= 0 {
		span.SetAttributes(attribute.Int64("db.rows_affected", rows))
	}
	span.End()
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *SQLTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	op := operation(d.SQL)
	return t.start(ctx, op, attribute.String("db.operation.name", op), attribute.String("db.query.text", truncate(d.SQL)))
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *SQLTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	end(ctx, d.Err, d.CommandTag.RowsAffected())
}

// TraceBatchStart implements pgx.BatchTracer: one span for the batch.
func (t *SQLTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	n := 0
	if d.Batch != nil {
		n = d.Batch.Len()
	}
	return t.start(ctx, "BATCH", attribute.String("db.operation.name", "BATCH"), attribute.Int("db.operation.batch.size", n))
}

// TraceBatchQuery implements pgx.BatchTracer: each statement is an event on the batch's
// span, and a failed one marks it.
func (t *SQLTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	span, ok := ctx.Value(sqlSpanKey{}).(trace.Span)
	if !ok {
		return
	}
	text := attribute.String("db.query.text", truncate(d.SQL))
	if d.Err != nil {
		span.RecordError(d.Err, trace.WithAttributes(text))
		return
	}
	span.AddEvent("statement", trace.WithAttributes(text, attribute.Int64("db.rows_affected", d.CommandTag.RowsAffected())))
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *SQLTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	end(ctx, d.Err, -1)
}

// TraceCopyFromStart implements pgx.CopyFromTracer (bulk imports use COPY).
func (t *SQLTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	table := d.TableName.Sanitize()
	return t.start(ctx, "COPY "+table, attribute.String("db.operation.name", "COPY"), attribute.String("db.collection.name", table))
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *SQLTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromEndData) {
	end(ctx, d.Err, d.CommandTag.RowsAffected())
}

// operation is the statement's first keyword (SELECT, INSERT, WITH, …), the span name.
func operation(sql string) string {
	s := strings.TrimSpace(sql)
	for strings.HasPrefix(s, "--") || strings.HasPrefix(s, "/*") {
		if strings.HasPrefix(s, "--") {
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return "SQL"
			}
			s = strings.TrimSpace(s[i+1:])
		} else {
			i := strings.Index(s, "*/")
			if i < 0 {
				return "SQL"
			}
			s = strings.TrimSpace(s[i+2:])
		}
	}
	i := strings.IndexFunc(s, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') })
	if i < 0 {
		i = len(s)
	}
	if i == 0 {
		return "SQL"
	}
	return strings.ToUpper(s[:i])
}

func truncate(s string) string {
	if len(s) <= maxStatement {
		return s
	}
	// Cut on a rune boundary so the attribute stays valid UTF-8.
	i := maxStatement
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}

var (
	_ pgx.QueryTracer    = (*SQLTracer)(nil)
	_ pgx.BatchTracer    = (*SQLTracer)(nil)
	_ pgx.CopyFromTracer = (*SQLTracer)(nil)
)
