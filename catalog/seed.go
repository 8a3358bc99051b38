package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SeedOptions tune SeedDemo.
type SeedOptions struct {
	Offers int // offers to ensure across the suppliers (default 200)
}

// SeedResult counts what SeedDemo created (zero on a re-run).
type SeedResult struct {
	Categories, Warehouses, Offers, Variants int
}

// The demo tree. Paths and names match the bulk importer's sample tree where they
// overlap, so both seeds can run against one consortium.
var demoCategories = []struct{ path, name string }{
	{"home", "Home"}, {"home/kitchen", "Kitchen"}, {"home/kitchen/knives", "Knives"}, {"home/kitchen/cookware", "Cookware"},
	{"home/garden", "Garden"}, {"home/garden/tools", "Garden tools"}, {"home/lighting", "Lighting"}, {"home/bedding", "Bedding"},
	{"apparel", "Apparel"}, {"apparel/outerwear", "Outerwear"}, {"apparel/shirts", "Shirts"}, {"apparel/accessories", "Accessories"},
	{"tools", "Tools"}, {"tools/power", "Power tools"}, {"tools/hand", "Hand tools"},
	{"sports", "Sports"}, {"sports/cycling", "Cycling"}, {"sports/outdoor", "Outdoor"},
}

var demoWarehouses = []WarehouseCreate{
	{Handle: "wh-berlin", Name: "Berlin hub", Latitude: 52.52, Longitude: 13.405, Region: "DE-BE", RegionsServed: []string{"DE", "AT", "PL", "CZ"}, HandlingDays: 1},
	{Handle: "wh-lyon", Name: "Lyon south", Latitude: 45.764, Longitude: 4.8357, Region: "FR-ARA", RegionsServed: []string{"FR", "CH", "ES"}, HandlingDays: 2},
}

// What each leaf category sells: product nouns, a price band in minor units, and the
// option that tells its variants apart.
var demoLeaves = []struct {
	path     string
	nouns    []string
	min, max int64
	option   string
	values   []string
}{
	{"home/kitchen/knives", []string{"Chef Knife", "Santoku", "Paring Knife", "Bread Knife", "Knife Block Set"}, 900, 12000, "finish", []string{"Steel", "Damascus", "Black"}},
	{"home/kitchen/cookware", []string{"Cast Iron Pan", "Saucepan", "Dutch Oven", "Wok", "Stock Pot"}, 1500, 15000, "diameter", []string{"20 cm", "24 cm", "28 cm"}},
	{"home/garden/tools", []string{"Pruning Shears", "Garden Spade", "Hose Reel", "Rake", "Hedge Trimmer"}, 800, 9000, "colour", []string{"Green", "Orange"}},
	{"home/lighting", []string{"Table Lamp", "Pendant Light", "LED Bulb Pack", "Floor Lamp", "Wall Sconce"}, 700, 14000, "colour", []string{"White", "Black", "Brass"}},
	{"home/bedding", []string{"Duvet Cover", "Linen Sheet Set", "Pillow", "Wool Blanket", "Quilt"}, 1200, 11000, "size", []string{"Single", "Double", "King"}},
	{"apparel/outerwear", []string{"Rain Jacket", "Down Vest", "Fleece Jacket", "Parka", "Softshell"}, 2500, 16000, "size", []string{"S", "M", "L", "XL"}},
	{"apparel/shirts", []string{"Oxford Shirt", "Linen Shirt", "Polo Shirt", "T-Shirt", "Flannel Shirt"}, 600, 4500, "size", []string{"S", "M", "L", "XL"}},
	{"apparel/accessories", []string{"Leather Belt", "Wool Scarf", "Beanie", "Gloves", "Tote Bag"}, 500, 5000, "colour", []string{"Black", "Brown", "Navy"}},
	{"tools/power", []string{"Cordless Drill", "Impact Driver", "Angle Grinder", "Jigsaw", "Circular Saw"}, 3500, 25000, "battery", []string{"2 Ah", "4 Ah"}},
	{"tools/hand", []string{"Claw Hammer", "Screwdriver Set", "Adjustable Wrench", "Chisel Set", "Hand Saw"}, 400, 6000, "size", []string{"Small", "Large"}},
	{"sports/cycling", []string{"Bike Light Set", "Helmet", "Bike Lock", "Saddle Bag", "Floor Pump"}, 900, 9000, "colour", []string{"Black", "Red", "Blue"}},
	{"sports/outdoor", []string{"Tent 2P", "Sleeping Bag", "Camping Stove", "Headlamp", "Trekking Poles"}, 1000, 30000, "colour", []string{"Olive", "Orange"}},
}

