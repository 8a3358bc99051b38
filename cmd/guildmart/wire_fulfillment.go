package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
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

// The demo warehouses hold stock of every consigned demo variant (50 units, received once),
// so a demo shopper can buy what the storefronts show. Runs after the catalog's seed hook
// (init order is file-name order).
func init() {
	seedHooks = append(seedHooks, func(ctx context.Context, env *Env, owner *pgxpool.Pool, s *seeded) error {
		tag, err := owner.Exec(ctx, `WITH r AS (
				INSERT INTO warehouse_stock (consortium_id, warehouse_id, variant_id, supplier_id, on_hand)
				SELECT vw.consortium_id, vw.warehouse_id, vw.variant_id, v.supplier_id, 50
				FROM variant_warehouses vw
				JOIN offer_variants v ON v.consortium_id = vw.consortium_id AND v.id = vw.variant_id
				WHERE vw.consortium_id = $1
				ON CONFLICT DO NOTHING
				RETURNING consortium_id, warehouse_id, variant_id, supplier_id, on_hand)
			INSERT INTO stock_movements (consortium_id, warehouse_id, variant_id, supplier_id, kind, on_hand_delta, reason, actor)
			SELECT consortium_id, warehouse_id, variant_id, supplier_id, 'RECEIPT', on_hand, 'demo stock', 'seed' FROM r`, s.Consortium.ID)
		if err != nil {
			return fmt.Errorf("seed stock: %w", err)
		}
		if n := tag.RowsAffected(); n > 0 {
			fmt.Fprintf(env.Stderr, "guildmart: received demo stock for %d consigned variants\n", n)
		}
		return nil
	})
}
