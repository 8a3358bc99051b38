package telemetry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/codes"
)

func TestJobMiddleware(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		attempt  int
		err      error
		panics   bool
		outcome  string
		errorSet bool
	}{
		{"OKCompleted", 1, nil, false, telemetry.JobCompleted, false},
		{"ErrFailed", 1, errors.New("smtp down"), false, telemetry.JobFailed, true},
		{"ErrDiscardedOnLastAttempt", 3, errors.New("smtp down"), false, telemetry.JobDiscarded, true},
		{"ErrCancelled", 1, river.JobCancel(errors.New("gone")), false, telemetry.JobCancelled, true},
		{"OKSnoozed", 1, river.JobSnooze(time.Minute), false, telemetry.JobSnoozed, false},
		{"ErrPanicked", 1, nil, true, telemetry.JobPanicked, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tp, exp := recorder()
			kind := "test_mw_" + tc.name // a kind per case: the counters are process-wide
			job := &rivertype.JobRow{ID: 7, Kind: kind, Queue: "default", Attempt: tc.attempt, MaxAttempts: 3}
			var got error
			func() {
				defer func() {
					if v := recover(); v == nil && tc.panics {
						t.Fatal("the middleware swallowed the worker's panic")
					}
				}()
				got = telemetry.NewJobMiddleware(tp).Work(context.Background(), job, func(context.Context) error {
					if tc.panics {
						panic("worker bug")
					}
					return tc.err
				})
			}()
			if !errors.Is(got, tc.err) {
				t.Fatalf("Work returned %v, want the worker's %v", got, tc.err)
			}
			if n, _ := metric(t, "guildmart_jobs_worked_total", map[string]string{"kind": kind, "outcome": tc.outcome}); n != 1 {
				t.Fatalf("guildmart_jobs_worked_total{outcome=%q} = %v, want 1", tc.outcome, n)
			}
			if n, _ := metric(t, "guildmart_job_duration_seconds", map[string]string{"kind": kind}); n != 1 {
				t.Fatalf("guildmart_job_duration_seconds count = %v, want 1", n)
			}
			s, ok := spanNamed(exp.GetSpans(), "job "+kind)
			if !ok {
				t.Fatal("no job span")
			}
			if (s.Status.Code == codes.Error) != tc.errorSet {
				t.Fatalf("span status %v, want error %v", s.Status, tc.errorSet)
			}
			if o, _ := attr(s, "guildmart.job.outcome"); o != tc.outcome {
				t.Fatalf("guildmart.job.outcome = %q", o)
			}
		})
	}
}

type probeArgs struct{}

func (probeArgs) Kind() string { return "telemetry_probe" }

type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	pool *pgxpool.Pool
}

func (w *probeWorker) Work(ctx context.Context, _ *river.Job[probeArgs]) error {
	_, err := w.pool.Exec(ctx, `SELECT count(*) FROM currencies`)
	return err
}

// TestJobClientTraces runs a real job through the client jobs.New builds: the middleware
// is installed there, the job gets a span and its SQL are children of it. It installs the
// global provider, so it is not parallel.
func TestJobClientTraces(t *testing.T) {
	spansNow := useGlobal(t)
	ctx := context.Background()
	d := pgtest.New(t)
	pool, err := db.Open(ctx, d.AppURL, telemetry.NewSQLTracer(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	client, err := jobs.New(pool, jobs.Options{Work: true, Registrations: []jobs.Registration{
		func(w *river.Workers, _ *[]*river.PeriodicJob) { river.AddWorker(w, &probeWorker{pool: pool}) },
	}})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()
	if _, err := client.Insert(ctx, probeArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := <-events; ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("job ended %s: %v", ev.Kind, ev.Job.Errors)
	}
	if n, _ := metric(t, "guildmart_jobs_worked_total", map[string]string{"kind": "telemetry_probe", "outcome": "completed"}); n != 1 {
		t.Fatalf("guildmart_jobs_worked_total = %v, want 1", n)
	}
	spans := spansNow()
	job, ok := spanNamed(spans, "job telemetry_probe")
	if !ok {
		t.Fatalf("no job span among %v", names(spans))
	}
	if len(childrenOf(spans, job.SpanContext)) == 0 {
		t.Fatal("the job's SQL has no span under the job span")
	}
}

func TestJobQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	// River's own columns, written directly: the collector only reads the table.
	if _, err := d.Owner.Exec(ctx, `
		INSERT INTO river_job (kind, args, max_attempts, state, scheduled_at, finalized_at)
		SELECT 'index_offers', '{}', 25, s.state::river_job_state, now() - s.age,
		       CASE WHEN s.state IN ('completed', 'discarded') THEN now() END
		FROM (VALUES ('available', interval '90 seconds'), ('available', interval '5 seconds'),
		             ('retryable', interval '0'), ('completed', interval '0'), ('discarded', interval '0')) AS s(state, age)`); err != nil {
		t.Fatal(err)
	}
	q := telemetry.NewJobQueue(d.App)
	for _, tc := range []struct {
		state string
		want  float64
		found bool
	}{{"available", 2, true}, {"retryable", 1, true}, {"discarded", 1, true}, {"completed", 0, false}} {
		n, found := metric(t, "guildmart_jobs", map[string]string{"kind": "index_offers", "state": tc.state}, q)
		if n != tc.want || found != tc.found {
			t.Errorf("guildmart_jobs{state=%q} = %v (present %v), want %v (present %v)", tc.state, n, found, tc.want, tc.found)
		}
	}
	if age, _ := metric(t, "guildmart_jobs_oldest_available_seconds", map[string]string{"kind": "index_offers"}, q); age < 90 {
		t.Errorf("oldest available job is %vs old, want at least 90", age)
	}

	t.Run("ErrDatabaseAway", func(t *testing.T) {
		pool, err := db.Open(ctx, d.AppURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		pool.Close()
		q := telemetry.NewJobQueue(pool)
		if n, _ := metric(t, "guildmart_jobs_scrape_errors_total", nil, q); n != 1 {
			t.Fatalf("scrape errors = %v, want 1 (and the scrape itself to succeed)", n)
		}
	})
}
