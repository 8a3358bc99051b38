package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgcluster"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// databases are the two connections a process may need.
type databases struct {
	AppURL, OwnerURL string
	stop             func()
}

// openDatabases returns DATABASE_URL/MIGRATION_DATABASE_URL when set; otherwise it
// starts the embedded cluster under GUILDMART_DATA_DIR (creating it the first time) and
// returns a stop function that stops it again if this process started it.
func openDatabases(ctx context.Context, env *Env) (*databases, error) {
	c := env.Config
	if c.DatabaseURL != "" {
		return &databases{AppURL: c.DatabaseURL, OwnerURL: c.MigrationURL, stop: func() {}}, nil
	}
	cl, err := pgcluster.New(filepath.Join(c.DataDir, "pg"), c.PGPort)
	if err != nil {
		return nil, err
	}
	if !cl.Initialized() {
		fmt.Fprintf(env.Stderr, "guildmart: creating the PostgreSQL cluster in %s (first run)\n", cl.Dir)
		if err := cl.Init(ctx); err != nil {
			return nil, err
		}
	}
	started := false
	if running(ctx, cl) {
		fmt.Fprintf(env.Stderr, "guildmart: using the PostgreSQL cluster already running on port %d\n", cl.Port)
	} else {
		_ = os.Remove(filepath.Join(cl.Dir, "postmaster.pid")) // stale after a crash; pg_ctl checks the pid itself otherwise
		if err := cl.Start(ctx); err != nil {
			return nil, err
		}
		started = true
	}
	if err := cl.Bootstrap(ctx, pgcluster.Database); err != nil {
		if started {
			_ = cl.Stop()
		}
		return nil, err
	}
	d := &databases{
		AppURL:   cl.URL(pgcluster.AppRole, pgcluster.Database),
		OwnerURL: cl.URL(pgcluster.OwnerRole, pgcluster.Database),
		stop:     func() {},
	}
	if started {
		d.stop = func() {
			if err := cl.Stop(); err != nil {
				fmt.Fprintln(env.Stderr, "guildmart:", err)
			}
		}
	}
	return d, nil
}

func running(ctx context.Context, cl *pgcluster.Cluster) bool {
	conn, err := pgx.Connect(ctx, cl.URL("postgres", "postgres"))
	if err != nil {
		return false
	}
	conn.Close(ctx)
	return true
}

// checkAppRole refuses to serve over a connection that row-level security would not
// bind: a superuser, a BYPASSRLS role, or the tables' owner.
func checkAppRole(ctx context.Context, pool *pgxpool.Pool) error {
	var super, bypass, owner bool
	err := pool.QueryRow(ctx, `SELECT r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'consortia' AND tableowner = current_user)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &bypass, &owner)
	if err != nil {
		return err
	}
	if super || bypass || owner {
		return fmt.Errorf("DATABASE_URL connects as a superuser, a BYPASSRLS role or the tables' owner, so row-level security would not apply: connect as a role granted guildmart_app, and put the owner in MIGRATION_DATABASE_URL")
	}
	return nil
}

func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) { return db.Open(ctx, url, nil) }
