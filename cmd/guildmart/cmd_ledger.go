package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildmart/guildmart/fulfillment/ledger"
)

const ledgerUsage = "ledger: usage: guildmart ledger check"

func init() {
	register("ledger", "settlement ledger: ledger check verifies every transaction sums to zero and balances match entries", func(ctx context.Context, env *Env) error {
		if len(env.Args) != 1 || env.Args[0] != "check" {
			return errors.New(ledgerUsage)
		}
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		// The check reads every tenant's ledger: it needs the owner (migration) role, which
		// row-level security does not filter.
		if dbs.OwnerURL == "" {
			return errors.New("ledger check: set MIGRATION_DATABASE_URL (the owner role reads every tenant's ledger)")
		}
		pool, err := openPool(ctx, dbs.OwnerURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		probs, err := ledger.Check(ctx, pool)
		if err != nil {
			return err
		}
		for _, p := range probs {
			fmt.Fprintln(env.Stdout, p)
		}
		if len(probs) > 0 {
			return fmt.Errorf("ledger check: %d problems", len(probs))
		}
		fmt.Fprintln(env.Stdout, "ledger check: ok")
		return nil
	})
}
