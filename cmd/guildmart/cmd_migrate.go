package main

import (
	"context"
	"fmt"

	"github.com/guildmart/guildmart/internal/migrate"
)

func init() {
	register("migrate", "apply database migrations: migrate up | migrate status", func(ctx context.Context, env *Env) error {
		sub := "up"
		if len(env.Args) > 0 {
			sub = env.Args[0]
		}
		if sub != "up" && sub != "status" {
			return fmt.Errorf("migrate: unknown subcommand %q (up or status)", sub)
		}
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		if sub == "up" {
			return migrateUp(ctx, env, dbs.OwnerURL)
		}
		pool, err := openPool(ctx, dbs.OwnerURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		st, err := migrate.Check(ctx, pool)
		if err != nil {
			latest, _ := migrate.Latest()
			fmt.Fprintf(env.Stdout, "database not migrated (latest migration %d): run `guildmart migrate up`\n", latest)
			return nil
		}
		fmt.Fprintf(env.Stdout, "migration %d of %d; job tables present: %v\n", st.Current, st.Latest, st.RiverCurrent)
		return nil
	})
}

func migrateUp(ctx context.Context, env *Env, ownerURL string) error {
	return migrate.Up(ctx, ownerURL, func(v int32, name string) {
		fmt.Fprintf(env.Stderr, "guildmart: migration %d %s\n", v, name)
	})
}
