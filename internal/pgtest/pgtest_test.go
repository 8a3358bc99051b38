package pgtest_test

import (
	"context"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	a, b := pgtest.New(t), pgtest.New(t)
	if a.Name == b.Name {
		t.Fatal("two tests got the same database")
	}
	ctx := context.Background()
	if _, err := a.Owner.Exec(ctx, `INSERT INTO consortia (handle, name, currency, fee_bps) VALUES ('only-a', 'A', 'EUR', 100)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Owner.QueryRow(ctx, `SELECT count(*) FROM consortia`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database b sees %d consortia written to a", n)
	}
}

func TestAppRoleIsNotPrivileged(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	var super, bypass bool
	err := d.App.QueryRow(context.Background(), `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("app role must not be superuser (%v) or bypass RLS (%v)", super, bypass)
	}
	// Unscoped, the app sees nothing even where rows exist.
	if _, err := d.Owner.Exec(context.Background(), `INSERT INTO consortia (handle, name, currency, fee_bps) VALUES ('c1', 'C', 'EUR', 100)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.App.QueryRow(context.Background(), `SELECT count(*) FROM consortia`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("unscoped app role sees %d consortia, want 0 (fail closed)", n)
	}
}
