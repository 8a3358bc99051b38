package main

import (
	"context"
	"sync/atomic"

	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/jobs"
)

// fulfillmentService is the process's fulfilment service, set once the app is wired. The
// workers are registered before (the job client is built first) and look it up when a
// job runs.
var fulfillmentService atomic.Pointer[fulfillment.Service]

func init() {
	jobs.Register(fulfillment.Workers(fulfillmentService.Load, 0)) // webhook deliveries; SLA escalation every 15 minutes
	wireHooks = append(wireHooks, func(_ context.Context, _ *Env, a *app) error {
		fulfillmentService.Store(a.svc.Fulfillment)
		return nil
	})
}
