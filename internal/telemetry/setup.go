package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation is the name every tracer of this package reports.
const instrumentation = "github.com/guildmart/guildmart"

// Options configure Setup.
type Options struct {
	Service string              // service.name unless OTEL_SERVICE_NAME is set; default "guildmart"
	Version string              // service.version
	Role    string              // guildmart.role: gateway, worker, dev
	Getenv  func(string) string // the process environment (os.Getenv in main)
	// Exporter replaces the OTLP exporter and turns tracing on regardless of the
	// environment: tests pass an in-memory one.
	Exporter sdktrace.SpanExporter
}

// Shutdown flushes buffered spans and stops the exporter.
type Shutdown func(context.Context) error

// Setup installs the global tracer provider and W3C trace-context propagation when
// tracing is on: OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set and OTEL_SDK_DISABLED is not true. Otherwise the global provider stays the
// no-op one, so spans cost next to nothing and the returned Shutdown does nothing.
// Sampling follows OTEL_TRACES_SAMPLER/OTEL_TRACES_SAMPLER_ARG (default: parent-based,
// always on); headers and timeouts follow the other OTEL_EXPORTER_OTLP_* variables.
func Setup(ctx context.Context, o Options) (Shutdown, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	nop := func(context.Context) error { return nil }
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return nop, nil
	}
	exp := o.Exporter
	if exp == nil {
		endpoint, err := tracesEndpoint(getenv)
		if err != nil || endpoint == "" {
			return nop, err
		}
		if exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint)); err != nil {
			return nop, fmt.Errorf("OpenTelemetry exporter: %w", err)
		}
	}
	service := o.Service
	if v := getenv("OTEL_SERVICE_NAME"); v != "" {
		service = v
	}
	if service == "" {
		service = "guildmart"
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", service)}
	if o.Version != "" {
		attrs = append(attrs, attribute.String("service.version", o.Version))
	}
	if o.Role != "" {
		attrs = append(attrs, attribute.String("guildmart.role", o.Role))
	}
	// NewTracerProvider merges OTEL_RESOURCE_ATTRIBUTES itself.
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attrs...)),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown, nil
}

// tracesEndpoint is the full URL spans are posted to, from the OTLP variables, or "".
func tracesEndpoint(getenv func(string) string) (string, error) {
	if p := getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
		return "", fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q is not supported: Guildmart exports OTLP over HTTP; set http/protobuf and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (usually 4318)", p)
	}
	name, raw := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	full := raw != ""
	if !full {
		name, raw = "OTEL_EXPORTER_OTLP_ENDPOINT", getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s=%q must be a URL like http://otel-collector:4318", name, raw)
	}
	if !full {
		// The base endpoint gets the signal's path appended, as the OTLP spec says.
		u.Path = strings.TrimRight(u.Path, "/") + "/v1/traces"
	}
	return u.String(), nil
}

// Extract continues in ctx a trace the caller started (W3C traceparent header), when
// tracing is on.
func Extract(ctx context.Context, h http.Header) context.Context {
	return otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(h))
}

// tracerFrom is tp's tracer for this package, or the global provider's when tp is nil
// (the global one forwards to whatever Setup installs, even if installed later).
func tracerFrom(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(instrumentation)
}
