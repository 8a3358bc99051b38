package payments

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stripe/stripe-go/v76/client"
)

// Methods of payment.
const (
	MethodInvoice = "INVOICE"
	MethodCard    = "CARD"
)

// Service records payments.
type Service struct {
	pool      *pgxpool.Pool
	now       func() time.Time
	stripe    *client.API // nil: invoices only
	stripeCfg StripeConfig
}

// NewService returns a Service on the application pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// WithClock returns a copy of s that reads the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Invoice is what the customer owes for one order and when.
type Invoice struct {
	StorefrontID uuid.UUID
	OrderID      uuid.UUID
	CustomerID   uuid.UUID
	Method       string
	Amount       int64
	Paid         int64
	Currency     string
	DueAt        time.Time
	Status       string // OPEN or PAID
}

// Outstanding is what is still to pay.
func (i *Invoice) Outstanding() int64 { return i.Amount - i.Paid }

// Payment is one payment against an order's invoice.
type Payment struct {
	ID                    uuid.UUID
	OrderID               uuid.UUID
	Method                string
	Status                string
	Amount                int64
	Currency              string
	StripePaymentIntentID string
	Note                  string
	CreatedAt             time.Time
}

// RecordInput is a payment the seller received for an order (bank transfer, cash).
type RecordInput struct {
	OrderID        uuid.UUID
	Amount         int64 // minor units; at most what is open
	Note           string
	IdempotencyKey string
}

// Validate reports every problem of in.
func (in *RecordInput) Validate() error {
	var errs []error
	if in.OrderID == uuid.Nil {
		errs = append(errs, apperr.Invalid("orderId", "is required"))
	}
	if in.Amount <= 0 {
		errs = append(errs, apperr.Invalid("amount", "must be positive"))
	}
	if len(in.Note) > 500 {
		errs = append(errs, apperr.Invalid("note", "must be at most 500 characters"))
	}
	if len(in.IdempotencyKey) > 200 {
		errs = append(errs, apperr.Invalid("idempotencyKey", "must be at most 200 characters"))
	}
	return errors.Join(errs...)
}

const paymentCols = `id, order_id, method, status, amount, currency, coalesce(stripe_payment_intent_id, ''), note, created_at`

func scanPayment(row pgx.Row) (*Payment, error) {
	var p Payment
	err := row.Scan(&p.ID, &p.OrderID, &p.Method, &p.Status, &p.Amount, &p.Currency, &p.StripePaymentIntentID, &p.Note, &p.CreatedAt)
	return &p, err
}

// RecordPayment records a (partial) invoice payment by the order's seller: the
// invoice's paid amount grows, and the ledger moves the amount from the customer's
// receivable to the storefront's cash. A repeated idempotency key returns the first
// payment.
func (s *Service) RecordPayment(ctx context.Context, p tenants.Principal, in RecordInput) (*Payment, error) {
	if err := p.Require(tenants.FamilySelling); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Payment
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "orderRecordPayment/"+in.OrderID.String(), in.IdempotencyKey, func() (uuid.UUID, error) {
			return record(ctx, tx, in.OrderID, in.Amount, MethodInvoice, "", strings.TrimSpace(in.Note), in.IdempotencyKey)
		})
		if err != nil {
			return err
		}
		out, err = scanPayment(tx.QueryRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE id = $1 AND consortium_id = $2`, id, p.ConsortiumID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkPaid records a payment of everything still open on the order's invoice. An
// invoice already paid is a conflict.
func (s *Service) MarkPaid(ctx context.Context, p tenants.Principal, orderID uuid.UUID, key string) (*Invoice, error) {
	if err := p.Require(tenants.FamilySelling); err != nil {
		return nil, err
	}
	var out *Invoice
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		_, _, err := db.Idempotent(ctx, tx, p.Scope(), "orderMarkPaid/"+orderID.String(), key, func() (uuid.UUID, error) {
			inv, err := invoice(ctx, tx, p, orderID)
			if err != nil {
				return uuid.Nil, err
			}
			if inv.Outstanding() == 0 {
				return uuid.Nil, apperr.Conflict("orderId", "the invoice is already paid")
			}
			return record(ctx, tx, orderID, inv.Outstanding(), MethodInvoice, "", "marked paid", key)
		})
		if err != nil {
			return err
		}
		out, err = invoice(ctx, tx, p, orderID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// record runs gm_payment_record: payment row, invoice, ledger, one statement.
func record(ctx context.Context, tx pgx.Tx, order uuid.UUID, amount int64, method, intent, note, key string) (uuid.UUID, error) {
	var id uuid.UUID
	var k, in *string
	if key != "" {
		k = &key
	}
	if intent != "" {
		in = &intent
	}
	err := tx.QueryRow(ctx, `SELECT gm_payment_record($1, $2, $3, $4, $5, $6)`, order, amount, method, in, note, k).Scan(&id)
	return id, mapErr(err)
}

// mapErr turns the SQL states of the payment functions into errors a caller can act on.
func mapErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "GML03":
			return apperr.NotFound("order")
		case "GML04":
			return apperr.Invalid("amount", "is more than is open")
		case "GML05":
			return apperr.Invalid("lines", "%s", pe.Message)
		}
	}
	return err
}

const invoiceCols = `storefront_id, order_id, coalesce(customer_id, '00000000-0000-0000-0000-000000000000'), method, amount, paid, currency, due_at, status`

func scanInvoice(row pgx.Row) (*Invoice, error) {
	var i Invoice
	err := row.Scan(&i.StorefrontID, &i.OrderID, &i.CustomerID, &i.Method, &i.Amount, &i.Paid, &i.Currency, &i.DueAt, &i.Status)
	return &i, err
}

func invoice(ctx context.Context, tx pgx.Tx, p tenants.Principal, orderID uuid.UUID) (*Invoice, error) {
	inv, err := scanInvoice(tx.QueryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE consortium_id = $1 AND order_id = $2`, p.ConsortiumID, orderID))
	if err == pgx.ErrNoRows {
		return nil, apperr.NotFound("order")
	}
	return inv, err
}