// Each supplier's brands, leaves (indexes into demoLeaves) and ship-from location.
var demoSuppliers = []struct {
	brands   []string
	leaves   []int
	lat, lng float64
	region   string
	shipsTo  []string
}{
	{[]string{"Acme", "Forgewell", "Torque"}, []int{8, 9, 2, 0}, 48.78, 9.18, "DE-BW", []string{"DE", "AT", "CH", "NL", "BE"}},
	{[]string{"Nordlys", "Hygge Co", "Fjord"}, []int{3, 4, 1, 0}, 59.33, 18.07, "SE-AB", []string{"SE", "DK", "NO", "FI", "DE"}},
	{[]string{"Sunrise", "Cotonea", "Loomcraft"}, []int{5, 6, 7, 4}, 53.48, -2.24, "GB-ENG", []string{"GB", "IE", "FR", "DE"}},
	{[]string{"Hanse", "Kontor"}, []int{10, 11, 1, 9}, 53.55, 9.99, "DE-HH", []string{"DE", "DK", "NL", "PL"}},
}

var demoAdjectives = []string{"Pro", "Classic", "Compact", "Heavy-Duty", "Lightweight", "Premium", "Eco", "Everyday", "Signature", "Urban"}

// SeedDemo fills a consortium with a realistic demo catalog: the category tree, two
// warehouses, and opts.Offers offers (default 200) spread over the suppliers, across
// categories and brands, with 1–4 variants each; some consigned to warehouses, some
// shipped direct only, some both. It is idempotent: rows are keyed by path, handle and
// SKU, and what exists is kept. pool may be the owner's or the app's (then each part
// runs under the operator's or the supplier's scope, as RLS requires); the members in
// supplierIDs should be suppliers. It writes no change log or search jobs: a search
// backend other than PostgreSQL needs a reindex afterwards.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, consortiumID uuid.UUID, supplierIDs []uuid.UUID, opts SeedOptions) (SeedResult, error) {
	var res SeedResult
	if opts.Offers <= 0 {
		opts.Offers = 200
	}
	if len(supplierIDs) == 0 {
		return res, fmt.Errorf("seed: no suppliers")
	}
	var currency string
	cats := map[string]uuid.UUID{}
	whIDs := make([]uuid.UUID, len(demoWarehouses))
	err := db.InTx(ctx, pool, db.Scope{ConsortiumID: consortiumID, Role: db.RoleSystem}, func(tx pgx.Tx) error {
		var err error
		if currency, err = consortiumCurrency(ctx, tx, consortiumID); err != nil {
			return err
		}
		if res.Categories, err = seedCategories(ctx, tx, consortiumID, cats); err != nil {
			return err
		}
		res.Warehouses, err = seedWarehouses(ctx, tx, consortiumID, whIDs)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("seed reference data: %w", err)
	}
	const chunk = 2000
	for si, supplier := range supplierIDs {
		var mine []int
		for i := si; i < opts.Offers; i += len(supplierIDs) {
			mine = append(mine, i)
		}
		scope := db.Scope{ConsortiumID: consortiumID, MemberID: supplier, Role: db.RoleMember}
		for start := 0; start < len(mine); start += chunk {
			part := mine[start:min(start+chunk, len(mine))]
			b := buildDemo(si, part, currency, cats, whIDs)
			err := db.InTx(ctx, pool, scope, func(tx pgx.Tx) error {
				o, v, err := b.write(ctx, tx, consortiumID, supplier)
				res.Offers += o
				res.Variants += v
				return err
			})
			if err != nil {
				return res, fmt.Errorf("seed offers: %w", err)
			}
		}
	}
	return res, nil
}

func seedCategories(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, ids map[string]uuid.UUID) (int, error) {
	created := 0
	// One statement per tree level, so parents exist before their children.
	for depth := 0; depth < 3; depth++ {
		var paths, handles, names, parents []string
		for _, c := range demoCategories {
			if strings.Count(c.path, "/") != depth {
				continue
			}
			i := strings.LastIndex(c.path, "/")
			paths, handles, names = append(paths, c.path), append(handles, c.path[i+1:]), append(names, c.name)
			parents = append(parents, c.path[:max(i, 0)])
		}
		tag, err := tx.Exec(ctx, `INSERT INTO categories (consortium_id, parent_id, handle, name, path)
			SELECT $1, p.id, u.handle, u.name, u.path FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(path, handle, name, parent)
			LEFT JOIN categories p ON p.consortium_id = $1 AND p.path = u.parent
			ON CONFLICT (consortium_id, path) DO NOTHING`, consortium, paths, handles, names, parents)
		if err != nil {
			return created, err
		}
		created += int(tag.RowsAffected())
	}
	rows, err := tx.Query(ctx, `SELECT path, id FROM categories WHERE consortium_id = $1`, consortium)
	if err != nil {
		return created, err
	}
	for rows.Next() {
		var p string
		var id uuid.UUID
		if err := rows.Scan(&p, &id); err != nil {
			return created, err
		}
		ids[p] = id
	}
	return created, rows.Err()
}

