package search_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// benchCatalog seeds a consortium with n offers (about 2 variants each), 40 suppliers
// (every fifth requires an agreement), 260 categories, 300 brands, 5 warehouses, 5 % of
// offers on allow-lists, 2 % drafts and 1 % discontinued, all set-based through the owner
// pool, and returns the consortium and the seller the searches run as (approved agreements
// with half of the agreement-only suppliers and discounts with five others).
func benchCatalog(b testing.TB, d *pgtest.DB, n int) (uuid.UUID, uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "bench", Name: "Bench", Currency: "EUR", FeeBps: 500})
	if err != nil {
		b.Fatal(err)
	}
	batch := &pgx.Batch{}
	batch.Queue(`INSERT INTO members (consortium_id, handle, legal_name, is_supplier, is_seller, status)
		SELECT $1::uuid, 'sup-' || lpad(g::text, 2, '0'), 'Supplier ' || g, true, false, 'ACTIVE' FROM generate_series(1, 40) g
		UNION ALL SELECT $1::uuid, 'shop-' || g, 'Shop ' || g, false, true, 'ACTIVE' FROM generate_series(1, 10) g`, c.ID)
	batch.Queue(`INSERT INTO supplier_profiles (consortium_id, member_id, agreement_required)
		SELECT consortium_id, id, substr(handle, 5)::int % 5 = 0 FROM members WHERE consortium_id = $1 AND is_supplier`, c.ID)
	batch.Queue(`INSERT INTO sourcing_agreements (consortium_id, supplier_id, seller_id, status, discount_bps)
		SELECT $1::uuid, s.id, b.id, 'APPROVED', CASE WHEN substr(s.handle, 5)::int % 5 = 0 THEN 800 ELSE 300 * (substr(s.handle, 5)::int % 6) END
		FROM members s, members b
		WHERE s.consortium_id = $1 AND b.consortium_id = $1 AND b.handle = 'shop-1'
		  AND substr(s.handle, 5)::int IN (5, 15, 25, 35, 1, 2, 3, 4, 7)`, c.ID)
	batch.Queue(`INSERT INTO categories (consortium_id, handle, name, path)
		SELECT $1::uuid, 'c' || i, 'Cat ' || i, 'c' || i FROM generate_series(1, 10) i`, c.ID)
	batch.Queue(`INSERT INTO categories (consortium_id, parent_id, handle, name, path)
		SELECT $1::uuid, p.id, p.handle || '-' || j, p.name || '.' || j, p.path || '/' || p.handle || '-' || j
		FROM categories p, generate_series(1, 5) j WHERE p.consortium_id = $1`, c.ID)
	batch.Queue(`INSERT INTO categories (consortium_id, parent_id, handle, name, path)
		SELECT $1::uuid, p.id, p.handle || '-' || k, p.name || '.' || k, p.path || '/' || p.handle || '-' || k
		FROM categories p, generate_series(1, 4) k WHERE p.consortium_id = $1 AND p.parent_id IS NOT NULL`, c.ID)
	batch.Queue(`INSERT INTO warehouses (consortium_id, handle, name, latitude, longitude, region, regions_served)
		SELECT $1::uuid, 'wh-' || i, 'Warehouse ' || i, 50, 10, r[i], ARRAY[r[i], r[i % 5 + 1]]
		FROM generate_series(1, 5) i, (SELECT ARRAY['DE','FR','NL','PL','IT'] r) x`, c.ID)
	batch.Queue(`WITH s AS (SELECT array_agg(id ORDER BY handle) ids FROM members WHERE consortium_id = $1 AND is_supplier),
		cat AS (SELECT array_agg(id ORDER BY path) ids FROM categories WHERE consortium_id = $1 AND path ~ '^[^/]+/[^/]+/[^/]+$'),
		w AS (SELECT
			'{stainless,compact,heavy-duty,ergonomic,vintage,professional,portable,foldable,classic,modern,rustic,premium,eco,slim,wireless,magnetic,adjustable,insulated,waterproof,lightweight,reinforced,handcrafted,industrial,deluxe,minimalist,smart,cordless,non-stick,ceramic-coated,anti-slip,extra-large,mini,double-walled,quick-release,stackable,rechargeable,outdoor}'::text[] adj,
			'{steel,oak,bamboo,walnut,copper,aluminium,glass,leather,cotton,linen,wool,silicone,granite,marble,cast-iron,porcelain,titanium,brass,canvas,rattan,cork,acacia,stoneware}'::text[] mat,
			'{knife,cutting-board,skillet,saucepan,kettle,teapot,mug,tumbler,bottle,lunchbox,grater,peeler,whisk,ladle,spatula,colander,blender,toaster,lamp,chair,stool,shelf,basket,planter,hose,rake,shovel,trowel,pruner,lantern,tent,backpack,hammock,towel,blanket,pillow,rug,mirror,clock,vase,candle}'::text[] noun,
			'{kitchen,garden,camping,office,bathroom,living-room,restaurant,hotel,workshop,balcony}'::text[] place)
		INSERT INTO offers (consortium_id, supplier_id, handle, title, description, brand, category_id, status, visibility, created_at)
		SELECT $1::uuid, s.ids[1 + g % 40], 'o-' || g,
			initcap(w.adj[1 + (g * 7) % 37] || ' ' || w.mat[1 + (g * 13) % 23] || ' ' || w.noun[1 + (g * 31) % 41]) || ' ' || upper(substr(md5(g::text), 1, 4)),
			'Durable ' || w.mat[1 + (g * 5) % 23] || ' ' || w.noun[1 + (g * 31) % 41] || ' for the ' || w.place[1 + g % 10] ||
				'. ' || initcap(w.adj[1 + (g * 3) % 37]) || ' finish, ' || w.adj[1 + (g * 11) % 37] || ' design. Ideal for ' ||
				w.place[1 + (g * 7) % 10] || ' use; easy to clean and built to last.',
			'Brand' || (1 + (g * 17) % 300), cat.ids[1 + (g * 11) % 200],
			CASE WHEN g % 50 = 0 THEN 'DRAFT' WHEN g % 100 = 1 THEN 'DISCONTINUED' ELSE 'ACTIVE' END,
			CASE WHEN g % 20 = 0 THEN 'ALLOW_LIST' ELSE 'CONSORTIUM' END,
			now() - g * interval '1 minute'
		FROM generate_series(1, $2::int) g, s, cat, w`, c.ID, n)
	batch.Queue(`INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, gtin, currency, wholesale_price,
			suggested_retail_price, availability, available_quantity, ships_direct, ship_from_latitude, ship_from_longitude,
			ship_from_region, ships_to_regions, status)
		SELECT o.consortium_id, o.id, o.supplier_id, 'SKU-' || substr(o.handle, 3) || '-' || k,
			CASE WHEN h % 4 = 0 THEN lpad((h % 1000000000000)::text, 13, '0') END, 'EUR',
			500 + h % 49500, (500 + h % 49500) * (120 + h % 130) / 100,
			CASE WHEN h % 10 < 6 THEN 'IN_STOCK' WHEN h % 10 < 8 THEN 'MADE_TO_ORDER' ELSE 'OUT_OF_STOCK' END,
			CASE WHEN h % 10 < 6 THEN 1 + h % 500 ELSE 0 END,
			h % 10 < 6, CASE WHEN h % 10 < 6 THEN 50 END, CASE WHEN h % 10 < 6 THEN 10 END, CASE WHEN h % 10 < 6 THEN 'DE' END,
			CASE WHEN h % 10 < 6 THEN (ARRAY['{DE,AT}','{DE,FR,NL}','{FR,BE}','{PL,CZ,DE}','{IT,ES}','{DE}'])[1 + h % 6]::text[] ELSE '{}' END,
			CASE WHEN k = 3 AND h % 7 = 0 THEN 'DISCONTINUED' ELSE 'ACTIVE' END
		FROM offers o, LATERAL generate_series(1, 1 + abs(hashtext(o.handle)) % 3) k,
			LATERAL (SELECT abs(hashtext(o.handle || '/' || k))::bigint AS h) x
		WHERE o.consortium_id = $1`, c.ID)
	batch.Queue(`INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
		SELECT v.consortium_id, v.supplier_id, v.id, w.ids[1 + abs(hashtext(v.sku)) % 5]
		FROM offer_variants v, (SELECT array_agg(id ORDER BY handle) ids FROM warehouses WHERE consortium_id = $1) w
		WHERE v.consortium_id = $1 AND abs(hashtext(v.sku)) % 10 < 3`, c.ID)
	batch.Queue(`INSERT INTO offer_visibility (consortium_id, offer_id, member_id)
		SELECT o.consortium_id, o.id, m.id FROM offers o JOIN members m ON m.consortium_id = o.consortium_id
		WHERE o.consortium_id = $1 AND o.visibility = 'ALLOW_LIST'
		  AND (m.handle = 'shop-2' OR (m.handle = 'shop-1' AND substr(o.handle, 3)::int % 40 = 0))`, c.ID)
	start := time.Now()
	for _, q := range batch.QueuedQueries {
		t0 := time.Now()
		if _, err := d.Owner.Exec(ctx, q.SQL, q.Arguments...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q.SQL)
		}
		if os.Getenv("BENCH_EXPLAIN") != "" {
			b.Logf("%v: %.60s", time.Since(t0).Round(time.Millisecond), q.SQL)
		}
	}
	var seller uuid.UUID
	if err := d.Owner.QueryRow(ctx, `SELECT id FROM members WHERE consortium_id = $1 AND handle = 'shop-1'`, c.ID).Scan(&seller); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d offers in %v", n, time.Since(start).Round(time.Millisecond))
	return c.ID, seller
}