// Invoice returns the order's invoice as p sees it.
func (s *Service) Invoice(ctx context.Context, p tenants.Principal, orderID uuid.UUID) (*Invoice, error) {
	var out *Invoice
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) (err error) {
		out, err = invoice(ctx, tx, p, orderID)
		return err
	})
	return out, err
}

// InvoicesOfOrders returns the invoices of orders (nil where none or not visible), in
// the order of ids: one query for a loader.
func (s *Service) InvoicesOfOrders(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Invoice, error) {
	out := make([]*Invoice, len(ids))
	at := map[uuid.UUID][]int{}
	for i, id := range ids {
		at[id] = append(at[id], i)
	}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+invoiceCols+` FROM invoices WHERE consortium_id = $1 AND order_id = ANY ($2)`,
		[]any{p.ConsortiumID, ids}, func(rows pgx.Rows) error {
			for rows.Next() {
				inv, err := scanInvoice(rows)
				if err != nil {
					return err
				}
				for _, i := range at[inv.OrderID] {
					out[i] = inv
				}
			}
			return rows.Err()
		})
	return out, err
}

// PaymentsOfOrders returns each order's payments, oldest first, in the order of ids.
func (s *Service) PaymentsOfOrders(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([][]*Payment, error) {
	out := make([][]*Payment, len(ids))
	at := map[uuid.UUID][]int{}
	for i, id := range ids {
		at[id] = append(at[id], i)
	}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+paymentCols+` FROM payments WHERE consortium_id = $1 AND order_id = ANY ($2)
		ORDER BY created_at, id`, []any{p.ConsortiumID, ids}, func(rows pgx.Rows) error {
		for rows.Next() {
			pay, err := scanPayment(rows)
			if err != nil {
				return err
			}
			for _, i := range at[pay.OrderID] {
				out[i] = append(out[i], pay)
			}
		}
		return rows.Err()
	})
	return out, err
}

// OverdueInvoices returns the open invoices past their due date that p can see (a
// seller's, a storefront's), most overdue first, at most limit (1–100).
func (s *Service) OverdueInvoices(ctx context.Context, p tenants.Principal, limit int) ([]*Invoice, error) {
	if limit < 1 || limit > 100 {
		return nil, apperr.Invalid("first", "must be between 1 and 100")
	}
	var out []*Invoice
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+invoiceCols+` FROM invoices
		WHERE consortium_id = $1 AND status = 'OPEN' AND due_at < $2 ORDER BY due_at, order_id LIMIT $3`,
		[]any{p.ConsortiumID, s.now(), limit}, func(rows pgx.Rows) error {
			for rows.Next() {
				inv, err := scanInvoice(rows)
				if err != nil {
					return err
				}
				out = append(out, inv)
			}
			return rows.Err()
		})
	return out, err
}

// Ledger returns the ledger's read service on the same pool (the gateway reaches both
// through one field).
func (s *Service) Ledger() *ledger.Service { return ledger.NewService(s.pool) }

// MarginsOfOrders returns, in the order of ids, what each order leaves its storefront
// after wholesale, fee and referral, net of cancellations and returns (the sum of its
// MARGIN entries); nil for an order whose storefront's ledger the caller may not read
// (only its seller and its storefront key may).
func (s *Service) MarginsOfOrders(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*int64, error) {
	out := make([]*int64, len(ids))
	if !(p.Kind == tenants.KindMember || p.Kind == tenants.KindStorefront) {
		return out, nil
	}
	at := map[uuid.UUID][]int{}
	for i, id := range ids {
		at[id] = append(at[id], i)
	}
	// Row-level security leaves the caller only its own orders and its own ledger; an
	// order without a MARGIN entry (a margin of exactly 0) stays nil.
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT o.id, sum(e.amount)::bigint
		FROM orders o
		JOIN ledger_entries e ON e.storefront_id = o.storefront_id AND e.order_id = o.id AND e.party_kind = 'STOREFRONT' AND e.account = 'MARGIN'
		WHERE o.consortium_id = $1 AND o.id = ANY ($2) AND o.member_id = $3
		GROUP BY o.id`,
		[]any{p.ConsortiumID, ids, p.MemberID}, func(rows pgx.Rows) error {
			for rows.Next() {
				var id uuid.UUID
				var m int64
				if err := rows.Scan(&id, &m); err != nil {
					return err
				}
				v := -m // the storefront's MARGIN account is credited (negative) with what it earns
				for _, i := range at[id] {
					out[i] = &v
				}
			}
			return rows.Err()
		})
	return out, err
}
