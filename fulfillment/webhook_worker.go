package fulfillment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// webhookEnvelope is the body of every webhook (the Standard Webhooks payload shape).
type webhookEnvelope struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// DeliverWebhook makes one attempt of delivery id (the River job's work): it posts the
// signed event to the endpoint and records the attempt. A non-2xx answer or a transport
// error is returned, so the job is retried with backoff, until maxAttempts (0: the
// configured number) marks the delivery FAILED. A delivered (or deleted-endpoint)
// delivery is done and not sent again.
func (s *Service) DeliverWebhook(ctx context.Context, consortium, id uuid.UUID, maxAttempts int) error {
	if maxAttempts <= 0 {
		maxAttempts = s.cfg.WebhookMaxAttempts
	}
	sys := systemScope(consortium)
	var (
		status, event, url, secret, epStatus string
		payload                              []byte
		created                              time.Time
	)
	err := inTx(ctx, s.pool, sys, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT d.status, d.event_type, d.payload::text, d.created_at, e.url, e.secret, e.status
			FROM webhook_deliveries d JOIN webhook_endpoints e ON e.consortium_id = d.consortium_id AND e.id = d.endpoint_id
			WHERE d.consortium_id = $1 AND d.id = $2`, consortium, id).Scan(&status, &event, &payload, &created, &url, &secret, &epStatus)
	})
	if err == pgx.ErrNoRows || status == "SUCCEEDED" || status == "FAILED" {
		return nil
	}
	if err != nil {
		return err
	}
	if epStatus != "ACTIVE" {
		return s.recordAttempt(ctx, sys, id, nil, "endpoint deleted", 0, false, 0)
	}
	body, err := json.Marshal(webhookEnvelope{Type: event, Timestamp: created.UTC(), Data: payload})
	if err != nil {
		return err
	}
	now := s.now()
	sig, err := SignWebhook(secret, id.String(), now, body)
	if err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, s.cfg.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return s.recordAttempt(ctx, sys, id, nil, err.Error(), 0, false, 1) // a URL that cannot work: no retries
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Guildmart-Webhooks/1")
	req.Header.Set("webhook-id", id.String())
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := s.cfg.HTTPClient.Do(req)
	took := time.Since(start)
	var code *int
	errText := ""
	if err != nil {
		errText = err.Error()
	} else {
		c := resp.StatusCode
		code = &c
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if c < 200 || c > 299 {
			errText = fmt.Sprintf("HTTP %d", c)
		}
	}
	ok := errText == ""
	if err := s.recordAttempt(ctx, sys, id, code, errText, took, ok, maxAttempts); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("webhook delivery %s: %s", id, errText)
	}
	return nil
}

// recordAttempt counts an attempt on the delivery and stores it. maxAttempts 0 ends the
// delivery as FAILED now.
func (s *Service) recordAttempt(ctx context.Context, sys db.Scope, id uuid.UUID, code *int, errText string, took time.Duration, ok bool, maxAttempts int) error {
	return inTx(ctx, s.pool, sys, uuid.Nil, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `WITH u AS (
				UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $3, last_error = $4, updated_at = now(),
					status = CASE WHEN $5 THEN 'SUCCEEDED' WHEN attempts + 1 >= $6 THEN 'FAILED' ELSE 'PENDING' END,
					delivered_at = CASE WHEN $5 THEN now() END
				WHERE consortium_id = $1 AND id = $2 RETURNING consortium_id, id, member_id, attempts)
			INSERT INTO webhook_attempts (consortium_id, delivery_id, attempt, member_id, status_code, error, duration_ms)
			SELECT consortium_id, id, attempts, member_id, $3, $4, $7 FROM u`,
			sys.ConsortiumID, id, code, errText, ok, maxAttempts, int(took.Milliseconds()))
		return err
	})
}
