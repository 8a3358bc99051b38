package ledger

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service reads the ledger as a principal sees it.
type Service struct{ pool *pgxpool.Pool }

// NewService returns a Service on the application pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Entry is one ledger entry: debit positive, credit negative, minor units.
type Entry struct {
	ID            uuid.UUID
	Seq           int64 // posting order; the cursor
	TransactionID uuid.UUID
	StorefrontID  uuid.UUID
	OrderID       uuid.UUID
	OrderLineID   uuid.UUID // zero for order-level entries (payments)
	Kind          string    // ORDER_PLACED, LINE_SHIPPED, LINE_CANCELLED, PAYMENT, …
	PartyKind     string
	PartyID       uuid.UUID
	Account       string
	Amount        int64
	Currency      string
	CreatedAt     time.Time
}

// Balance is the sum of one account's entries the caller can see.
type Balance struct {
	PartyKind string
	PartyID   uuid.UUID
	Account   string
	Currency  string
	Amount    int64
}

// MaxPage caps Entries' page size.
const MaxPage = 100

// Entries returns up to first entries the principal may see, after the cursor seq
// (0: from the start), oldest first, and whether there are more. Row-level security
// decides what is visible; the consortium filter is the second wall.
func (s *Service) Entries(ctx context.Context, p tenants.Principal, first int, after int64) ([]Entry, bool, error) {
	if first < 1 || first > MaxPage {
		return nil, false, apperr.Invalid("first", "must be between 1 and %d", MaxPage)
	}
	var out []Entry
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT id, seq, transaction_id, storefront_id, order_id, order_line_id, kind, party_kind,
		party_id, account, amount, currency, created_at FROM ledger_entries
		WHERE consortium_id = $1 AND seq > $2 ORDER BY consortium_id, seq LIMIT $3`, []any{p.ConsortiumID, after, first + 1},
		func(rows pgx.Rows) error {
			for rows.Next() {
				var e Entry
				var line *uuid.UUID
				if err := rows.Scan(&e.ID, &e.Seq, &e.TransactionID, &e.StorefrontID, &e.OrderID, &line, &e.Kind, &e.PartyKind,
					&e.PartyID, &e.Account, &e.Amount, &e.Currency, &e.CreatedAt); err != nil {
					return err
				}
				if line != nil {
					e.OrderLineID = *line
				}
				out = append(out, e)
			}
			return rows.Err()
		})
	if err != nil {
		return nil, false, err
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}

// Balances returns the balances of every account the principal can see, summed over
// storefronts, ordered by party and account.
func (s *Service) Balances(ctx context.Context, p tenants.Principal) ([]Balance, error) {
	var out []Balance
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT party_kind, party_id, account, currency, sum(balance)::bigint
		FROM ledger_balances WHERE consortium_id = $1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, []any{p.ConsortiumID},
		func(rows pgx.Rows) error {
			for rows.Next() {
				var b Balance
				if err := rows.Scan(&b.PartyKind, &b.PartyID, &b.Account, &b.Currency, &b.Amount); err != nil {
					return err
				}
				out = append(out, b)
			}
			return rows.Err()
		})
	return out, err
}
