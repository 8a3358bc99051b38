package gateway

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/guildmart/guildmart/fulfillment/payments"
)

// maxStripeBody caps a webhook body; Stripe's events are a few kilobytes.
const maxStripeBody = 256 << 10

// StripeWebhook is POST /webhooks/stripe: it verifies the Stripe-Signature header and
// applies the event once (payments.HandleStripeWebhook). 400 when the signature, its
// timestamp or the API version does not verify (Stripe shows it; nothing is applied),
// 200 when applied or already applied (so Stripe stops retrying), 500 otherwise (Stripe
// retries).
func StripeWebhook(svc *payments.Service, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxStripeBody))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		dup, err := svc.HandleStripeWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
		switch {
		case errors.Is(err, payments.ErrBadSignature):
			http.Error(w, "signature does not verify", http.StatusBadRequest)
		case err != nil:
			log.Error("stripe webhook", slog.String("error", err.Error()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			if dup {
				_, _ = io.WriteString(w, `{"received":true,"duplicate":true}`)
				return
			}
			_, _ = io.WriteString(w, `{"received":true}`)
		}
	})
}
