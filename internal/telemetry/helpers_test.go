package telemetry_test

import (
	"context"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// recorder is a tracer provider that hands spans to an in-memory exporter as they end.
func recorder() (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)), exp
}

// useGlobal runs Setup with an in-memory exporter, as main does with OTLP, for code
// that traces with the global provider (the gateway, the job client); spans() flushes
// and returns what was exported. Such tests must not call t.Parallel: they run before
// the parallel ones, one at a time.
func useGlobal(t *testing.T) (spans func() tracetest.SpanStubs) {
	t.Helper()
	prev, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	exp := tracetest.NewInMemoryExporter()
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Options{Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	tp := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	t.Cleanup(func() {
		_ = shutdown(context.Background())
		otel.SetTracerProvider(prev)
		otel.SetTextMapPropagator(prevProp)
	})
	return func() tracetest.SpanStubs {
		if err := tp.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		return exp.GetSpans()
	}
}

func spanNamed(spans tracetest.SpanStubs, name string) (tracetest.SpanStub, bool) {
	for _, s := range spans {
		if s.Name == name {
			return s, true
		}
	}
	return tracetest.SpanStub{}, false
}

func childrenOf(spans tracetest.SpanStubs, parent trace.SpanContext) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if s.Parent.SpanID() == parent.SpanID() && s.Parent.TraceID() == parent.TraceID() {
			out = append(out, s)
		}
	}
	return out
}

func attr(s tracetest.SpanStub, key string) (string, bool) {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit(), true
		}
	}
	return "", false
}

// metric returns the value of the counter, gauge or histogram count named name with
// exactly labels, gathered from cs (the package's collectors when cs is empty).
func metric(t *testing.T, name string, labels map[string]string, cs ...prometheus.Collector) (float64, bool) {
	t.Helper()
	if len(cs) == 0 {
		cs = telemetry.Collectors()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(cs...)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}
