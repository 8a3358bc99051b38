package catalog

import (
	"time"

	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the catalog domain over one pool.
type Service struct {
	pool *pgxpool.Pool
	jobs jobs.Enqueuer
	now  func() time.Time
}

// NewService returns the catalog service; enq enqueues side effects (search indexing).
func NewService(pool *pgxpool.Pool, enq jobs.Enqueuer) *Service {
	return &Service{pool: pool, jobs: enq, now: time.Now}
}
