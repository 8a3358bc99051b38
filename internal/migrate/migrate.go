// Package migrate applies the embedded SQL migrations (tern) and River's job tables
// (rivermigrate) as the owner role, and reports whether a database is current.
package migrate

import (
	"context"
	"fmt"

	"github.com/guildmart/guildmart/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	tern "github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// VersionTable is where tern records the applied version.
const VersionTable = "public.schema_version"

// Status is the applied and latest migration version.
type Status struct {
	Current, Latest int32
	RiverCurrent    bool
}

// Latest is the number of embedded migrations.
func Latest() (int32, error) {
	names, err := tern.FindMigrations(schema.Migrations())
	if err != nil {
		return 0, err
	}
	return int32(len(names)), nil
}

// Up applies every pending migration over the owner's connection url, then River's.
// progress (may be nil) is told each migration as it starts.
func Up(ctx context.Context, ownerURL string, progress func(version int32, name string)) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect for migrations: %w", err)
	}
	defer conn.Close(ctx)
	m, err := tern.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(schema.Migrations()); err != nil {
		return err
	}
	if progress != nil {
		m.OnStart = func(seq int32, name, _, _ string) { progress(seq, name) }
	}
	if err := m.Migrate(ctx); err != nil {
		return err
	}
	// The version table must be readable by the app for /readyz.
	if _, err := conn.Exec(ctx, `GRANT SELECT ON `+VersionTable+` TO guildmart_app`); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rm, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	// River's tables are created after the default privileges, but by the same owner, so
	// they are granted already; sequences and functions too. Make it explicit anyway for
	// databases migrated by another role.
	_, err = pool.Exec(ctx, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO guildmart_app;
		GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO guildmart_app`)
	return err
}

// Check reads the applied version over any connection (the app role may read it).
func Check(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (Status, error) {
	latest, err := Latest()
	if err != nil {
		return Status{}, err
	}
	st := Status{Latest: latest}
	if err := q.QueryRow(ctx, `SELECT version FROM `+VersionTable).Scan(&st.Current); err != nil {
		return st, err
	}
	if err := q.QueryRow(ctx, `SELECT to_regclass('public.river_job') IS NOT NULL`).Scan(&st.RiverCurrent); err != nil {
		return st, err
	}
	return st, nil
}

// Ready reports an error unless the database holds at least this binary's migrations. A
// database ahead of the binary is ready: migrations stay backwards-compatible for one
// release, so the previous release keeps serving during a rollout or a rollback.
func (s Status) Ready() error {
	if s.Current < s.Latest {
		return fmt.Errorf("database at migration %d of %d: run `guildmart migrate up`", s.Current, s.Latest)
	}
	if !s.RiverCurrent {
		return fmt.Errorf("job tables missing: run `guildmart migrate up`")
	}
	return nil
}
