package identity_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

var kratosDBs atomic.Int64

// startKratos starts Kratos on a fresh database of the shared test server (no second
// PostgreSQL cluster); the database is dropped after Kratos stops. It skips like
// kratostest.Start.
func startKratos(tb testing.TB) *kratostest.Kratos {
	tb.Helper()
	if os.Getenv("GUILDMART_SKIP_KRATOS") == "1" || kratostest.Binary() == "" {
		return kratostest.Start(tb, "") // skips with the reason
	}
	su := pgtest.SuperURL(tb)
	name := fmt.Sprintf("kratos_%d_%d", os.Getpid(), kratosDBs.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, su)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	conn.Close(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if conn, err := pgx.Connect(context.Background(), su); err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	u, err := url.Parse(su)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return kratostest.Start(tb, u.String())
}
