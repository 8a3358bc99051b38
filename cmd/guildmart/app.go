package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// app is one process's wiring: pool, job client, domain services, gateway.
type app struct {
	pool   *pgxpool.Pool
	jobs   *river.Client[pgx.Tx]
	svc    gateway.Services
	server *gateway.Server
	log    *slog.Logger
	// flushTraces sends buffered spans on close (a no-op when tracing is off).
	flushTraces telemetry.Shutdown
}

// wireHooks let areas add services and HTTP routes (each in its own wire_*.go file).
var wireHooks []func(ctx context.Context, env *Env, a *app) error

func newApp(ctx context.Context, env *Env, appURL string, work bool, introspection bool) (*app, error) {
	log := env.Config.logger(os.Stderr)
	role := "gateway"
	if work {
		role = "worker" // dev too: it works jobs as well as serving
	}
	flush, err := telemetry.Setup(ctx, telemetry.Options{Service: "guildmart", Version: version, Role: role, Getenv: env.Getenv})
	if err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, appURL, telemetry.NewSQLTracer(nil)) // SQL spans under operation and job spans
	if err != nil {
		return nil, err
	}
	if err := checkAppRole(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	jc, err := jobs.New(pool, jobs.Options{Work: work, MaxWorkers: env.Config.Workers, Logger: log})
	if err != nil {
		pool.Close()
		return nil, err
	}
	a := &app{pool: pool, jobs: jc, log: log, flushTraces: flush}
	a.svc = gateway.Services{
		Pool:        pool,
		Tenants:     tenants.NewService(pool),
		Catalog:     catalog.NewService(pool, jc),
		Imports:     imports.NewService(pool, jc),
		Federation:  federation.NewService(pool, jc),
		Fulfillment: fulfillment.NewService(pool, jc),
	}
	for _, h := range wireHooks {
		if err := h(ctx, env, a); err != nil {
			pool.Close()
			return nil, err
		}
	}
	if env.Config.Introspection != nil {
		introspection = *env.Config.Introspection
	}
	a.server, err = gateway.NewServer(gateway.Config{RequestTimeout: env.Config.RequestTimeout, Introspection: introspection, Version: version}, a.svc, log, authenticators(a)...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if work { // one queue count per worker process, not per gateway replica
		if err := a.server.RegisterMetrics(telemetry.NewJobQueue(pool)); err != nil {
			pool.Close()
			return nil, err
		}
	}
	for _, h := range routeHooks {
		h(a)
	}
	return a, nil
}

// routeHooks mount areas' HTTP endpoints on the gateway once it exists.
var routeHooks []func(a *app)

func (a *app) close() {
	a.pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.flushTraces(ctx); err != nil {
		a.log.Warn("could not flush traces", "error", err)
	}
}

// serveHTTP serves h on addr until ctx ends, then shuts down within grace: in-flight
// requests finish, new ones are refused.
func serveHTTP(ctx context.Context, addr string, h http.Handler, grace time.Duration, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (%v): stop what uses it or set GUILDMART_ADDR to a free address", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// runWorkers starts the job client's workers and stops them (letting running jobs
// finish within grace) when ctx ends.
func (a *app) runWorkers(ctx context.Context, grace time.Duration) (stop func(), err error) {
	if jobs.Registered() == 0 {
		return func() {}, nil // nothing registered to work on
	}
	if err := a.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := a.jobs.Stop(sctx); err != nil {
			_ = a.jobs.StopAndCancel(context.Background())
		}
	}, nil
}
