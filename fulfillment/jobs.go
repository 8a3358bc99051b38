package fulfillment

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/riverqueue/river"
)

// WebhookDeliveryArgs is the job of one webhook delivery, enqueued in the transaction
// that created the delivery.
type WebhookDeliveryArgs struct {
	ConsortiumID uuid.UUID `json:"consortium_id"`
	DeliveryID   uuid.UUID `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (WebhookDeliveryArgs) Kind() string { return "fulfillment_webhook_delivery" }

// SLAEscalationArgs is the periodic job that treats overdue supplier orders as rejected.
type SLAEscalationArgs struct{}

// Kind implements river.JobArgs.
func (SLAEscalationArgs) Kind() string { return "fulfillment_sla_escalation" }

// Workers registers the fulfilment workers for jobs.Register or jobs.Options.Registrations.
// svc is called when a job runs (the service is wired after the job client is built).
// The SLA job runs every slaInterval (0: 15 minutes; negative: not scheduled).
func Workers(svc func() *Service, slaInterval time.Duration) jobs.Registration {
	return func(w *river.Workers, periodic *[]*river.PeriodicJob) {
		river.AddWorker(w, &webhookWorker{svc: svc})
		river.AddWorker(w, &slaWorker{svc: svc})
		if slaInterval < 0 {
			return
		}
		if slaInterval == 0 {
			slaInterval = 15 * time.Minute
		}
		*periodic = append(*periodic, river.NewPeriodicJob(river.PeriodicInterval(slaInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return SLAEscalationArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: slaInterval}}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookDeliveryArgs]
	svc func() *Service
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookDeliveryArgs]) error {
	return w.svc().DeliverWebhook(ctx, job.Args.ConsortiumID, job.Args.DeliveryID, job.MaxAttempts)
}

// NextRetry spaces attempts by the configured backoff.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookDeliveryArgs]) time.Time {
	return time.Now().Add(w.svc().cfg.WebhookBackoff(job.Attempt))
}

// Timeout bounds a job by the HTTP timeout plus the bookkeeping around it.
func (w *webhookWorker) Timeout(*river.Job[WebhookDeliveryArgs]) time.Duration {
	return w.svc().cfg.WebhookTimeout + 30*time.Second
}

type slaWorker struct {
	river.WorkerDefaults[SLAEscalationArgs]
	svc func() *Service
}

func (w *slaWorker) Work(ctx context.Context, _ *river.Job[SLAEscalationArgs]) error {
	_, err := w.svc().EscalateOverdue(ctx)
	return err
}
