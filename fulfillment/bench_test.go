package fulfillment_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkCheckout measures checkouts of 3-line carts (two lines from warehouse stock,
// one drop-shipped) by 8 concurrent clients in one storefront, as orders/s, and — when
// PGBIN names PostgreSQL's bin directory (scripts/with-pg.sh exports it) — the TPS of
// `pgbench -b simple-update -c 8 -j 2 -T 15` on the same cluster in the same run, and
// the ratio of the two:
//
//	scripts/with-pg.sh go test ./fulfillment -run '^$' -bench Checkout -benchtime 20s -count 3
//
// minCheckouts is the fewest checkouts one benchmark run makes, so that `-benchtime 1x`
// (make bench) still measures a steady state; orders/s is computed from what ran.
const minCheckouts = 2000

func BenchmarkCheckout(b *testing.B) {
	ctx := context.Background()
	tps := pgbenchTPS(b)
	w := newWorld(b)
	const products = 100 // warehouse variants (ample stock) and as many drop-ship ones
	var stocked, direct []item
	for i := 0; i < products; i++ {
		it := w.offer(b, w.sup, fmt.Sprint("Mug ", i), v{wholesale: 1000, srp: 4777})[0]
		w.receive(b, w.whMunich, it, 1_000_000_000)
		stocked = append(stocked, it)
		direct = append(direct, w.offer(b, w.sup2, fmt.Sprint("Lamp ", i), v{wholesale: 3000, srp: 8999, direct: berlin})[0])
	}
	// The seller and the supplier listen to their events: deliveries are part of the cost.
	for _, p := range []struct {
		url string
		ev  string
	}{{"https://seller.example/hooks", "order.created"}, {"https://supplier.example/hooks", "fulfillment_order.created"}} {
		owner := w.sel
		if p.ev != "order.created" {
			owner = w.sup2
		}
		if _, _, err := w.svc.CreateWebhookEndpoint(ctx, owner, fulfillment.WebhookEndpointCreate{URL: p.url, Events: []string{p.ev}}); err != nil {
			b.Fatal(err)
		}
	}
	// A running shop, not an empty one: some orders first, then statistics of every table
	// as autovacuum would keep them, then fresh connections (whose cached plans follow them).
	const warmup = 300
	n := max(b.N, minCheckouts)
	carts := makeCarts(b, w, n+warmup, stocked, direct)
	for _, c := range carts[n:] {
		if _, err := w.svc.Checkout(ctx, w.shopper(), fulfillment.CheckoutInput{CartID: c, Email: "warm@example.com",
			ShippingAddress: munich, IdempotencyKey: "warm"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := w.d.Owner.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	pool, err := db.Open(ctx, w.d.AppURL+"&pool_max_conns="+benchPoolConns(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	// Deliveries' River jobs are enqueued in the checkout's transaction, as in the product
	// (an insert-only client: nothing works them off during the run).
	var svc *fulfillment.Service
	enq, err := jobs.New(pool, jobs.Options{Registrations: []jobs.Registration{fulfillment.Workers(func() *fulfillment.Service { return svc }, -1)}})
	if err != nil {
		b.Fatal(err)
	}
	svc = fulfillment.NewService(pool, enq)

	stats := statementStats(b)
	rows := rowStats(b, w.d.Owner)
	meter := newCPUMeter(b)
	var db0, app0 time.Duration
	if meter != nil {
		db0, app0 = meter.server(), meter.client()
	}
	shopper := w.shopper()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	clients := 8 // like pgbench -c 8
	if n, err := strconv.Atoi(os.Getenv("BENCH_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if _, err := svc.Checkout(ctx, shopper, fulfillment.CheckoutInput{CartID: carts[i], Email: "bench@example.com",
					ShippingAddress: munich, IdempotencyKey: "bench"}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	stats()
	rows(n)
	ops := float64(n) / b.Elapsed().Seconds()
	b.ReportMetric(ops, "orders/s")
	if tps > 0 {
		b.ReportMetric(tps, "pgbench_tps")
		b.ReportMetric(ops/tps, "ratio")
	}
	if floorResult > 0 {
		b.ReportMetric(floorResult, "floor_tps")
		b.ReportMetric(ops/floorResult, "floor_ratio")
	}
	if meter != nil {
		dbCPU := float64((meter.server() - db0).Microseconds()) / 1000 / float64(n)
		appCPU := float64((meter.client() - app0).Microseconds()) / 1000 / float64(n)
		b.ReportMetric(dbCPU, "db-cpu-ms/order")
		b.ReportMetric(appCPU, "app-cpu-ms/order")
		if pgbenchCPU > 0 {
			// What throughput would be on a machine where CPU is the only limit: the
			// ratio of the CPU one pgbench transaction costs (server and pgbench) to
			// what one checkout costs (server and application).
			b.ReportMetric(pgbenchCPU, "pgbench-cpu-ms/tx")
			b.ReportMetric(pgbenchCPU/(dbCPU+appCPU), "cpu_ratio")
		}
	}
}

// makeCarts creates n anonymous carts of 3 lines each (two stocked variants, one
// drop-shipped) set-based, priced as the storefront shows them.
func makeCarts(b *testing.B, w *world, n int, stocked, direct []item) []uuid.UUID {
	b.Helper()
	ctx := context.Background()
	ids := make([]uuid.UUID, n)
	l1, l2, l3 := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
		a := rand.IntN(len(stocked))
		l1[i], l2[i], l3[i] = stocked[a].lv, stocked[(a+1+rand.IntN(len(stocked)-1))%len(stocked)].lv, direct[rand.IntN(len(direct))].lv
	}
	_, err := w.d.Owner.Exec(ctx, `WITH c AS (
			INSERT INTO carts (storefront_id, id, consortium_id, member_id, currency)
			SELECT s.id, u.id, s.consortium_id, s.member_id, s.currency FROM storefronts s, unnest($2::uuid[]) AS u (id) WHERE s.id = $1
			RETURNING storefront_id, id, consortium_id, member_id)
		INSERT INTO cart_lines (storefront_id, cart_id, listing_variant_id, consortium_id, member_id, position, quantity, unit_price)
		SELECT c.storefront_id, c.id, x.lv, c.consortium_id, c.member_id, x.pos, 1, lv.price
		FROM c JOIN unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[]) AS u (id, a, b, d) ON u.id = c.id
		CROSS JOIN LATERAL (VALUES (u.a, 1), (u.b, 2), (u.d, 3)) AS x (lv, pos)
		JOIN listing_variants lv ON lv.storefront_id = c.storefront_id AND lv.id = x.lv`, w.sf.ID, ids, l1, l2, l3)
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// statementStats, when BENCH_STATS is set and the cluster preloads pg_stat_statements
// (GUILDMART_PG_OPTS="-c shared_preload_libraries=pg_stat_statements -c
// pg_stat_statements.track=all"), resets the statistics and returns a function that logs
// the statements that took the most time since, per checkout-sized unit: where a
// checkout's database time goes.
func statementStats(b *testing.B) func() {
	if os.Getenv("BENCH_STATS") == "" {
		return func() {}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.SuperURL(b))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		b.Fatal(err)
	}
	return func() {
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, `SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3),
				round(shared_blks_hit::numeric / calls, 1), round(rows::numeric / calls, 1), toplevel,
				left(regexp_replace(query, '\s+', ' ', 'g'), 110)
			FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		fmt.Fprintf(os.Stderr, "%8s %10s %8s %8s %6s %s\n", "calls", "total ms", "mean ms", "blks", "rows", "statement")
		for rows.Next() {
			var calls int64
			var total, mean, blks, nrows float64
			var top bool
			var q string
			if err := rows.Scan(&calls, &total, &mean, &blks, &nrows, &top, &q); err != nil {
				b.Fatal(err)
			}
			mark := " "
			if !top {
				mark = "+"
			}
			fmt.Fprintf(os.Stderr, "%8d %10.1f %8.3f %8.1f %6.1f %s%s\n", calls, total, mean, blks, nrows, mark, q)
		}
	}
}

// rowStats, when BENCH_STATS is set, returns a function that prints the rows each
// checkout inserted and updated per table (from pg_stat_user_tables) and the indexes each
// of those rows maintains: the work a checkout cannot avoid.
func rowStats(b *testing.B, owner *pgxpool.Pool) func(n int) {
	if os.Getenv("BENCH_STATS") == "" {
		return func(int) {}
	}
	ctx := context.Background()
	const q = `SELECT t.relname::text, t.n_tup_ins, t.n_tup_upd, t.n_tup_hot_upd,
			(SELECT count(*) FROM pg_index i WHERE i.indrelid = t.relid)
		FROM pg_stat_user_tables t`
	type counts struct{ ins, upd, hot, idx int64 }
	read := func() map[string]counts {
		if _, err := owner.Exec(ctx, `SELECT pg_stat_clear_snapshot()`); err != nil {
			b.Fatal(err)
		}
		out := map[string]counts{}
		rows, err := owner.Query(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var c counts
			if err := rows.Scan(&name, &c.ins, &c.upd, &c.hot, &c.idx); err != nil {
				b.Fatal(err)
			}
			out[name] = c
		}
		return out
	}
	before := read()
	return func(n int) {
		time.Sleep(time.Second) // statistics reach the collector within PGSTAT_MIN_INTERVAL
		after := read()
		var ins, upd, entries float64
		fmt.Fprintf(os.Stderr, "%-28s %8s %8s %8s %8s\n", "table", "ins/ord", "upd/ord", "hot/ord", "indexes")
		for name, a := range after {
			d := counts{a.ins - before[name].ins, a.upd - before[name].upd, a.hot - before[name].hot, a.idx}
			if d.ins == 0 && d.upd == 0 {
				continue
			}
			i, u, h := float64(d.ins)/float64(n), float64(d.upd)/float64(n), float64(d.hot)/float64(n)
			ins, upd = ins+i, upd+u
			entries += i*float64(d.idx) + (u-h)*float64(d.idx)
			fmt.Fprintf(os.Stderr, "%-28s %8.2f %8.2f %8.2f %8d\n", name, i, u, h, d.idx)
		}
		fmt.Fprintf(os.Stderr, "per order: %.1f rows inserted, %.1f updated, %.1f index entries written\n", ins, upd, entries)
	}
}

var (
	pgbenchOnce   sync.Once
	pgbenchResult float64
	pgbenchCPU    float64 // ms of CPU per pgbench transaction: server and pgbench itself
	floorResult   float64 // TPS of pgbench writing a checkout's rows and nothing else
)

// pgbenchTPS runs pgbench's simple-update on the test cluster once per process (0 when
// PGBIN is unset, or BENCH_NO_PGBENCH is set to profile checkouts alone).
func pgbenchTPS(b *testing.B) float64 {
	if os.Getenv("PGBIN") == "" || os.Getenv("BENCH_NO_PGBENCH") != "" {
		return 0
	}
	pgbenchOnce.Do(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, pgtest.SuperURL(b))
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("pgbench_%d", os.Getpid())
		_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
		conn.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cfg := conn.Config()
		args := []string{"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User}
		if out, err := exec.Command(pgbenchPath(), append(args, "-i", "-q", "-s", "10", name)...).CombinedOutput(); err != nil {
			b.Fatalf("pgbench -i: %v\n%s", err, out)
		}
		pgbenchResult, pgbenchCPU = runPgbench(b, append(args, "-b", "simple-update", name))
		b.Logf("pgbench -b simple-update -c 8 -j 2 -T 15: %.0f tps", pgbenchResult)
		if os.Getenv("BENCH_FLOOR") != "" {
			floorResult, _ = runPgbench(b, append(args, "-f", checkoutFloor(b, ctx, cfg.Host, cfg.Port, cfg.User, name), name))
			b.Logf("pgbench, a checkout's rows alone (checkout_floor.sql): %.0f tps", floorResult)
		}
	})
	return pgbenchResult
}

// runPgbench runs pgbench -c 8 -j 2 -T 15 with args, and returns its TPS and the CPU
// (ms) each transaction cost the server and pgbench.
func runPgbench(b *testing.B, args []string) (tps, cpu float64) {
	meter := newCPUMeter(b)
	var db0 time.Duration
	if meter != nil {
		db0 = meter.server()
	}
	cmd := exec.Command(pgbenchPath(), append([]string{"-c", "8", "-j", "2", "-T", "15"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	txs := regexp.MustCompile(`transactions actually processed: ([0-9]+)`).FindSubmatch(out)
	if m == nil || txs == nil {
		b.Fatalf("no tps in pgbench output:\n%s", out)
	}
	tps, _ = strconv.ParseFloat(string(m[1]), 64)
	if n, _ := strconv.ParseFloat(string(txs[1]), 64); meter != nil && n > 0 {
		used := meter.server() - db0 + cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		cpu = float64(used.Microseconds()) / 1000 / n
	}
	return tps, cpu
}

// pgbenchPath finds pgbench: in PGBIN, on PATH, or in a PostgreSQL bin directory (PGBIN
// may name a directory of wrappers without it).
func pgbenchPath() string {
	if p := filepath.Join(os.Getenv("PGBIN"), "pgbench"); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(ms) > 0 {
		return ms[len(ms)-1]
	}
	return "pgbench"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// benchPoolConns is the benchmark pool's size: BENCH_POOL_CONNS, else 16 (twice the
// clients, so that no client waits for a connection).
func benchPoolConns() string {
	if n, err := strconv.Atoi(os.Getenv("BENCH_POOL_CONNS")); err == nil && n > 0 {
		return strconv.Itoa(n)
	}
	return "16"
}
