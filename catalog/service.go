package catalog

import (
	"context"
	"time"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
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

// readAll runs one read-only query under p's scope in a single round trip (see
// db.ReadQuery) and collects its rows.
func readAll[T any](ctx context.Context, pool *pgxpool.Pool, p tenants.Principal, sql string, args []any, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	var out []T
	err := db.ReadQuery(ctx, pool, p.Scope(), sql, args, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		return err
	})
	return out, err
}
