package federation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the federation domain over one pool. Every method takes the Principal it
// acts for and runs in one transaction under that principal's scope.
type Service struct {
	pool *pgxpool.Pool
	jobs jobs.Enqueuer
	now  func() time.Time
}

// NewService returns the service over pool; enq enqueues side effects (may be nil).
func NewService(pool *pgxpool.Pool, enq jobs.Enqueuer) *Service {
	return &Service{pool: pool, jobs: enq, now: time.Now}
}

// Limits of bulk operations and pages.
const (
	MaxBulk = 1000
	MaxPage = tenants.MaxPage
)

// sellerStorefront checks that p is a member who may sell and owns storefront id, and
// returns the storefront's currency. A storefront of another member is not found.
func sellerStorefront(ctx context.Context, tx pgx.Tx, p tenants.Principal, id uuid.UUID) (string, error) {
	if !p.CanSell() {
		return "", apperr.Forbidden("only a member (not supplier-ops) may manage listings")
	}
	var currency string
	err := tx.QueryRow(ctx, `SELECT currency FROM storefronts WHERE id = $1 AND consortium_id = $2 AND member_id = $3`,
		id, p.ConsortiumID, p.MemberID).Scan(&currency)
	if err == pgx.ErrNoRows {
		return "", apperr.NotFound("storefront")
	}
	return currency, err
}

// canRead reports whether p may read storefront sf's listings at all (the app-level
// wall; row-level security is the other): its own storefront for storefront keys,
// shoppers and customers; any storefront for members (the policies keep it to theirs).
func canRead(p tenants.Principal, sf uuid.UUID) bool {
	switch p.Kind {
	case tenants.KindMember:
		return true
	case tenants.KindStorefront, tenants.KindShopper, tenants.KindCustomer:
		return p.StorefrontID == sf
	}
	return false
}

// window reports whether p sees a storefront as its shop window: published listings and
// sellable variants only. Storefront keys do too: a frontend server renders with one, and
// a held price (possibly under the supplier's floor) must never be advertised. Only the
// member itself sees every listing and variant.
func window(p tenants.Principal) bool {
	return p.Kind == tenants.KindShopper || p.Kind == tenants.KindCustomer || p.Kind == tenants.KindStorefront
}

// refresh recomputes the listing variants of listings (all of the storefront when nil).
func refresh(ctx context.Context, tx pgx.Tx, storefront uuid.UUID, listings []uuid.UUID) error {
	var n int
	var arg any
	if listings != nil {
		arg = listings
	}
	return tx.QueryRow(ctx, `SELECT gm_federation_refresh_storefront($1, $2::uuid[])`, storefront, arg).Scan(&n)
}
