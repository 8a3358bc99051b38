package main

import (
	"context"

	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/gateway"
)

// Payments: invoices always; cards through Stripe when STRIPE_SECRET_KEY is set, with
// webhooks at POST /webhooks/stripe verified with STRIPE_WEBHOOK_SECRET.
func init() {
	wireHooks = append(wireHooks, func(_ context.Context, env *Env, a *app) error {
		svc := payments.NewService(a.pool)
		if key := env.Getenv("STRIPE_SECRET_KEY"); key != "" {
			svc = svc.WithStripe(payments.StripeConfig{SecretKey: key, WebhookSecret: env.Getenv("STRIPE_WEBHOOK_SECRET"),
				BackendURL: env.Getenv("STRIPE_API_URL")})
		}
		a.svc.Payments = svc
		return nil
	})
	routeHooks = append(routeHooks, func(a *app) {
		if a.svc.Payments != nil && a.svc.Payments.CardsEnabled() {
			a.server.Handle("POST /webhooks/stripe", gateway.StripeWebhook(a.svc.Payments, a.log))
		}
	})
}
