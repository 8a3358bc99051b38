package main

import (
	"context"
	"fmt"
	"net"
)

func init() {
	register("dev", "run everything on the embedded default: local PostgreSQL, migrations, demo data, gateway and workers", func(ctx context.Context, env *Env) error {
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		if err := migrateUp(ctx, env, dbs.OwnerURL); err != nil {
			return err
		}
		keys, err := seed(ctx, env, dbs, 0)
		if err != nil {
			return err
		}
		a, err := newApp(ctx, env, dbs.AppURL, true, true)
		if err != nil {
			return err
		}
		defer a.close()
		stop, err := a.runWorkers(ctx, env.Config.ShutdownGrace)
		if err != nil {
			return err
		}
		defer stop()
		return serveHTTP(ctx, env.Config.Addr, a.server, env.Config.ShutdownGrace, func(addr net.Addr) {
			u := displayURL(addr)
			fmt.Fprintf(env.Stdout, "\nGuildmart %s is running at %s\n", version, u)
			fmt.Fprintf(env.Stdout, "  console    %s/console      (sign in with a key below)\n  storefront %s/s/hanse-shop  and  %s/s/lily\n", u, u, u)
			fmt.Fprintf(env.Stdout, "  GraphiQL   %s/graphql\n  GraphQL    POST %s/graphql\n  health     %s/readyz\n\n", u, u, u)
			printKeys(env, keys)
			fmt.Fprintln(env.Stdout, "\nPress Ctrl-C to stop (the database stops with it; data stays in "+env.Config.DataDir+").")
		})
	})
}
