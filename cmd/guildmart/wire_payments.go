package main

import (
	"context"
	"sync/atomic"

	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/jobs"
)

// paymentsService is the process's payments service, set once the app is wired; the
// payout worker (registered before) looks it up when it runs.
var paymentsService atomic.Pointer[payments.Service]

// Payments: invoices always; cards and Connect payouts through Stripe when
// STRIPE_SECRET_KEY is set, with webhooks at POST /webhooks/stripe verified with
// STRIPE_WEBHOOK_SECRET.
func init() {
	jobs.Register(payments.Workers(paymentsService.Load, 0)) // payouts of shipped lines every 15 minutes
	wireHooks = append(wireHooks, func(_ context.Context, env *Env, a *app) error {
		svc := payments.NewService(a.pool)
		if key := env.Getenv("STRIPE_SECRET_KEY"); key != "" {
			svc = svc.WithStripe(payments.StripeConfig{SecretKey: key, WebhookSecret: env.Getenv("STRIPE_WEBHOOK_SECRET"),
				PublishableKey: env.Getenv("STRIPE_PUBLISHABLE_KEY"),
				BackendURL:     env.Getenv("STRIPE_API_URL")})
		}
		a.svc.Payments = svc
		paymentsService.Store(svc)
		return nil
	})
	routeHooks = append(routeHooks, func(a *app) {
		if a.svc.Payments != nil && a.svc.Payments.CardsEnabled() {
			a.server.Handle("POST /webhooks/stripe", gateway.StripeWebhook(a.svc.Payments, a.log))
		}
	})
}
