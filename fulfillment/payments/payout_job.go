package payments

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
)

// PayoutArgs is the periodic payout job.
type PayoutArgs struct{}

// Kind implements river.JobArgs.
func (PayoutArgs) Kind() string { return "payments_payouts" }

// Workers registers the payout worker, run every interval (0: 15 minutes). svc is
// called when the job runs (the service is wired after the job client is built).
func Workers(svc func() *Service, interval time.Duration) jobs.Registration {
	return func(w *river.Workers, periodic *[]*river.PeriodicJob) {
		river.AddWorker(w, &payoutWorker{svc: svc})
		if interval == 0 {
			interval = 15 * time.Minute
		}
		*periodic = append(*periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return PayoutArgs{}, &river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
}

type payoutWorker struct {
	river.WorkerDefaults[PayoutArgs]
	svc func() *Service
}

func (w *payoutWorker) Work(ctx context.Context, _ *river.Job[PayoutArgs]) error {
	s := w.svc()
	if s == nil || s.stripe == nil {
		return nil // no Stripe: suppliers are paid from payoutStatements
	}
	if _, err := s.RunPayouts(ctx, 100); err != nil {
		return err
	}
	// Reversals a return could not make at the time (Stripe unreachable) are retried here.
	_, err := s.ReverseTransfers(ctx, db.Scope{Role: db.RoleSystem}, uuid.Nil)
	return err
}

// RunPayouts transfers up to limit payables that became due (shipped lines) to their
// suppliers' connected accounts, each capped by what the supplier is still owed on the
// line (net of returns): one Stripe Transfer per ledger entry, with the order as
// transfer group and the idempotency key "payout-<entry id>" (a retry after a crash
// between the transfer and its posting cannot pay twice), then posts the payout. It
// returns how many it paid.
func (s *Service) RunPayouts(ctx context.Context, limit int) (int, error) {
	type due struct {
		consortium, storefront, entry, order, supplier uuid.UUID
		amount                                         int64
		currency, account                              string
	}
	var dues []due
	sys := db.Scope{Role: db.RoleSystem}
	err := db.ReadQuery(ctx, s.pool, sys, `SELECT * FROM gm_payouts_due($1)`, []any{limit}, func(rows pgx.Rows) error {
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.consortium, &d.storefront, &d.entry, &d.order, &d.supplier, &d.amount, &d.currency, &d.account); err != nil {
				return err
			}
			dues = append(dues, d)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range dues { // one external call per payable: not a set-based step
		params := &stripe.TransferParams{Amount: stripe.Int64(d.amount), Currency: stripe.String(strings.ToLower(d.currency)),
			Destination: stripe.String(d.account), TransferGroup: stripe.String(d.order.String())}
		params.Context = ctx
		params.AddMetadata("ledger_entry_id", d.entry.String())
		params.AddMetadata("order_id", d.order.String())
		params.SetIdempotencyKey("payout-" + d.entry.String())
		tr, err := s.stripe.Transfers.New(params)
		if err != nil {
			return n, err
		}
		err = db.InTx(ctx, s.pool, db.Scope{ConsortiumID: d.consortium, Role: db.RoleSystem}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT gm_payout_post($1, $2, $3, $4)`, d.storefront, d.entry, tr.ID, d.amount)
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
