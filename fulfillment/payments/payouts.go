package payments

import (
	"context"
	"encoding/csv"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

var stripeAccount = regexp.MustCompile(`^acct_[A-Za-z0-9]+$`)

// SetPayoutAccount records the member's Stripe connected account, where its payouts go.
func (s *Service) SetPayoutAccount(ctx context.Context, p tenants.Principal, accountID string) error {
	if err := p.Require(tenants.FamilyPayouts); err != nil {
		return err
	}
	accountID = strings.TrimSpace(accountID)
	if !stripeAccount.MatchString(accountID) || len(accountID) > 100 {
		return apperr.Invalid("stripeAccountId", "must be a Stripe connected account id (acct_…)")
	}
	return db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO member_payout_accounts (consortium_id, member_id, stripe_account_id) VALUES ($1, $2, $3)
			ON CONFLICT (consortium_id, member_id) DO UPDATE SET stripe_account_id = excluded.stripe_account_id, updated_at = now()`,
			p.ConsortiumID, p.MemberID, accountID)
		return err
	})
}

// PayoutAccount returns the member's connected account id ("" when none).
func (s *Service) PayoutAccount(ctx context.Context, p tenants.Principal) (string, error) {
	var out string
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT stripe_account_id FROM member_payout_accounts WHERE consortium_id = $1 AND member_id = $2`,
		[]any{p.ConsortiumID, p.MemberID}, func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&out); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	return out, err
}

// Statement is what became due to one supplier in a period (its shipped lines' wholesale)
// in one currency.
type Statement struct {
	SupplierID uuid.UUID
	Currency   string
	Due        int64 // became due in the period (shipped)
	Lines      int   // shipped order lines
	From, To   time.Time
}

// PayoutStatements sums, per supplier and currency, the payables that became due in
// [from, to): the statement a consortium without Stripe pays from. A supplier sees its
// own; a seller what it owes to each supplier for its storefronts' orders.
func (s *Service) PayoutStatements(ctx context.Context, p tenants.Principal, from, to time.Time) ([]Statement, error) {
	if !to.After(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, apperr.Invalid("period", "must be a range of at most a year, end after start")
	}
	var out []Statement
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT party_id, currency,
			(-sum(amount) FILTER (WHERE kind = 'LINE_SHIPPED'))::bigint,
			count(DISTINCT order_line_id) FILTER (WHERE kind = 'LINE_SHIPPED')
		FROM ledger_entries
		WHERE consortium_id = $1 AND party_kind = 'SUPPLIER' AND account = 'PAYABLE_DUE' AND created_at >= $2 AND created_at < $3
		GROUP BY party_id, currency ORDER BY party_id, currency`, []any{p.ConsortiumID, from, to}, func(rows pgx.Rows) error {
		for rows.Next() {
			st := Statement{From: from, To: to}
			var due *int64
			if err := rows.Scan(&st.SupplierID, &st.Currency, &due, &st.Lines); err != nil {
				return err
			}
			if due != nil {
				st.Due = *due
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	return out, err
}

// WriteStatementsCSV writes statements as CSV: supplier_id, currency, due, lines, from, to
// (amounts as decimal strings).
func WriteStatementsCSV(w io.Writer, sts []Statement) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"supplier_id", "currency", "due", "lines", "from", "to"}); err != nil {
		return err
	}
	for _, st := range sts {
		if err := cw.Write([]string{st.SupplierID.String(), st.Currency, money.Money{Amount: st.Due, Currency: st.Currency}.String(),
			strconv.Itoa(st.Lines), st.From.UTC().Format(time.RFC3339), st.To.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
