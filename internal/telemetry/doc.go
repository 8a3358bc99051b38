// Package telemetry sets up OpenTelemetry tracing (OTLP over HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing otherwise) and holds the spans and
// Prometheus metrics every process shares: GraphQL operations, SQL, jobs and checkouts.
package telemetry