func seedWarehouses(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, ids []uuid.UUID) (int, error) {
	created := 0
	for i, w := range demoWarehouses {
		tag, err := tx.Exec(ctx, `INSERT INTO warehouses (consortium_id, handle, name, latitude, longitude, region, regions_served, handling_days)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (consortium_id, handle) DO NOTHING`,
			consortium, w.Handle, w.Name, w.Latitude, w.Longitude, w.Region, w.RegionsServed, w.HandlingDays)
		if err != nil {
			return created, err
		}
		created += int(tag.RowsAffected())
		if err := tx.QueryRow(ctx, `SELECT id FROM warehouses WHERE consortium_id = $1 AND handle = $2`, consortium, w.Handle).Scan(&ids[i]); err != nil {
			return created, err
		}
	}
	return created, nil
}

// demoBatch is one chunk of one supplier's demo offers as column arrays.
type demoBatch struct {
	// offers
	handle, title, desc, brand, status []string
	category                           []uuid.UUID
	images                             []string // one image URL each
	attrs                              []map[string]string
	// variants
	vOffer, sku, gtin, vCurrency, avail, region, shipsTo []string
	opts                                                 []map[string]string
	weight, qty, days, directDays                        []int32
	whole, retail, cost                                  []int64
	floor                                                []*int64
	direct                                               []bool
	lat, lng                                             []*float64
	// tiers and consignments, by SKU
	tSKU  []string
	tQty  []int32
	tP    []int64
	wSKU  []string
	wWare []uuid.UUID
}

func buildDemo(si int, offers []int, currency string, cats map[string]uuid.UUID, whs []uuid.UUID) *demoBatch {
	sup := demoSuppliers[si%len(demoSuppliers)]
	b := &demoBatch{}
	for _, n := range offers {
		r := rand.New(rand.NewPCG(uint64(si), uint64(n)))
		leaf := demoLeaves[sup.leaves[r.IntN(len(sup.leaves))]]
		brand := sup.brands[r.IntN(len(sup.brands))]
		noun := leaf.nouns[r.IntN(len(leaf.nouns))]
		adj := demoAdjectives[r.IntN(len(demoAdjectives))]
		handle := fmt.Sprintf("demo-%05d", n)
		status := StatusActive
		if r.IntN(20) == 0 {
			status = StatusDraft
		}
		b.handle = append(b.handle, handle)
		b.title = append(b.title, fmt.Sprintf("%s %s %s %d", brand, adj, noun, 100+r.IntN(900)))
		b.desc = append(b.desc, fmt.Sprintf("The %s %s by %s: %s quality for shops and households. Ships from %s.",
			strings.ToLower(adj), strings.ToLower(noun), brand, strings.ToLower(adj), sup.region))
		b.brand, b.status = append(b.brand, brand), append(b.status, status)
		b.category = append(b.category, cats[leaf.path])
		b.images = append(b.images, "https://picsum.photos/seed/"+handle+"/800/800")
		b.attrs = append(b.attrs, map[string]string{"origin": sup.region[:2], "line": adj})

		base := leaf.min + r.Int64N(leaf.max-leaf.min)
		nv := 1 + r.IntN(min(len(leaf.values), 4))
		mode := r.IntN(20) // 0–7 warehouse only, 8–14 direct only, 15–19 both
		for vi := range nv {
			sku := fmt.Sprintf("D%d-%05d-%d", si, n, vi+1)
			whole := base + int64(vi)*base/10
			retail := whole * int64(140+r.IntN(80)) / 100
			b.vOffer, b.sku = append(b.vOffer, handle), append(b.sku, sku)
			b.gtin = append(b.gtin, demoGTIN(si, n, vi))
			b.vCurrency = append(b.vCurrency, currency)
			b.opts = append(b.opts, map[string]string{leaf.option: leaf.values[vi%len(leaf.values)]})
			b.weight = append(b.weight, int32(100+r.IntN(4900)))
			b.whole, b.retail = append(b.whole, whole), append(b.retail, retail)
			var floor *int64
			if r.IntN(10) < 3 {
				f := whole + (retail-whole)/2
				floor = &f
			}
			b.floor = append(b.floor, floor)
			a, q, d := InStock, int32(5+r.IntN(500)), int32(0)
			switch x := r.IntN(20); {
			case x < 3:
				a, q, d = MadeToOrder, 0, int32(3+r.IntN(28))
			case x < 5:
				a, q = OutOfStock, 0
			}
			b.avail, b.qty, b.days = append(b.avail, a), append(b.qty, q), append(b.days, d)
			direct := mode >= 8
			b.direct = append(b.direct, direct)
			if direct {
				la, lo := sup.lat, sup.lng
				b.lat, b.lng = append(b.lat, &la), append(b.lng, &lo)
				b.region, b.shipsTo = append(b.region, sup.region), append(b.shipsTo, strings.Join(sup.shipsTo, " "))
				b.directDays, b.cost = append(b.directDays, int32(1+r.IntN(5))), append(b.cost, int64(490+100*r.IntN(6)))
			} else {
				b.lat, b.lng = append(b.lat, nil), append(b.lng, nil)
				b.region, b.shipsTo = append(b.region, ""), append(b.shipsTo, "")
				b.directDays, b.cost = append(b.directDays, 0), append(b.cost, 0)
			}
			if mode < 8 || mode >= 15 {
				b.wSKU, b.wWare = append(b.wSKU, sku), append(b.wWare, whs[(n+vi)%len(whs)])
			}
			if r.IntN(10) < 4 {
				b.tSKU, b.tQty, b.tP = append(b.tSKU, sku, sku), append(b.tQty, 10, 50), append(b.tP, whole*95/100, whole*90/100)
			}
		}
	}
	return b
}

