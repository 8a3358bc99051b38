package fulfillment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Webhook event types. Sellers get order.created; suppliers fulfillment_order.created
// and fulfillment_order.cancelled for their drop-ship orders. listing.changed is
// accepted for the federation area's feed.
var WebhookEvents = []string{"order.created", "fulfillment_order.created", "fulfillment_order.cancelled", "listing.changed"}

// WebhookEndpoint is a member's receiver of events.
type WebhookEndpoint struct {
	ID        uuid.UUID
	URL       string
	Events    []string
	Status    string // ACTIVE, DELETED
	CreatedAt time.Time
}

// WebhookEndpointCreate is the input of CreateWebhookEndpoint.
type WebhookEndpointCreate struct {
	URL    string
	Events []string
}

// Validate checks the input.
func (in WebhookEndpointCreate) Validate() error {
	var errs []error
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.URL) > 2000 {
		errs = append(errs, apperr.Invalid("url", "must be an http(s) URL of at most 2000 characters"))
	}
	if len(in.Events) == 0 {
		errs = append(errs, apperr.Invalid("events", "name at least one of %v", WebhookEvents))
	}
	for i, e := range in.Events {
		if !oneOf(e, WebhookEvents...) {
			errs = append(errs, apperr.Invalid(fmt.Sprintf("events.%d", i), "must be one of %v", WebhookEvents))
		}
	}
	return errors.Join(errs...)
}

func requireWebhookManager(p tenants.Principal) error {
	if !p.CanManage() {
		return apperr.Forbidden("only a member owner or admin manages webhook endpoints")
	}
	return nil
}

// CreateWebhookEndpoint adds an endpoint of the caller's member and returns its secret,
// shown this once.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, p tenants.Principal, in WebhookEndpointCreate) (*WebhookEndpoint, string, error) {
	if err := requireWebhookManager(p); err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	events := append([]string{}, in.Events...)
	sort.Strings(events)
	secret := NewWebhookSecret()
	var e WebhookEndpoint
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (consortium_id, member_id, url, events, secret) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, url, events, status, created_at`, p.ConsortiumID, p.MemberID, in.URL, events, secret).
			Scan(&e.ID, &e.URL, &e.Events, &e.Status, &e.CreatedAt)
	})
	if err != nil {
		return nil, "", err
	}
	return &e, secret, nil
}

// DeleteWebhookEndpoint stops deliveries to an endpoint of the caller's (its deliveries
// and attempts stay queryable).
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, p tenants.Principal, id uuid.UUID) (*WebhookEndpoint, error) {
	if err := requireWebhookManager(p); err != nil {
		return nil, err
	}
	var e WebhookEndpoint
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE webhook_endpoints SET status = 'DELETED' WHERE consortium_id = $1 AND member_id = $2 AND id = $3
			RETURNING id, url, events, status, created_at`, p.ConsortiumID, p.MemberID, id).Scan(&e.ID, &e.URL, &e.Events, &e.Status, &e.CreatedAt)
	})
	if err == pgx.ErrNoRows {
		return nil, apperr.NotFound("webhook endpoint")
	}
	return &e, err
}

