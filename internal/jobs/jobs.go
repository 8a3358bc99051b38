// Package jobs builds the River client every process shares. Domain packages register
// their workers with Register and enqueue with InsertTx inside the transaction of the
// change that causes the job, so a job exists exactly when its cause committed.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// Enqueuer is what domain packages need to add jobs in their transaction.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Registration adds a package's workers and periodic jobs to a client's configuration.
type Registration func(w *river.Workers, periodic *[]*river.PeriodicJob)

var (
	mu            sync.Mutex
	registrations []Registration
)

// Register is called by wiring code (cmd, tests) for each domain package's workers.
func Register(r Registration) {
	mu.Lock()
	defer mu.Unlock()
	registrations = append(registrations, r)
}

// Registered is how many registrations the process has (a client with none cannot work).
func Registered() int {
	mu.Lock()
	defer mu.Unlock()
	return len(registrations)
}

// Options configure a client.
type Options struct {
	Work          bool // run workers (guildmart work and dev); false: insert-only
	MaxWorkers    int  // per process, default 10
	Logger        *slog.Logger
	Registrations []Registration // in addition to the global ones
}

// New builds a River client over pool. Insert-only clients still need the workers known
// so that job kinds are validated at insert.
func New(pool *pgxpool.Pool, o Options) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	mu.Lock()
	regs := append(append([]Registration{}, registrations...), o.Registrations...)
	mu.Unlock()
	for _, r := range regs {
		r(workers, &periodic)
	}
	cfg := &river.Config{Workers: workers, Logger: o.Logger, JobTimeout: 10 * time.Minute,
		Middleware: []rivertype.Middleware{telemetry.NewJobMiddleware(nil)}} // span + metrics per attempt
	if o.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Work && len(regs) > 0 { // River refuses to work with no workers at all
		n := o.MaxWorkers
		if n <= 0 {
			n = 10
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		cfg.PeriodicJobs = periodic
	}
	return river.NewClient(riverpgxv5.New(pool), cfg)
}
