package gateway

import (
	"time"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	http     *prometheus.CounterVec
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildmart_graphql_requests_total", Help: "GraphQL requests by operation name.",
		}, []string{"operation"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "guildmart_graphql_duration_seconds", Help: "GraphQL request latency by operation name.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildmart_graphql_errors_total", Help: "Top-level GraphQL errors by extensions.code.",
		}, []string{"code"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildmart_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.errors, m.http,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if pool != nil {
		m.reg.MustRegister(newPoolCollector(pool))
	}
	return m
}

func (m *metrics) observe(op string, errs []*gqlerrors.QueryError, d time.Duration) {
	if len(op) > 64 {
		op = op[:64]
	}
	m.requests.WithLabelValues(op).Inc()
	m.duration.WithLabelValues(op).Observe(d.Seconds())
	for _, e := range errs {
		code := "GRAPHQL_VALIDATION"
		if c, ok := e.Extensions["code"].(string); ok {
			code = c
		}
		m.errors.WithLabelValues(code).Inc()
	}
}

// poolCollector exports the pgx pool's statistics.
type poolCollector struct {
	pool                              *pgxpool.Pool
	total, idle, acquired, max, waits *prometheus.Desc
}

func newPoolCollector(p *pgxpool.Pool) *poolCollector {
	d := func(n, h string) *prometheus.Desc { return prometheus.NewDesc("guildmart_db_pool_"+n, h, nil, nil) }
	return &poolCollector{pool: p,
		total: d("connections", "Open connections."), idle: d("idle_connections", "Idle connections."),
		acquired: d("acquired_connections", "Connections in use."), max: d("max_connections", "Pool size limit."),
		waits: d("empty_acquire_total", "Acquires that had to wait for a connection."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.idle, c.acquired, c.max, c.waits} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
}