// WebhookEndpoints lists the caller's member's active endpoints.
func (s *Service) WebhookEndpoints(ctx context.Context, p tenants.Principal) ([]*WebhookEndpoint, error) {
	var out []*WebhookEndpoint
	if p.Kind != tenants.KindMember {
		return out, nil
	}
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT id, url, events, status, created_at FROM webhook_endpoints
			WHERE consortium_id = $1 AND member_id = $2 AND status = 'ACTIVE' ORDER BY created_at, id`, p.ConsortiumID, p.MemberID).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var e WebhookEndpoint
					if err := rows.Scan(&e.ID, &e.URL, &e.Events, &e.Status, &e.CreatedAt); err != nil {
						return err
					}
					out = append(out, &e)
				}
				return rows.Err()
			})
	})
	return out, err
}

// WebhookDelivery is one event sent (or being sent) to one endpoint.
type WebhookDelivery struct {
	ID             uuid.UUID
	EndpointID     uuid.UUID
	EventType      string
	Payload        json.RawMessage
	Status         string // PENDING, SUCCEEDED, FAILED
	Attempts       []WebhookAttempt
	LastStatusCode *int
	LastError      string
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode *int      `json:"statusCode"`
	Error      string    `json:"error"`
	DurationMs int       `json:"durationMs"`
}

// WebhookDeliveryPage is a page of deliveries, newest first.
type WebhookDeliveryPage struct {
	Deliveries []*WebhookDelivery
	HasNext    bool
}

// WebhookDeliveryCursor is d's cursor.
func WebhookDeliveryCursor(d *WebhookDelivery) string { return cursor(d.CreatedAt, d.ID) }

// WebhookDeliveries lists the caller's member's deliveries (of one endpoint when set),
// each with its attempts.
func (s *Service) WebhookDeliveries(ctx context.Context, p tenants.Principal, endpoint uuid.UUID, first int, after string) (*WebhookDeliveryPage, error) {
	page := &WebhookDeliveryPage{}
	if p.Kind != tenants.KindMember {
		return page, nil
	}
	at, aid, err := parseCursor(after)
	if err != nil {
		return nil, err
	}
	limit := pageSize(first)
	err = readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT d.id, d.endpoint_id, d.event_type, d.payload, d.status, d.last_status_code, d.last_error, d.created_at, d.delivered_at,
				(SELECT coalesce(jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, 'statusCode', a.status_code, 'error', a.error,
					'durationMs', a.duration_ms) ORDER BY a.attempt), '[]')
				 FROM webhook_attempts a WHERE a.consortium_id = d.consortium_id AND a.delivery_id = d.id)
			FROM webhook_deliveries d
			WHERE d.consortium_id = $1 AND d.member_id = $2 AND ($3::uuid IS NULL OR d.endpoint_id = $3)
			  AND ($5::uuid IS NULL OR (d.created_at, d.id) < ($4, $5))
			ORDER BY d.created_at DESC, d.id DESC LIMIT $6`, p.ConsortiumID, p.MemberID, nilIfZero(endpoint), at, aid, limit+1).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var d WebhookDelivery
					var attempts []byte
					if err := rows.Scan(&d.ID, &d.EndpointID, &d.EventType, &d.Payload, &d.Status, &d.LastStatusCode, &d.LastError,
						&d.CreatedAt, &d.DeliveredAt, &attempts); err != nil {
						return err
					}
					if err := json.Unmarshal(attempts, &d.Attempts); err != nil {
						return err
					}
					page.Deliveries = append(page.Deliveries, &d)
				}
				return rows.Err()
			})
	})
	if len(page.Deliveries) > limit {
		page.Deliveries, page.HasNext = page.Deliveries[:limit], true
	}
	return page, err
}

// emitFOEvent creates the deliveries of a fulfilment order event to its supplier's
// endpoints, with f as it is now (system scope: the caller is the seller or the system).
func emitFOEvent(ctx context.Context, tx pgx.Tx, f *FulfillmentOrder, event string) ([]uuid.UUID, error) {
	if f.Kind != KindSupplier {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `INSERT INTO webhook_deliveries (consortium_id, endpoint_id, member_id, event_type, payload)
		SELECT e.consortium_id, e.id, e.member_id, $2, $3
		FROM webhook_endpoints e WHERE e.consortium_id = app_consortium() AND e.member_id = $1 AND e.status = 'ACTIVE' AND $2 = ANY (e.events)
		RETURNING id`, f.SupplierID, event, foEvent(f))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// manyInserter is River's batch insert, used when the enqueuer has it.
type manyInserter interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// enqueueDeliveries enqueues a job per delivery in tx.
func (s *Service) enqueueDeliveries(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, ids []uuid.UUID) error {
	if s.jobs == nil || len(ids) == 0 {
		return nil
	}
	opts := &river.InsertOpts{MaxAttempts: s.cfg.WebhookMaxAttempts}
	if m, ok := s.jobs.(manyInserter); ok {
		params := make([]river.InsertManyParams, len(ids))
		for i, id := range ids {
			params[i] = river.InsertManyParams{Args: WebhookDeliveryArgs{ConsortiumID: consortium, DeliveryID: id}, InsertOpts: opts}
		}
		_, err := m.InsertManyTx(ctx, tx, params)
		return err
	}
	for _, id := range ids {
		if _, err := s.jobs.InsertTx(ctx, tx, WebhookDeliveryArgs{ConsortiumID: consortium, DeliveryID: id}, opts); err != nil {
			return err
		}
	}
	return nil
}
