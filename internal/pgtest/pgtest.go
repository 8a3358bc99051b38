// Package pgtest gives each test its own PostgreSQL database, cloned from a template
// migrated once per test process, on a real server: the one named by
// GUILDMART_TEST_PG_URL (a superuser URL; `make test` starts one cluster for the run),
// or else a throwaway cluster this package starts and stops itself.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/migrate"
	"github.com/guildmart/guildmart/internal/pgcluster"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is one test's database.
type DB struct {
	Name     string
	App      *pgxpool.Pool // as guildmart_app: row-level security applies
	Owner    *pgxpool.Pool // as the owner: for setup and for checking what was written
	AppURL   string
	OwnerURL string
	Counter  *db.QueryCounter // counts the App pool's statements
	kept     atomic.Bool
}

// Keep leaves d's database in place when the test ends and writes its URLs to path as
// DATABASE_URL=… and MIGRATION_DATABASE_URL=… lines, so a later step can inspect it
// (make test runs `guildmart ledger check` on the end-to-end test's database).
func (d *DB) Keep(path string) error {
	d.kept.Store(true)
	return os.WriteFile(path, []byte("DATABASE_URL='"+d.AppURL+"'\nMIGRATION_DATABASE_URL='"+d.OwnerURL+"'\n"), 0o600)
}

var (
	superURL    string
	cluster     *pgcluster.Cluster
	clusterTemp string // the temporary directory holding the cluster's data/, removed with it
	template    string
	setupOnce   sync.Once
	setupErr    error
	cloneMu     sync.Mutex
	seq         atomic.Int64
)

// Main runs the package's tests; call it from TestMain so a cluster this package started
// is stopped afterwards.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		_ = cluster.Stop()
		_ = os.RemoveAll(clusterTemp)
	}
	os.Exit(code)
}

// SuperURL returns the superuser URL of the test server, starting it if needed.
func SuperURL(tb testing.TB) string {
	tb.Helper()
	setupOnce.Do(setup)
	if setupErr != nil {
		tb.Fatalf("pgtest: %v", setupErr)
	}
	return superURL
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	superURL = os.Getenv("GUILDMART_TEST_PG_URL")
	if superURL == "" {
		dir, err := os.MkdirTemp("", "guildmart-pgtest-")
		if err != nil {
			setupErr = err
			return
		}
		clusterTemp = dir
		_ = os.Chmod(dir, 0o755)
		port, err := pgcluster.FreePort()
		if err != nil {
			setupErr = err
			return
		}
		c, err := pgcluster.New(dir+"/data", port)
		if err != nil {
			setupErr = err
			return
		}
		c.Fsync = false
		if err := c.Init(ctx); err != nil {
			setupErr = err
			return
		}
		if err := c.Start(ctx); err != nil {
			setupErr = err
			return
		}
		cluster = c
		superURL = c.URL("postgres", "postgres")
	}
	conn, err := pgx.Connect(ctx, superURL)
	if err != nil {
		setupErr = fmt.Errorf("connect %s: %w", superURL, err)
		return
	}
	defer conn.Close(ctx)
	template = fmt.Sprintf("gm_tmpl_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if err := pgcluster.BootstrapRoles(ctx, conn, template); err != nil {
		setupErr = err
		return
	}
	if err := migrate.Up(ctx, withDB(superURL, pgcluster.OwnerRole, template), nil); err != nil {
		setupErr = fmt.Errorf("migrate template: %w", err)
		return
	}
}

func withDB(base, user, database string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.User = url.User(user)
	u.Path = "/" + database
	return u.String()
}

// New creates a fresh migrated database for tb and drops it when tb ends.
func New(tb testing.TB) *DB {
	tb.Helper()
	su := SuperURL(tb)
	ctx := context.Background()
	name := fmt.Sprintf("gm_t_%d_%d", os.Getpid(), seq.Add(1))
	cloneMu.Lock()
	conn, err := pgx.Connect(ctx, su)
	if err == nil {
		_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s OWNER %s`, name, template, pgcluster.OwnerRole))
		conn.Close(ctx)
	}
	cloneMu.Unlock()
	if err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	d := &DB{Name: name, Counter: &db.QueryCounter{}}
	d.AppURL = withDB(su, pgcluster.AppRole, name)
	d.OwnerURL = withDB(su, pgcluster.OwnerRole, name)
	if d.App, err = db.Open(ctx, d.AppURL, d.Counter); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	if d.Owner, err = db.Open(ctx, d.OwnerURL, nil); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		d.App.Close()
		d.Owner.Close()
		if d.kept.Load() {
			return
		}
		conn, err := pgx.Connect(context.Background(), su)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return d
}
