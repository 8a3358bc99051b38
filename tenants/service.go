package tenants

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the tenants domain over one pool. Every method takes the Principal it acts
// for and runs in one transaction under that principal's scope.
type Service struct {
	pool   *pgxpool.Pool
	now    func() time.Time
	people People // identity provider for users and customer sign-up (see users.go)
}

// NewService returns the service over pool (the app role's, or the owner's in the CLI).
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, now: time.Now}
}

// Pool returns the service's pool (for packages composing one transaction).
func (s *Service) Pool() *pgxpool.Pool { return s.pool }

// Page is a cursor page request; First is capped at MaxPage.
type Page struct {
	First int
	After string
}

// MaxPage is the largest page a connection returns.
const MaxPage = 100

// Limit returns the page size clamped to 1..MaxPage (default 20).
func (p Page) Limit() int {
	switch {
	case p.First <= 0:
		return 20
	case p.First > MaxPage:
		return MaxPage
	}
	return p.First
}
