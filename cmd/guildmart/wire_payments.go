package main

import (
	"context"

	"github.com/guildmart/guildmart/fulfillment/payments"
)

func init() {
	wireHooks = append(wireHooks, func(_ context.Context, _ *Env, a *app) error {
		a.svc.Payments = payments.NewService(a.pool)
		return nil
	})
}
