package telemetry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestSQLTracer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	tp, exp := recorder()
	pool, err := db.Open(ctx, d.OwnerURL, telemetry.NewSQLTracer(tp))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	exp.Reset() // Open's ping runs outside any trace and must have made no span anyway

	t.Run("OKNoSpanOutsideATrace", func(t *testing.T) {
		if _, err := pool.Exec(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
		if n := len(exp.GetSpans()); n != 0 {
			t.Fatalf("%d spans for a statement outside any trace", n)
		}
	})

	// Everything below runs inside one parent span.
	pctx, parent := tp.Tracer("test").Start(ctx, "operation")
	exp.Reset()
	if _, err := pool.Exec(pctx, `/* why */ -- and why
		INSERT INTO currencies (code, exponent, name) VALUES ($1, 2, 'Test')`, "XTS"); err != nil {
		t.Fatal(err)
	}
	_, errDup := pool.Exec(pctx, `INSERT INTO currencies (code, exponent, name) VALUES ($1, 2, 'Test')`, "XTS")
	var b pgx.Batch
	b.Queue(`SELECT count(*) FROM currencies`)
	b.Queue(`SELECT code FROM currencies WHERE code = $1`, "EUR")
	if err := pool.SendBatch(pctx, &b).Close(); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(pctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(pctx, `CREATE TEMP TABLE t_copy (n int)`)
	if err == nil {
		_, err = conn.CopyFrom(pctx, pgx.Identifier{"t_copy"}, []string{"n"}, pgx.CopyFromRows([][]any{{1}, {2}, {3}}))
	}
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	parent.End()
	spans := childrenOf(exp.GetSpans(), parent.SpanContext())

	t.Run("OKStatement", func(t *testing.T) {
		s, ok := spanNamed(spans, "INSERT")
		if !ok || s.SpanKind != trace.SpanKindClient {
			t.Fatalf("no INSERT client span among %d", len(spans))
		}
		if text, _ := attr(s, "db.query.text"); !strings.Contains(text, "$1") || strings.Contains(text, "XTS") {
			t.Fatalf("db.query.text %q: want the text with placeholders, never the arguments", text)
		}
		if rows, _ := attr(s, "db.rows_affected"); rows != "1" {
			t.Fatalf("db.rows_affected = %q", rows)
		}
	})
	t.Run("ErrStatementFails", func(t *testing.T) {
		if errDup == nil {
			t.Fatal("duplicate insert succeeded")
		}
		n := 0
		for _, s := range spans {
			if s.Name == "INSERT" && s.Status.Code == codes.Error && len(s.Events) > 0 {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d INSERT spans marked failed with the error recorded, want 1", n)
		}
	})
	t.Run("OKBatch", func(t *testing.T) {
		s, ok := spanNamed(spans, "BATCH")
		if !ok || len(s.Events) != 2 {
			t.Fatalf("batch span %v with %d statement events, want 2", ok, len(s.Events))
		}
	})
	t.Run("OKCopyFrom", func(t *testing.T) {
		s, ok := spanNamed(spans, `COPY "t_copy"`)
		if !ok {
			t.Fatalf("no COPY span among %v", names(spans))
		}
		if rows, _ := attr(s, "db.rows_affected"); rows != "3" {
			t.Fatalf("db.rows_affected = %q", rows)
		}
	})
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
