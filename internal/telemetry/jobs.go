package telemetry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Job outcomes as counted by guildmart_jobs_worked_total.
const (
	JobCompleted = "completed" // Work returned nil
	JobFailed    = "failed"    // an error; River retries it later
	JobDiscarded = "discarded" // an error on the last attempt: River gives up
	JobCancelled = "cancelled" // river.JobCancel: permanently given up by the worker
	JobSnoozed   = "snoozed"   // river.JobSnooze: tried again later without using an attempt
	JobPanicked  = "panicked"
)

var (
	jobsWorked = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "guildmart_jobs_worked_total", Help: "Job attempts worked by this process, by kind and outcome.",
	}, []string{"kind", "outcome"})
	jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "guildmart_job_duration_seconds", Help: "How long job attempts took, by kind.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 16),
	}, []string{"kind"})
)

// JobMiddleware is River worker middleware: a span per job attempt (the parent of the
// job's SQL spans) and the attempt counted by kind and outcome.
type JobMiddleware struct {
	river.MiddlewareDefaults
	tracer trace.Tracer
}

// NewJobMiddleware traces with tp (nil: the global provider Setup installs).
func NewJobMiddleware(tp trace.TracerProvider) *JobMiddleware {
	return &JobMiddleware{tracer: tracerFrom(tp)}
}

// Work implements rivertype.WorkerMiddleware.
func (m *JobMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(ctx context.Context) error) (err error) {
	ctx, span := m.tracer.Start(ctx, "job "+job.Kind, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
		attribute.String("messaging.system", "river"),
		attribute.String("messaging.destination.name", job.Queue),
		attribute.String("guildmart.job.kind", job.Kind),
		attribute.Int64("guildmart.job.id", job.ID),
		attribute.Int("guildmart.job.attempt", job.Attempt),
	))
	start := time.Now()
	done := func(outcome string) {
		jobsWorked.WithLabelValues(job.Kind, outcome).Inc()
		jobDuration.WithLabelValues(job.Kind).Observe(time.Since(start).Seconds())
		span.SetAttributes(attribute.String("guildmart.job.outcome", outcome))
		span.End()
	}
	defer func() {
		if v := recover(); v != nil {
			span.SetStatus(codes.Error, fmt.Sprint("panic: ", v))
			done(JobPanicked)
			panic(v) // River records the panic and retries, as without this middleware
		}
	}()
	err = doInner(ctx)
	outcome := jobOutcome(job, err)
	if outcome == JobFailed || outcome == JobDiscarded || outcome == JobCancelled {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	done(outcome)
	return err
}

func jobOutcome(job *rivertype.JobRow, err error) string {
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError
	switch {
	case err == nil:
		return JobCompleted
	case errors.As(err, &snooze):
		return JobSnoozed
	case errors.As(err, &cancel):
		return JobCancelled
	case job.Attempt >= job.MaxAttempts:
		return JobDiscarded
	default:
		return JobFailed
	}
}

var _ rivertype.WorkerMiddleware = (*JobMiddleware)(nil)

// JobQueue is a Prometheus collector of the job table: how many jobs there are by kind
// and state (available, running, retryable, scheduled, pending, discarded), read when
// scraped. Completed and cancelled jobs are left out: River keeps them for a while and
// nobody alerts on them. Register it in one kind of process (the workers), not in every
// gateway, so that N replicas do not run the same count.
type JobQueue struct {
	pool   *pgxpool.Pool
	jobs   *prometheus.Desc
	oldest *prometheus.Desc
	errs   prometheus.Counter
}

// NewJobQueue reads the job table over pool.
func NewJobQueue(pool *pgxpool.Pool) *JobQueue {
	return &JobQueue{
		pool: pool,
		jobs: prometheus.NewDesc("guildmart_jobs", "Jobs in the queue by kind and state (completed and cancelled left out).",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("guildmart_jobs_oldest_available_seconds", "Age of the oldest job that is due and not yet taken, by kind.",
			[]string{"kind"}, nil),
		errs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "guildmart_jobs_scrape_errors_total", Help: "Scrapes that could not read the job table.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (q *JobQueue) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.jobs
	ch <- q.oldest
	q.errs.Describe(ch)
}

// jobQueueSQL counts by kind and state in one pass; the oldest due job shows a backlog
// that counts alone do not (a steady 50 available can be healthy or stuck).
const jobQueueSQL = `SELECT kind, state::text, count(*),
	coalesce(extract(epoch FROM now() - min(scheduled_at) FILTER (WHERE state = 'available')), 0)
FROM river_job
WHERE state NOT IN ('completed', 'cancelled')
GROUP BY kind, state`

// Collect implements prometheus.Collector. A failed read is counted, not fatal: the
// rest of /metrics must still be served when the database is briefly away.
func (q *JobQueue) Collect(ch chan<- prometheus.Metric) {
	defer q.errs.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := q.pool.Query(ctx, jobQueueSQL)
	if err != nil {
		q.errs.Inc()
		return
	}
	defer rows.Close()
	oldest := map[string]float64{}
	for rows.Next() {
		var kind, state string
		var n int64
		var age float64
		if err := rows.Scan(&kind, &state, &n, &age); err != nil {
			q.errs.Inc()
			return
		}
		ch <- prometheus.MustNewConstMetric(q.jobs, prometheus.GaugeValue, float64(n), kind, state)
		if state == "available" {
			oldest[kind] = age
		}
	}
	if rows.Err() != nil {
		q.errs.Inc()
		return
	}
	for kind, age := range oldest {
		ch <- prometheus.MustNewConstMetric(q.oldest, prometheus.GaugeValue, age, kind)
	}
}
