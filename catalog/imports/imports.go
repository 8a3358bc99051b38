// Package imports runs suppliers' bulk offer imports (CSV or JSONL) as River jobs:
// COPY into a staging table, then set-based merges, all-or-nothing per offer.
package imports

import (
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service creates and runs import jobs.
type Service struct {
	pool      *pgxpool.Pool
	jobs      jobs.Enqueuer
	chunkRows int
	writers   int
}

// NewService returns the import service.
func NewService(pool *pgxpool.Pool, enq jobs.Enqueuer) *Service {
	return &Service{pool: pool, jobs: enq, chunkRows: DefaultChunkRows, writers: DefaultWriters}
}

// DefaultWriters is how many transactions of one job write chunks at the same time (each
// on its own connection); two keep both cores of a small server busy.
const DefaultWriters = 2

// SetWriters changes how many chunk transactions of a job run at once.
func (s *Service) SetWriters(n int) {
	s.writers = max(1, n)
}

// DefaultChunkRows is how many rows (rounded up to whole offers) one transaction of a job
// writes; progress becomes visible after each.
const DefaultChunkRows = 5000

// SetChunkRows changes the rows per transaction (tests use small chunks to watch progress).
func (s *Service) SetChunkRows(n int) {
	if n < 1 {
		n = 1
	}
	s.chunkRows = n
}

// Job statuses. A job that ran to the end SUCCEEDED even if some rows failed (see
// Failed and the row errors); FAILED means the job itself could not run.
const (
	StatusQueued    = "QUEUED"
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
)

// Job is an import job and its progress. Counts are rows (variants): Created and Updated
// are rows written, Failed rows skipped (with errors), Processed all rows handled so far.
type Job struct {
	ID           uuid.UUID
	ConsortiumID uuid.UUID
	SupplierID   uuid.UUID
	Format       string
	Status       string
	TotalRows    int
	Processed    int
	Created      int
	Updated      int
	Failed       int
	Error        string // why a FAILED job failed
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

// Progress is the share of rows processed, 0..1 (1 once the job has finished).
func (j *Job) Progress() float64 {
	switch {
	case j.Status == StatusSucceeded || j.Status == StatusFailed:
		return 1
	case j.TotalRows <= 0:
		return 0
	}
	return min(1, float64(j.Processed)/float64(j.TotalRows))
}

// Done reports whether the job has finished, one way or the other.
func (j *Job) Done() bool { return j.Status == StatusSucceeded || j.Status == StatusFailed }

// GlobalKind is the Relay global ID kind of import jobs.
const GlobalKind = "ImportJob"
