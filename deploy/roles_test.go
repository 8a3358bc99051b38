package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/migrate"
	"github.com/guildmart/guildmart/internal/pgcluster"
	"github.com/guildmart/guildmart/tenants"
)

// TestPostgresInit runs the compose file's init script with psql on a fresh cluster, as
// the postgres image would on first start, then migrates as the owner it created and
// checks the application role is bound by row-level security, as `guildmart serve`
// requires.
func TestPostgresInit(t *testing.T) {
	t.Parallel()
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql not found: it comes with the PostgreSQL packages `make test` needs")
	}
	ctx := context.Background()
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "guildmart-deploy-init-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	c, err := pgcluster.New(filepath.Join(dir, "data"), port)
	if err != nil {
		t.Fatal(err)
	}
	c.Fsync = false
	if err := c.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })

	cmd := exec.CommandContext(ctx, "sh", "postgres/init.sh")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(psql)+":"+os.Getenv("PATH"),
		"POSTGRES_USER=postgres", "PGHOST=127.0.0.1", "PGPORT="+strconv.Itoa(port),
		"GUILDMART_OWNER_PASSWORD=o", "GUILDMART_APP_PASSWORD=a", "KRATOS_DB_PASSWORD=k")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("init.sh: %v\n%s", err, out)
	}

	ownerURL := c.URL(pgcluster.OwnerRole, pgcluster.Database)
	if err := migrate.Up(ctx, ownerURL, nil); err != nil {
		t.Fatalf("migrating as the owner the script created: %v", err)
	}
	owner, err := db.Open(ctx, ownerURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := tenants.CreateConsortium(ctx, owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: 500}); err != nil {
		t.Fatal(err)
	}
	app, err := db.Open(ctx, c.URL(pgcluster.AppRole, pgcluster.Database), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var super, bypass, owns bool
	var visible, currencies int
	if err := app.QueryRow(ctx, `SELECT r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user),
		(SELECT count(*) FROM consortia), (SELECT count(*) FROM currencies)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &bypass, &owns, &visible, &currencies); err != nil {
		t.Fatal(err)
	}
	if super || bypass || owns || visible != 0 || currencies == 0 {
		t.Fatalf("app role: superuser %v, bypassrls %v, owns tables %v, sees %d consortia without a scope (want 0), %d currencies",
			super, bypass, owns, visible, currencies)
	}
	var kratosOwner string
	if err := owner.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'kratos'`).Scan(&kratosOwner); err != nil || kratosOwner != "kratos" {
		t.Fatalf("kratos database owned by %q (%v), want kratos", kratosOwner, err)
	}
}
