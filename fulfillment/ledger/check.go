package ledger

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Problem is one inconsistency found by Check.
type Problem struct {
	Kind   string // UNBALANCED_TRANSACTION, BALANCE_MISMATCH or SHIPPED_NOT_DUE
	Detail string
}

func (p Problem) String() string { return p.Kind + ": " + p.Detail }

const unbalancedSQL = `
SELECT t.storefront_id, t.id, coalesce(sum(e.amount), 0), count(e.*), count(DISTINCT e.currency)
FROM ledger_transactions t
LEFT JOIN ledger_entries e ON e.storefront_id = t.storefront_id AND e.transaction_id = t.id
GROUP BY t.storefront_id, t.id
HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.*) = 0 OR count(DISTINCT e.currency) > 1 OR bool_or(e.currency <> t.currency)
ORDER BY 1, 2 LIMIT 100`

const mismatchSQL = `
WITH sums AS (
  SELECT storefront_id, party_kind, party_id, account, currency, sum(amount) AS total
  FROM ledger_entries GROUP BY 1, 2, 3, 4, 5
), b AS ( -- a balance is the sum of its slots
  SELECT storefront_id, party_kind, party_id, account, currency, sum(balance) AS balance
  FROM ledger_balances GROUP BY 1, 2, 3, 4, 5
)
SELECT coalesce(s.storefront_id, b.storefront_id), coalesce(s.party_kind, b.party_kind), coalesce(s.party_id, b.party_id),
       coalesce(s.account, b.account), coalesce(s.total, 0), coalesce(b.balance, 0)
FROM sums s FULL JOIN b USING (storefront_id, party_kind, party_id, account, currency)
WHERE coalesce(s.total, 0) <> coalesce(b.balance, 0)
ORDER BY 1, 2, 3, 4 LIMIT 100`

// shippedSQL finds order lines of posted orders whose supplier payable made due by
// LINE_SHIPPED differs from the wholesale of the units shipped (the ledger did not follow
// fulfilment).
const shippedSQL = `
WITH posted AS (
  SELECT storefront_id, order_id FROM ledger_transactions WHERE kind = 'ORDER_PLACED'
), shipped AS (
  SELECT fl.storefront_id, fl.order_id, fl.order_line_id, sum(fl.quantity_shipped * fl.unit_cost)::bigint AS due
  FROM fulfillment_order_lines fl JOIN posted p USING (storefront_id, order_id)
  GROUP BY 1, 2, 3
), booked AS (
  SELECT e.storefront_id, e.order_line_id, (-sum(e.amount))::bigint AS due
  FROM ledger_entries e
  WHERE e.kind = 'LINE_SHIPPED' AND e.account = 'PAYABLE_DUE'
  GROUP BY 1, 2
)
SELECT s.storefront_id, s.order_id, s.order_line_id, s.due, coalesce(b.due, 0)
FROM shipped s LEFT JOIN booked b USING (storefront_id, order_line_id)
WHERE s.due <> coalesce(b.due, 0)
ORDER BY 1, 2, 3 LIMIT 100`

// Check verifies the whole ledger: every transaction has entries that sum to zero in
// the transaction's one currency, every stored balance equals the sum of its account's
// entries, and every shipped unit's wholesale was made due to its supplier. It reads every tenant, so pool must be the owner's (the CLI's
// migration connection), not the application's.
func Check(ctx context.Context, pool *pgxpool.Pool) ([]Problem, error) {
	var out []Problem
	rows, err := pool.Query(ctx, unbalancedSQL)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sf, id uuid.UUID
		var sum, n, cur int64
		if err := rows.Scan(&sf, &id, &sum, &n, &cur); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, Problem{"UNBALANCED_TRANSACTION", fmt.Sprintf("storefront %s transaction %s: %d entries sum to %d in %d currencies", sf, id, n, sum, cur)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = pool.Query(ctx, mismatchSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sf, party uuid.UUID
		var kind, account string
		var total, balance int64
		if err := rows.Scan(&sf, &kind, &party, &account, &total, &balance); err != nil {
			return nil, err
		}
		out = append(out, Problem{"BALANCE_MISMATCH", fmt.Sprintf("storefront %s %s %s %s: entries sum to %d, balance says %d", sf, kind, party, account, total, balance)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	rows, err = pool.Query(ctx, shippedSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sf, order, line uuid.UUID
		var shipped, due int64
		if err := rows.Scan(&sf, &order, &line, &shipped, &due); err != nil {
			return nil, err
		}
		out = append(out, Problem{"SHIPPED_NOT_DUE", fmt.Sprintf("storefront %s order %s line %s: shipped wholesale %d, made due %d", sf, order, line, shipped, due)})
	}
	return out, rows.Err()
}
