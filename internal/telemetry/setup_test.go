package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/guildmart/guildmart/internal/telemetry"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

// TestSetup changes the global provider, so it is not parallel (see useGlobal).
func TestSetup(t *testing.T) {
	ctx := context.Background()
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	t.Run("OffWithoutEndpoint", func(t *testing.T) {
		before := otel.GetTracerProvider()
		shutdown, err := telemetry.Setup(ctx, telemetry.Options{Getenv: env(nil)})
		if err != nil {
			t.Fatal(err)
		}
		if otel.GetTracerProvider() != before {
			t.Fatal("Setup without an endpoint replaced the global tracer provider")
		}
		if err := shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("OKExportsOTLPOverHTTP", func(t *testing.T) {
		var mu sync.Mutex
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+map[bool]string{true: "body", false: "empty"}[len(body) > 0])
			mu.Unlock()
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
		defer srv.Close()
		shutdown, err := telemetry.Setup(ctx, telemetry.Options{Version: "v1.2.3", Role: "gateway",
			Getenv: env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/"})})
		if err != nil {
			t.Fatal(err)
		}
		_, span := otel.Tracer("test").Start(ctx, "probe")
		span.End()
		if err := shutdown(ctx); err != nil { // flushes the batch
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) == 0 || got[0] != "POST /v1/traces application/x-protobuf body" {
			t.Fatalf("collector received %q, want one POST /v1/traces with a protobuf body", got)
		}
	})

	t.Run("OKResourceAndServiceName", func(t *testing.T) {
		exp := tracetest.NewInMemoryExporter()
		shutdown, err := telemetry.Setup(ctx, telemetry.Options{Version: "v9", Role: "worker", Exporter: exp,
			Getenv: env(map[string]string{"OTEL_SERVICE_NAME": "guildmart-eu"})})
		if err != nil {
			t.Fatal(err)
		}
		_, span := otel.Tracer("test").Start(ctx, "probe")
		span.End()
		if err := otel.GetTracerProvider().(*sdktrace.TracerProvider).ForceFlush(ctx); err != nil {
			t.Fatal(err)
		}
		spans := exp.GetSpans()
		if len(spans) != 1 {
			t.Fatalf("%d spans, want 1", len(spans))
		}
		res := map[string]string{}
		for _, a := range spans[0].Resource.Attributes() {
			res[string(a.Key)] = a.Value.Emit()
		}
		if res["service.name"] != "guildmart-eu" || res["service.version"] != "v9" || res["guildmart.role"] != "worker" {
			t.Fatalf("resource %v", res)
		}
		_ = shutdown(ctx)
	})

	t.Run("OKDisabled", func(t *testing.T) {
		before := otel.GetTracerProvider()
		_, err := telemetry.Setup(ctx, telemetry.Options{Getenv: env(map[string]string{
			"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})})
		if err != nil || otel.GetTracerProvider() != before {
			t.Fatalf("OTEL_SDK_DISABLED=true: err %v, provider replaced %v", err, otel.GetTracerProvider() != before)
		}
	})

	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ErrEndpointNotURL", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"ErrTracesEndpointNotURL", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "ftp://x/v1/traces"}, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{"ErrProtocolGRPC", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := telemetry.Setup(ctx, telemetry.Options{Getenv: env(tc.env)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}
