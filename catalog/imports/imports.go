// Package imports runs suppliers' bulk offer imports (CSV or JSONL) as River jobs:
// COPY into a staging table, then set-based merges, all-or-nothing per offer.
package imports

import (
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service creates and runs import jobs.
type Service struct {
	pool *pgxpool.Pool
	jobs jobs.Enqueuer
}

// NewService returns the import service.
func NewService(pool *pgxpool.Pool, enq jobs.Enqueuer) *Service {
	return &Service{pool: pool, jobs: enq}
}
