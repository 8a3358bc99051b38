package kratostest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

var dbs atomic.Int64

// StartOnTestDB starts a Kratos on a fresh database of the tests' PostgreSQL server
// (internal/pgtest); it stops, and the database is dropped, when tb ends. It skips,
// saying why, when Kratos is not built or GUILDMART_SKIP_KRATOS=1. Kratos takes seconds
// to start: share one across the subtests of a test.
func StartOnTestDB(tb testing.TB) *Kratos {
	tb.Helper()
	if os.Getenv("GUILDMART_SKIP_KRATOS") == "1" || Binary() == "" {
		return Start(tb, "") // skips, saying why
	}
	su := pgtest.SuperURL(tb)
	name := fmt.Sprintf("kratos_%d_%d", os.Getpid(), dbs.Add(1))
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
	u, _ := url.Parse(su)
	u.Path = "/" + name
	return Start(tb, u.String())
}
