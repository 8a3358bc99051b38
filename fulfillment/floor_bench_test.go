package fulfillment_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The floor of a checkout: pgbench writing the rows one checkout writes — as many, into
// as many tables, maintaining as many indexes — and doing nothing else: no reads, no
// pricing, no routing, no row-level security, no foreign keys, no checks, no triggers,
// narrow rows, one server-side function call per transaction (plans cached, one round
// trip). Whatever an implementation of the checkout issue does, it writes at least these
// rows in one transaction, so this TPS bounds its orders/s from above. BENCH_FLOOR=1 runs
// it beside simple-update (floor_tps, floor_ratio).

// floorTable is one table a checkout writes, per order: rows inserted, rows updated in
// place (HOT: no index entry), and the table's indexes. The figures are what
// pg_stat_user_tables counted per checkout in this benchmark (BENCH_STATS=1 prints them).
type floorTable struct {
	name             string
	inserts, updates int
	indexes          int
	spread           int // updated rows: how many rows the updates pick from
}

var checkoutRows = []floorTable{
	{"ledger_entries", 12, 0, 5, 0},
	{"order_lines", 3, 0, 2, 0},
	{"order_line_routing", 3, 0, 2, 0},
	{"fulfillment_order_lines", 3, 0, 4, 0},
	{"fulfillment_orders", 2, 0, 6, 0},
	{"webhook_deliveries", 2, 0, 2, 0},
	{"river_job", 2, 0, 7, 0},
	{"stock_movements", 2, 0, 3, 0},
	{"orders", 1, 0, 7, 0},
	{"invoices", 1, 0, 2, 0},
	{"ledger_transactions", 1, 0, 3, 0},
	{"idempotency_keys", 1, 1, 1, 100000},
	{"ledger_balances", 1, 4, 2, 64},
	{"warehouse_stock", 0, 2, 3, 100},
	{"carts", 0, 1, 1, 100000},
}

// checkoutFloor creates the floor's tables and function in the pgbench database and
// returns the path of the pgbench script that calls it.
func checkoutFloor(b *testing.B, ctx context.Context, host string, port uint16, user, dbname string) string {
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", user, host, port, dbname))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	cols := []string{"k1", "k2", "k1, at", "k2, at", "at", "n", "k1, n"}
	var ddl, body strings.Builder
	for _, t := range checkoutRows {
		// Updated rows are found by an integer key: stock among the benchmark's 100
		// products, balances among 64 slots, carts and keys among many (one per order).
		fmt.Fprintf(&ddl, "CREATE TABLE f_%[1]s (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), slot int, k1 uuid, k2 uuid, n bigint, t text, at timestamptz DEFAULT now());\n", t.name)
		for i := 0; i < t.indexes-1; i++ {
			fmt.Fprintf(&ddl, "CREATE INDEX ON f_%s (%s);\n", t.name, cols[i])
		}
		if t.updates > 0 {
			fmt.Fprintf(&ddl, "CREATE UNIQUE INDEX f_%[1]s_slot ON f_%[1]s (slot) WHERE slot IS NOT NULL;\n", t.name)
			fmt.Fprintf(&ddl, "INSERT INTO f_%s (slot, k1, k2, n, t) SELECT g, gen_random_uuid(), gen_random_uuid(), 0, 'x' FROM generate_series(1, 100000) g;\n", t.name)
		}
		if t.inserts > 0 {
			fmt.Fprintf(&body, "  INSERT INTO f_%s (k1, k2, n, t) SELECT s, o, g, 'a checkout row' FROM generate_series(1, %d) g;\n", t.name, t.inserts)
		}
		if t.updates > 0 {
			fmt.Fprintf(&body, "  UPDATE f_%s SET n = n + 1 WHERE slot = ANY (ARRAY(SELECT 1 + (random() * %d)::int + g * %d FROM generate_series(0, %d) g));\n",
				t.name, t.spread/t.updates-1, t.spread/t.updates, t.updates-1)
		}
	}
	fmt.Fprintf(&ddl, `CREATE FUNCTION floor_checkout() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s uuid := '00000000-0000-0000-0000-000000000001';
  o uuid := gen_random_uuid();
BEGIN
%s
END
$$;
`, body.String())
	if _, err := conn.PgConn().Exec(ctx, ddl.String()).ReadAll(); err != nil {
		b.Fatalf("floor: %v\n%s", err, ddl.String())
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "checkout_floor.sql")
	if err := os.WriteFile(path, []byte("SELECT floor_checkout();\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}