// BenchmarkSearch measures typical catalog searches on a 100,000-offer catalog
// (BENCH_OFFERS overrides) as a seller with agreements, and reports each query type's
// p50 and p95 latency. Run: go test ./catalog/search -run '^$' -bench Search -benchtime 200x
// (BENCH_EXPLAIN=1 prints the plans to stderr; BENCH_KEEP=FILE keeps the database;
// BENCH_REINDEX=1 times a second full reindex, which finds nothing to change).
func BenchmarkSearch(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("BENCH_OFFERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	d := pgtest.New(b)
	cid, seller := benchCatalog(b, d, n)
	s := search.NewPostgres(d.App)
	if os.Getenv("BENCH_EXPLAIN") != "" {
		// Last, after the timed searches: the explained reindex is rolled back, but its
		// dead rows double offer_search and its indexes until they are rewritten, which
		// made every search that followed it slower.
		defer func() {
			tx, err := d.App.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			sys := tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: cid}.Scope()
			if err := sys.Apply(ctx, tx); err != nil {
				b.Fatal(err)
			}
			plan, err := search.ExplainReindex(ctx, tx, cid)
			b.Logf("reindex:\n%s", plan)
			_ = tx.Rollback(ctx)
			if err != nil {
				b.Fatal(err)
			}
		}()
	}
	start := time.Now()
	indexed, err := s.Reindex(ctx, cid)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("reindexed %d searchable offers in %v", indexed, time.Since(start).Round(time.Millisecond))
	if os.Getenv("BENCH_REINDEX") != "" {
		start = time.Now()
		if _, err := s.Reindex(ctx, cid); err != nil {
			b.Fatal(err)
		}
		b.Logf("reindexed again (nothing changed) in %v", time.Since(start).Round(time.Millisecond))
	}
	if f := os.Getenv("BENCH_KEEP"); f != "" {
		// Leaves the database for EXPLAIN by hand: its URLs go to the file BENCH_KEEP names.
		if err := d.Keep(f); err != nil {
			b.Fatal(err)
		}
	}
	// The steady state: autovacuum has visited the freshly written tables, so the
	// visibility map lets filtered searches read offer_search_stock_price_idx alone
	// (right after a full reindex each row is checked in the table until it has).
	if _, err := d.Owner.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if os.Getenv("BENCH_PAUSE") != "" {
		// Debugging: keep the seeded database alive for psql (GUILDMART_TEST_PG_URL).
		b.Logf("database %s (%s) kept for %s", d.Name, d.OwnerURL, os.Getenv("BENCH_PAUSE"))
		pause, _ := time.ParseDuration(os.Getenv("BENCH_PAUSE"))
		time.Sleep(pause)
	}
	var sup uuid.UUID
	if err := d.Owner.QueryRow(ctx, `SELECT id FROM members WHERE consortium_id = $1 AND handle = 'sup-07'`, cid).Scan(&sup); err != nil {
		b.Fatal(err)
	}
	p := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: cid, MemberID: seller, Role: tenants.RoleOwner}
	i64 := func(v int64) *int64 { return &v }
	bps := func(v int) *int { return &v }
	for _, bc := range []struct {
		name string
		q    search.Query
	}{
		{"BrowseNewest", search.Query{}},
		{"TextOneWord", search.Query{Text: "skillet"}},
		{"TextTwoWords", search.Query{Text: "bamboo lantern"}},
		{"TextPrefix", search.Query{Text: "sta"}},
		{"TextTypoFallback", search.Query{Text: "skilet"}},
		{"TextSKU", search.Query{Text: "SKU-4711-1"}},
		{"TextDescriptionWord", search.Query{Text: "balcony", Sort: search.SortMarginDesc}},
		{"CategoryMarginSort", search.Query{Filter: search.Filter{CategoryPath: "c3"}, Sort: search.SortMarginDesc}},
		{"LeafCategoryPriceSort", search.Query{Filter: search.Filter{CategoryPath: "c3/c3-2/c3-2-1"}, Sort: search.SortPriceAsc}},
		{"FiltersStockRegionPrice", search.Query{Filter: search.Filter{InStock: true, ShipsTo: "FR",
			WholesaleMin: i64(1000), WholesaleMax: i64(20000)}, Sort: search.SortPriceAsc}},
		{"TextMarginPercentFilter", search.Query{Text: "steel", Filter: search.Filter{MarginBpsMin: bps(3000)}, Sort: search.SortMarginPercentDesc}},
		{"BrandSupplierModes", search.Query{Filter: search.Filter{Brands: []string{"Brand7", "Brand8"}, SupplierIDs: []uuid.UUID{sup},
			FulfillmentModes: []search.FulfillmentMode{search.ModeWarehouse}}}},
		{"BrowsePage5NoFacets", search.Query{After: search.EncodeCursor(79), NoFacets: true, Sort: search.SortMarginDesc}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			res, err := s.Search(ctx, p, bc.q)
			if err != nil {
				b.Fatal(err)
			}
			if os.Getenv("BENCH_EXPLAIN") != "" {
				err := db.InReadTx(ctx, d.App, p.Scope(), func(tx pgx.Tx) error {
					plan, err := search.ExplainSearch(ctx, tx, p, bc.q)
					fmt.Fprintf(os.Stderr, "%s:\n%s\n", bc.name, plan) // b.Log truncates long plans
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := s.Search(ctx, p, bc.q); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			pct := func(q float64) float64 {
				return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(float64(res.TotalCount), "hits")
			b.ReportMetric(0, "ns/op")
		})
	}
}