// write upserts the batch with five statements whatever its size; new rows only.
func (b *demoBatch) write(ctx context.Context, tx pgx.Tx, consortium, supplier uuid.UUID) (offers, variants int, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, description, brand, category_id, images, attributes, status)
		SELECT $1, $2, u.handle, u.title, u.descr, u.brand, u.category, ARRAY[u.image], u.attrs, u.status
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::jsonb[], $10::text[])
		  AS u(handle, title, descr, brand, category, image, attrs, status)
		ON CONFLICT (consortium_id, supplier_id, handle) DO NOTHING`,
		consortium, supplier, b.handle, b.title, b.desc, b.brand, b.category, b.images, b.attrs, b.status)
	if err != nil {
		return 0, 0, err
	}
	offers = int(tag.RowsAffected())
	rows, err := tx.Query(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, gtin, options, weight_grams, currency,
		  wholesale_price, suggested_retail_price, minimum_resale_price, availability, available_quantity, made_to_order_days,
		  ships_direct, ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, direct_lead_time_days, direct_shipping_cost)
		SELECT $1, o.id, $2, u.sku, u.gtin, u.opts, u.weight, u.currency, u.whole, u.retail, u.floor, u.avail, u.qty, u.days,
		  u.direct, u.lat, u.lng, nullif(u.region, ''), coalesce(string_to_array(nullif(u.ships_to, ''), ' '), '{}'), u.direct_days, u.cost
		FROM unnest($3::text[], $4::text[], $5::text[], $6::jsonb[], $7::int[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[],
		  $12::text[], $13::int[], $14::int[], $15::bool[], $16::float8[], $17::float8[], $18::text[], $19::text[], $20::int[], $21::bigint[])
		  AS u(offer, sku, gtin, opts, weight, currency, whole, retail, floor, avail, qty, days, direct, lat, lng, region, ships_to, direct_days, cost)
		JOIN offers o ON o.consortium_id = $1 AND o.supplier_id = $2 AND o.handle = u.offer
		ON CONFLICT (consortium_id, supplier_id, sku) DO NOTHING
		RETURNING sku`,
		consortium, supplier, b.vOffer, b.sku, b.gtin, b.opts, b.weight, b.vCurrency, b.whole, b.retail, b.floor, b.avail, b.qty, b.days,
		b.direct, b.lat, b.lng, b.region, b.shipsTo, b.directDays, b.cost)
	if err != nil {
		return offers, 0, err
	}
	created, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return offers, 0, err
	}
	variants = len(created)
	if variants == 0 {
		return offers, 0, nil
	}
	// Tiers and consignments only for the variants this run created.
	if _, err := tx.Exec(ctx, `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price)
		SELECT $1, $2, v.id, u.q, u.p FROM unnest($3::text[], $4::int[], $5::bigint[]) AS u(sku, q, p)
		JOIN offer_variants v ON v.consortium_id = $1 AND v.supplier_id = $2 AND v.sku = u.sku
		WHERE u.sku = ANY($6)`, consortium, supplier, b.tSKU, b.tQty, b.tP, created); err != nil {
		return offers, variants, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
		SELECT $1, $2, v.id, u.w FROM unnest($3::text[], $4::uuid[]) AS u(sku, w)
		JOIN offer_variants v ON v.consortium_id = $1 AND v.supplier_id = $2 AND v.sku = u.sku
		WHERE u.sku = ANY($5)`, consortium, supplier, b.wSKU, b.wWare, created)
	return offers, variants, err
}

// demoGTIN is a valid, deterministic GTIN-13 in the 200–299 "restricted circulation"
// prefix range, so demo codes never collide with real products.
func demoGTIN(si, n, vi int) string {
	body := fmt.Sprintf("2%02d%05d%04d", si%100, n%100000, vi%10000)[:12]
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}
