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

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
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
	pool, err := db.Open(ctx, w.d.AppURL+"&pool_max_conns=16", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	svc := fulfillment.NewService(pool, nil)

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
	ops := float64(n) / b.Elapsed().Seconds()
	b.ReportMetric(ops, "orders/s")
	if tps > 0 {
		b.ReportMetric(tps, "pgbench_tps")
		b.ReportMetric(ops/tps, "ratio")
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

var (
	pgbenchOnce   sync.Once
	pgbenchResult float64
)

// pgbenchTPS runs pgbench's simple-update on the test cluster once per process (0 when
// PGBIN is unset).
func pgbenchTPS(b *testing.B) float64 {
	if os.Getenv("PGBIN") == "" {
		return 0
	}
	pgbenchOnce.Do(func() {
		pgbench := pgbenchPath()
		ctx := context.Background()
		su := pgtest.SuperURL(b)
		conn, err := pgx.Connect(ctx, su)
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
		if out, err := exec.Command(pgbench, append(args, "-i", "-q", "-s", "10", name)...).CombinedOutput(); err != nil {
			b.Fatalf("pgbench -i: %v\n%s", err, out)
		}
		out, err := exec.Command(pgbench, append(args, "-b", "simple-update", "-c", "8", "-j", "2", "-T", "15", name)...).CombinedOutput()
		if err != nil {
			b.Fatalf("pgbench: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("no tps in pgbench output:\n%s", out)
		}
		pgbenchResult, _ = strconv.ParseFloat(string(m[1]), 64)
		b.Logf("pgbench -b simple-update -c 8 -j 2 -T 15: %.0f tps", pgbenchResult)
	})
	return pgbenchResult
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
