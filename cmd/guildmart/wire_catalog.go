package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The demo catalog: 200 offers of the demo suppliers (plus --offers N generated ones),
// categories and two warehouses; idempotent.
func init() {
	seedHooks = append(seedHooks, func(ctx context.Context, env *Env, owner *pgxpool.Pool, s *seeded) error {
		var suppliers []uuid.UUID
		for _, h := range []string{"acme-tools", "nordic-home", "sunrise-textiles", "hanse-dealer"} {
			if m := s.Members[h]; m != nil {
				suppliers = append(suppliers, m.ID)
			}
		}
		n := 200
		if s.Offers > n {
			n = s.Offers
		}
		res, err := catalog.SeedDemo(ctx, owner, s.Consortium.ID, suppliers, catalog.SeedOptions{Offers: n})
		if err != nil {
			return fmt.Errorf("seed catalog: %w", err)
		}
		if res.Offers > 0 {
			fmt.Fprintf(env.Stderr, "guildmart: seeded %d categories, %d warehouses, %d offers with %d variants\n", res.Categories, res.Warehouses, res.Offers, res.Variants)
		}
		return nil
	})
}
