package federation_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// BenchmarkPropagate10k: one variant listed in 10,000 storefronts (a listing each, with a
// group price in none); each op is a supplier's wholesale UPDATE of that variant, under
// its own scope, committed — after which all 10,000 listing variants carry the new price
// (checked after the loop) and 10,000 listing_changes rows are written.
// Run: go test ./federation -run '^$' -bench Propagate10k -benchtime 10x
func BenchmarkPropagate10k(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	w := newWorld(b)
	offer, vids := w.offer(b, "Popular kettle", v{1000, 5000, nil})
	// 10,000 storefronts of one seller, each listing the offer with a markup rule.
	_, err := w.d.Owner.Exec(ctx, `
		WITH sf AS (
			INSERT INTO storefronts (consortium_id, member_id, handle, name, currency)
			SELECT $1, $2, 'bench-' || g, 'Bench ' || g, 'EUR' FROM generate_series(1, $4::int) g RETURNING id),
		r AS (
			INSERT INTO pricing_rules (storefront_id, consortium_id, member_id, kind, percent_bps, rounding)
			SELECT id, $1, $2, 'MARKUP_PERCENT', 4000, 'CHARM_99' FROM sf RETURNING storefront_id, id),
		l AS (
			INSERT INTO listings (storefront_id, consortium_id, member_id, offer_id, handle, title, rule_id)
			SELECT r.storefront_id, $1, $2, $3, 'kettle', 'Popular kettle', r.id FROM r RETURNING storefront_id, id)
		INSERT INTO listing_variants (storefront_id, consortium_id, member_id, listing_id, variant_id, currency)
		SELECT l.storefront_id, $1, $2, l.id, $5, 'EUR' FROM l`, w.c.ID, w.sel.MemberID, offer, n, vids[0])
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.d.Owner.Exec(ctx, `SELECT gm_federation_refresh('offer', $1, $2, NULL, NULL, NULL)`, w.c.ID, []uuid.UUID{offer}); err != nil {
		b.Fatal(err)
	}
	if _, err := w.d.Owner.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	price := int64(1000)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		price += 10
		if err := db.InTx(ctx, w.d.App, w.sup.Scope(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE offer_variants SET wholesale_price = $2, version = version + 1 WHERE id = $1`, vids[0], price)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	// price × 1.4 rounded half up, then up to x.99
	want := price + (price*4000+5000)/10000
	want += (99 - want%100 + 100) % 100
	var stale int
	if err := w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM listing_variants WHERE variant_id = $1 AND (price <> $2 OR status <> 'ACTIVE')`,
		vids[0], want).Scan(&stale); err != nil {
		b.Fatal(err)
	}
	if stale != 0 {
		b.Fatalf("%d of %d listing variants not at %d", stale, n, want)
	}
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/propagation")
	b.ReportMetric(n, "listings")
}
