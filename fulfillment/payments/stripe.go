package payments

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

// StripeConfig turns on card payments. Backend overrides Stripe's API URL (stripe-mock
// in tests); empty uses api.stripe.com.
type StripeConfig struct {
	SecretKey     string // STRIPE_SECRET_KEY
	WebhookSecret string // STRIPE_WEBHOOK_SECRET
	// PublishableKey (STRIPE_PUBLISHABLE_KEY, pk_…) is public: storefronts give it to
	// Stripe.js to show the card form.
	PublishableKey string
	Tolerance      time.Duration // signature timestamp tolerance; 0: 5 minutes
	BackendURL     string
}

// ErrBadSignature is returned for a webhook whose signature, timestamp or API version
// does not verify; the HTTP handler answers 400.
var ErrBadSignature = errors.New("stripe webhook: signature does not verify")

// WithStripe returns a copy of s that takes card payments through Stripe.
func (s *Service) WithStripe(cfg StripeConfig) *Service {
	c := *s
	var backends *stripe.Backends
	if cfg.BackendURL != "" {
		b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{URL: stripe.String(cfg.BackendURL), MaxNetworkRetries: stripe.Int64(0)})
		backends = &stripe.Backends{API: b, Connect: b, Uploads: b}
	}
	c.stripe = client.New(cfg.SecretKey, backends)
	if cfg.Tolerance == 0 {
		cfg.Tolerance = 5 * time.Minute
	}
	c.stripeCfg = cfg
	return &c
}

// PublishableKey is the Stripe publishable key for Stripe.js ("" when not configured).
func (s *Service) PublishableKey() string { return s.stripeCfg.PublishableKey }

// errNoCards refuses card payments without Stripe.
var errNoCards = apperr.Conflict("paymentMethod", "card payments are not enabled on this marketplace; pay by invoice")

// RequireCards returns the userError for a card payment when Stripe is not configured
// (a nil Service has none either); checkout asks before placing the order.
func (s *Service) RequireCards() error {
	if s == nil || s.stripe == nil {
		return errNoCards
	}
	return nil
}

// CardsEnabled reports whether Stripe is configured.
func (s *Service) CardsEnabled() bool { return s.stripe != nil }

// CardPayment is a PaymentIntent created for an order: the client confirms it with the
// client secret.
type CardPayment struct {
	PaymentID       uuid.UUID
	PaymentIntentID string
	ClientSecret    string
	Amount          int64
	Currency        string
}

// CreatePaymentIntent creates a Stripe PaymentIntent for what is open on the order's
// invoice, with transfer_group = the order id (payouts to suppliers join it) and
// metadata linking back, and records it as a PENDING card payment. Stripe's idempotency
// key is derived from the order and amount, so a retry returns the same intent.
func (s *Service) CreatePaymentIntent(ctx context.Context, p tenants.Principal, orderID uuid.UUID) (*CardPayment, error) {
	if err := s.RequireCards(); err != nil {
		return nil, err
	}
	inv, err := s.Invoice(ctx, p, orderID)
	if err != nil {
		return nil, err
	}
	if inv.Outstanding() == 0 {
		return nil, apperr.Conflict("orderId", "the invoice is already paid")
	}
	return s.createIntent(ctx, p, orderID, inv.StorefrontID, inv.Outstanding(), inv.Currency)
}

// StartCardPayment creates the PaymentIntent of an order its buyer has just placed
// (checkoutComplete with CARD) for the order's whole amount; callers that may place
// orders (shoppers, customers, storefront keys) may start it, as they may not read
// invoices. Retrying returns the same intent.
func (s *Service) StartCardPayment(ctx context.Context, p tenants.Principal, orderID, storefrontID uuid.UUID, amount int64, currency string) (*CardPayment, error) {
	if err := s.RequireCards(); err != nil {
		return nil, err
	}
	return s.createIntent(ctx, p, orderID, storefrontID, amount, currency)
}

// createIntent creates the PaymentIntent (transfer_group = the order id, so payouts to
// suppliers join it; metadata linking back; idempotency key from the order and amount,
// so a retry returns the same intent) and records it as a PENDING card payment.
func (s *Service) createIntent(ctx context.Context, p tenants.Principal, orderID, storefrontID uuid.UUID, amount int64, currency string) (*CardPayment, error) {
	params := &stripe.PaymentIntentParams{
		Amount:                  stripe.Int64(amount),
		Currency:                stripe.String(strings.ToLower(currency)),
		TransferGroup:           stripe.String(orderID.String()),
		AutomaticPaymentMethods: &stripe.PaymentIntentAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)},
	}
	params.Context = ctx
	params.AddMetadata("order_id", orderID.String())
	params.AddMetadata("storefront_id", storefrontID.String())
	params.AddMetadata("consortium_id", p.ConsortiumID.String())
	params.SetIdempotencyKey("pi-" + orderID.String() + "-" + itoa(amount))
	pi, err := s.stripe.PaymentIntents.New(params)
	if err != nil {
		return nil, err
	}
	out := &CardPayment{PaymentIntentID: pi.ID, ClientSecret: pi.ClientSecret, Amount: amount, Currency: currency}
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT gm_card_intent($1, $2, $3)`, orderID, pi.ID, amount).Scan(&out.PaymentID)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

func itoa(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// HandleStripeWebhook verifies a webhook (signature with the configured secret,
// timestamp within the tolerance, the event's API version equal to stripe-go's) and
// applies it once per event id: payment_intent.succeeded marks the card payment
// SUCCEEDED, pays the invoice and posts the ledger; payment_intent.payment_failed marks
// it FAILED. It returns duplicate=true for an event already handled.
func (s *Service) HandleStripeWebhook(ctx context.Context, payload []byte, signature string) (duplicate bool, err error) {
	if s.stripeCfg.WebhookSecret == "" {
		return false, ErrBadSignature
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.stripeCfg.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: s.stripeCfg.Tolerance})
	if err != nil {
		return false, errors.Join(ErrBadSignature, err)
	}
	var intent string
	if strings.HasPrefix(string(ev.Type), "payment_intent.") && ev.Data != nil {
		if id, ok := ev.Data.Object["id"].(string); ok {
			intent = id
		}
	}
	var fresh bool
	err = db.InTx(ctx, s.pool, db.Scope{Role: db.RoleSystem}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT gm_stripe_event($1, $2, $3)`, ev.ID, string(ev.Type), intent).Scan(&fresh)
	})
	return !fresh && err == nil, err
}
