package telemetry

import "github.com/prometheus/client_golang/prometheus"

// Collectors are the process-wide metrics of this package (job attempts, checkouts).
// The gateway registers them in its /metrics registry; a collector may be registered in
// several registries, so every gateway a test builds can register them too.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{jobsWorked, jobDuration, checkoutOutcomes, checkoutDuration}
}
