package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/guildmart/guildmart/internal/migrate"
)

func init() {
	register("serve", "serve the GraphQL gateway (DATABASE_URL required)", func(ctx context.Context, env *Env) error {
		if env.Config.DatabaseURL == "" {
			return fmt.Errorf("serve needs DATABASE_URL (the application role's connection); for the embedded default run `guildmart dev`")
		}
		a, err := newApp(ctx, env, env.Config.DatabaseURL, false, false)
		if err != nil {
			return err
		}
		defer a.close()
		if st, err := migrate.Check(ctx, a.pool); err != nil || st.Ready() != nil {
			a.log.Warn("database is not fully migrated; /readyz reports unavailable until `guildmart migrate up` runs")
		}
		return serveHTTP(ctx, env.Config.Addr, a.server, env.Config.ShutdownGrace, func(addr net.Addr) {
			a.log.Info("serving", "addr", addr.String(), "version", version)
		})
	})
	register("work", "run background job workers (search indexing, imports, webhooks, payouts)", func(ctx context.Context, env *Env) error {
		if env.Config.DatabaseURL == "" {
			return fmt.Errorf("work needs DATABASE_URL (the application role's connection); `guildmart dev` runs workers itself")
		}
		a, err := newApp(ctx, env, env.Config.DatabaseURL, true, false)
		if err != nil {
			return err
		}
		defer a.close()
		stop, err := a.runWorkers(ctx, env.Config.ShutdownGrace)
		if err != nil {
			return err
		}
		defer stop()
		// Workers expose health and metrics on the admin address; the gateway's handler
		// serves them (its GraphQL route is unused here).
		admin := http.NewServeMux()
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			admin.Handle("GET "+p, a.server)
		}
		return serveHTTP(ctx, env.Config.AdminAddr, admin, env.Config.ShutdownGrace, func(addr net.Addr) {
			a.log.Info("workers running", "admin", addr.String(), "max_workers", env.Config.Workers)
		})
	})
}

// displayURL turns a listen address into a URL a person can open.
func displayURL(addr net.Addr) string {
	s := addr.String()
	if strings.HasPrefix(s, "[::]:") || strings.HasPrefix(s, "0.0.0.0:") {
		s = "localhost:" + s[strings.LastIndex(s, ":")+1:]
	}
	return "http://" + s
}
