package imports

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// Args are the River job arguments of an import: the job's key and its supplier, whose
// RLS scope the job runs in; the file is in the import_jobs row.
type Args struct {
	JobID        uuid.UUID `json:"job_id"`
	ConsortiumID uuid.UUID `json:"consortium_id"`
	SupplierID   uuid.UUID `json:"supplier_id"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "catalog.import_offers" }

// InsertOpts retries a job a few times: a retried job resumes after its last committed
// chunk.
func (Args) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

type worker struct {
	river.WorkerDefaults[Args]
	svc func() *Service
}

// Timeout allows large files more than the client's default job timeout.
func (w *worker) Timeout(*river.Job[Args]) time.Duration { return 2 * time.Hour }

func (w *worker) Work(ctx context.Context, j *river.Job[Args]) error {
	svc := w.svc()
	if svc == nil {
		return errors.New("imports: service not wired yet")
	}
	err := svc.Run(ctx, j.Args)
	if err != nil && j.Attempt >= j.MaxAttempts {
		_ = svc.markFailed(context.WithoutCancel(ctx), j.Args, "the import stopped after an internal error; upload the file again")
	}
	return err
}

// Workers registers the import worker over pool, for jobs.Register or
// jobs.Options.Registrations:
//
//	jobs.Register(imports.Workers(pool))
func Workers(pool *pgxpool.Pool) jobs.Registration {
	return NewService(pool, nil).Registration()
}

// Registration registers a worker that runs jobs with this service (and its chunk size).
func (s *Service) Registration() jobs.Registration {
	return WorkersOf(func() *Service { return s })
}

// WorkersOf registers the import worker with a service looked up when a job runs, for
// wiring where the River client (which the service enqueues with) is built before the
// service:
//
//	var svc atomic.Pointer[imports.Service]
//	jobs.Register(imports.WorkersOf(svc.Load))
func WorkersOf(svc func() *Service) jobs.Registration {
	return func(w *river.Workers, _ *[]*river.PeriodicJob) {
		river.AddWorker(w, &worker{svc: svc})
	}
}
