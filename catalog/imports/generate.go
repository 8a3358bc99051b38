package imports

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SampleCategory is a category of the synthetic catalog.
type SampleCategory struct{ Path, Name string }

// SampleWarehouse is a consortium warehouse of the synthetic catalog.
type SampleWarehouse struct {
	Handle, Name  string
	Lat, Lng      float64
	Region        string
	RegionsServed []string
}

// SampleCategories is the category tree Generate's files refer to (parents first).
var SampleCategories = []SampleCategory{
	{"home", "Home"}, {"home/kitchen", "Kitchen"}, {"home/kitchen/knives", "Knives"},
	{"home/kitchen/cookware", "Cookware"}, {"home/garden", "Garden"}, {"home/garden/tools", "Garden tools"},
	{"home/lighting", "Lighting"}, {"apparel", "Apparel"}, {"apparel/shoes", "Shoes"},
	{"apparel/outerwear", "Outerwear"}, {"apparel/accessories", "Accessories"},
	{"electronics", "Electronics"}, {"electronics/audio", "Audio"}, {"electronics/chargers", "Chargers"},
	{"sports", "Sports"}, {"sports/cycling", "Cycling"}, {"sports/outdoor", "Outdoor"},
	{"beauty", "Beauty"}, {"beauty/skincare", "Skincare"}, {"food", "Food"}, {"food/coffee", "Coffee"},
}

// SampleWarehouses are the warehouses Generate's files consign to.
var SampleWarehouses = []SampleWarehouse{
	{"wh-berlin", "Berlin hub", 52.52, 13.405, "DE-BE", []string{"DE", "AT", "PL", "CZ"}},
	{"wh-rotterdam", "Rotterdam port", 51.9244, 4.4777, "NL-ZH", []string{"NL", "BE", "LU", "DE"}},
	{"wh-lyon", "Lyon south", 45.764, 4.8357, "FR-ARA", []string{"FR", "CH", "ES"}},
	{"wh-milan", "Milan north", 45.4642, 9.19, "IT-25", []string{"IT", "CH", "AT"}},
}

// SeedReferenceData creates SampleCategories and SampleWarehouses in a consortium unless
// they exist, acting as the system (operator-managed data). Benchmarks, tests and
// `guildmart seed` call it before importing a generated file.
func SeedReferenceData(ctx context.Context, pool *pgxpool.Pool, consortiumID uuid.UUID) error {
	scope := db.Scope{ConsortiumID: consortiumID, Role: db.RoleSystem}
	return db.InTx(ctx, pool, scope, func(tx pgx.Tx) error {
		// One statement per tree level, so parents exist before their children.
		for depth := 1; depth <= 3; depth++ {
			var handles, names, paths, parents []string
			for _, c := range SampleCategories {
				parts := strings.Split(c.Path, "/")
				if len(parts) != depth {
					continue
				}
				handles = append(handles, parts[len(parts)-1])
				names = append(names, c.Name)
				paths = append(paths, c.Path)
				parents = append(parents, strings.Join(parts[:len(parts)-1], "/"))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO categories (consortium_id, handle, name, path, parent_id)
				SELECT $1, t.h, t.n, t.p, (SELECT c.id FROM categories c WHERE c.consortium_id = $1 AND c.path = t.pp)
				  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(h, n, p, pp)
				ON CONFLICT (consortium_id, path) DO NOTHING`, consortiumID, handles, names, paths, parents); err != nil {
				return err
			}
		}
		rows := make([][]any, len(SampleWarehouses))
		for i, w := range SampleWarehouses {
			rows[i] = []any{w.Handle, w.Name, w.Lat, w.Lng, w.Region, w.RegionsServed}
		}
		b := &pgx.Batch{}
		for _, r := range rows {
			b.Queue(`INSERT INTO warehouses (consortium_id, handle, name, latitude, longitude, region, regions_served)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (consortium_id, handle) DO NOTHING`, append([]any{consortiumID}, r...)...)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

var (
	genBrands = []string{"Nordhaus", "Alpenglow", "Kestrel", "Marlowe & Finch", "Tidewater", "Brightforge",
		"Ferro", "Lumen Lane", "Oakridge", "Quillon", "Saltmarsh", "Vireo", "Halden", "Copperleaf",
		"Ostara", "Bergmann", "Petrichor", "Juniper Row", "Stellwerk", "Calder"}
	genAdjectives = []string{"Classic", "Pro", "Compact", "Essential", "Heritage", "Ultralight", "Everyday",
		"Premium", "Urban", "Trail", "Studio", "Artisan"}
	genNouns = map[string][]string{
		"home/kitchen/knives":   {"Chef's Knife", "Paring Knife", "Bread Knife", "Santoku", "Knife Block"},
		"home/kitchen/cookware": {"Skillet", "Dutch Oven", "Saucepan", "Wok", "Stock Pot"},
		"home/garden/tools":     {"Pruning Shears", "Hand Trowel", "Garden Fork", "Watering Can"},
		"home/lighting":         {"Desk Lamp", "Pendant Light", "Floor Lamp", "String Lights"},
		"apparel/shoes":         {"Sneaker", "Hiking Boot", "Loafer", "Trail Runner"},
		"apparel/outerwear":     {"Rain Jacket", "Down Vest", "Wool Coat", "Softshell"},
		"apparel/accessories":   {"Leather Belt", "Beanie", "Scarf", "Wallet"},
		"electronics/audio":     {"Headphones", "Bluetooth Speaker", "Earbuds", "Turntable"},
		"electronics/chargers":  {"USB-C Charger", "Power Bank", "Wireless Pad", "Car Charger"},
		"sports/cycling":        {"Bike Light", "Saddle Bag", "Helmet", "Bottle Cage"},
		"sports/outdoor":        {"Tent", "Sleeping Bag", "Headlamp", "Trekking Poles"},
		"beauty/skincare":       {"Face Cream", "Cleanser", "Serum", "Lip Balm"},
		"food/coffee":           {"Espresso Beans", "Filter Roast", "Decaf Blend", "Cold Brew Pack"},
		"apparel":               {"T-Shirt"},
		"home":                  {"Storage Box"},
		"electronics":           {"Cable Set"},
		"sports":                {"Gym Bag"},
		"beauty":                {"Gift Set"},
		"food":                  {"Tea Sampler"},
		"home/kitchen":          {"Cutting Board"},
		"home/garden":           {"Planter"},
	}
	genLeafCategories = func() []string {
		var out []string
		for _, c := range SampleCategories {
			if len(genNouns[c.Path]) > 0 {
				out = append(out, c.Path)
			}
		}
		return out
	}()
	genColours  = []string{"Black", "White", "Navy", "Olive", "Sand", "Red", "Slate", "Forest"}
	genSizes    = []string{"XS", "S", "M", "L", "XL", "XXL"}
	genRegions  = []string{"DE-BY", "DE-NW", "FR-IDF", "NL-NH", "IT-25", "AT-9", "PL-MZ", "ES-MD"}
	genShipsTo  = []string{"DE", "AT", "CH", "FR", "NL", "BE", "IT", "PL", "ES", "DK"}
	genSentence = []string{
		"Made to last and designed for daily use.",
		"Backed by a two-year manufacturer warranty.",
		"Sourced from audited suppliers in Europe.",
		"Ships in recyclable packaging.",
		"A best seller with independent retailers.",
		"Tested by our product team in real conditions.",
	}
)

// Generate writes a synthetic import file (CSV or JSONL) of offers × variantsPerOffer
// rows: brands, a category tree (SampleCategories), options, wholesale and retail prices
// with two decimals, MAP floors, quantity tiers, availability, drop-ship and warehouse
// consignment (SampleWarehouses). The same seed writes the same file.
func Generate(w io.Writer, format string, offers, variantsPerOffer int, seed int64) error {
	format, err := ParseFormat(format)
	if err != nil {
		return err
	}
	if variantsPerOffer < 1 {
		variantsPerOffer = 1
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	var cw *csv.Writer
	var enc *json.Encoder
	if format == FormatCSV {
		cw = csv.NewWriter(bw)
		if err := cw.Write(Columns[:]); err != nil {
			return err
		}
	} else {
		enc = json.NewEncoder(bw)
	}
	for i := range offers {
		o := genOffer(rnd, i)
		for v := range variantsPerOffer {
			row := genVariant(rnd, &o, i, v, variantsPerOffer)
			if cw != nil {
				err = cw.Write(row.csv())
			} else {
				err = enc.Encode(row.json())
			}
			if err != nil {
				return err
			}
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type genOfferData struct {
	handle, title, description, brand, category, status string
	images                                              []string
	direct                                              bool
	lat, lng                                            float64
	region                                              string
	shipsTo                                             []string
	warehouses                                          []string
	baseCents                                           int64
	sized                                               bool
}

func genOffer(rnd *rand.Rand, i int) genOfferData {
	brand := genBrands[rnd.IntN(len(genBrands))]
	cat := genLeafCategories[rnd.IntN(len(genLeafCategories))]
	nouns := genNouns[cat]
	slug := strings.ToLower(strings.NewReplacer(" & ", "-", " ", "-").Replace(brand))
	o := genOfferData{
		handle:   fmt.Sprintf("%s-%07d", slug, i),
		brand:    brand,
		category: cat,
		title:    fmt.Sprintf("%s %s %s %d", brand, genAdjectives[rnd.IntN(len(genAdjectives))], nouns[rnd.IntN(len(nouns))], 100+rnd.IntN(900)),
		status:   "ACTIVE",
		sized:    strings.HasPrefix(cat, "apparel"),
	}
	if rnd.IntN(10) == 0 {
		o.status = "DRAFT"
	}
	n := 1 + rnd.IntN(3)
	var d []string
	for range n {
		d = append(d, genSentence[rnd.IntN(len(genSentence))])
	}
	o.description = strings.Join(d, " ")
	for k := range 1 + rnd.IntN(3) {
		o.images = append(o.images, fmt.Sprintf("https://img.example.com/%s/%d.jpg", o.handle, k+1))
	}
	// Log-uniform wholesale prices between 1 and 300.
	o.baseCents = int64(math.Round(100 * math.Exp(rnd.Float64()*math.Log(300))))
	o.direct = rnd.IntN(10) < 6
	if o.direct {
		o.lat = 44 + rnd.Float64()*10
		o.lng = 2 + rnd.Float64()*16
		o.lat, o.lng = math.Round(o.lat*1e4)/1e4, math.Round(o.lng*1e4)/1e4
		o.region = genRegions[rnd.IntN(len(genRegions))]
		start := rnd.IntN(len(genShipsTo) - 3)
		o.shipsTo = genShipsTo[start : start+2+rnd.IntN(3)]
	}
	if !o.direct || rnd.IntN(2) == 0 {
		first := rnd.IntN(len(SampleWarehouses))
		o.warehouses = []string{SampleWarehouses[first].Handle}
		if rnd.IntN(3) == 0 {
			o.warehouses = append(o.warehouses, SampleWarehouses[(first+1)%len(SampleWarehouses)].Handle)
		}
	}
	return o
}

type genRow struct {
	o                             *genOfferData
	first                         bool
	sku, gtin                     string
	options                       [][2]string
	weight                        int
	wholesale, suggested, minimum int64
	tiers                         [][2]int64
	availability                  string
	quantity, lead                int
	directLead                    int
	directCost                    int64
}

func genVariant(rnd *rand.Rand, o *genOfferData, i, v, perOffer int) genRow {
	r := genRow{o: o, first: v == 0}
	r.sku = fmt.Sprintf("%s-%02d", strings.ToUpper(o.handle), v+1)
	if len(r.sku) > 64 {
		r.sku = r.sku[len(r.sku)-64:]
	}
	if rnd.IntN(10) < 7 {
		r.gtin = gtin13(int64(i)*int64(perOffer) + int64(v))
	}
	if o.sized {
		r.options = [][2]string{{"size", genSizes[v%len(genSizes)]}, {"colour", genColours[(v/len(genSizes))%len(genColours)]}}
	} else if perOffer > 1 {
		r.options = [][2]string{{"colour", genColours[v%len(genColours)]}}
	}
	r.weight = 50 + rnd.IntN(4950)
	r.wholesale = max(100, o.baseCents+int64(v)*int64(rnd.IntN(200)))
	r.suggested = (r.wholesale*int64(150+rnd.IntN(100))/100)/100*100 + 99
	if rnd.IntN(2) == 0 {
		r.minimum = min(r.suggested, r.wholesale*12/10)
	}
	if rnd.IntN(2) == 0 {
		prev := r.wholesale
		for k, q := range []int64{10, 50, 100}[:1+rnd.IntN(3)] {
			p := r.wholesale * int64(95-5*k) / 100
			if p >= prev || p <= 0 {
				break
			}
			r.tiers = append(r.tiers, [2]int64{q, p})
			prev = p
		}
	}
	switch x := rnd.IntN(20); {
	case x < 15:
		r.availability, r.quantity = "IN_STOCK", 1+rnd.IntN(500)
	case x < 18:
		r.availability, r.lead = "MADE_TO_ORDER", 3+rnd.IntN(28)
	default:
		r.availability = "OUT_OF_STOCK"
	}
	if o.direct {
		r.directLead, r.directCost = 1+rnd.IntN(7), int64(390+100*rnd.IntN(6))
	}
	return r
}

// gtin13 makes a GTIN-13 with a correct check digit from n (prefix 400-440: Germany).
func gtin13(n int64) string {
	body := fmt.Sprintf("4%011d", n%1e11)
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

func cents(v int64) string { return money.Format(v, "EUR") }

func (r genRow) csv() []string {
	o := r.o
	cells := make([]string, numColumns)
	cells[colOfferHandle] = o.handle
	if r.first { // later rows leave the offer columns empty, as documented
		cells[colTitle], cells[colDescription], cells[colBrand] = o.title, o.description, o.brand
		cells[colCategoryPath], cells[colImages] = o.category, strings.Join(o.images, "|")
		cells[colOfferStatus], cells[colVisibility] = o.status, "CONSORTIUM"
	}
	cells[colSKU], cells[colGTIN] = r.sku, r.gtin
	opts := make([]string, len(r.options))
	for i, kv := range r.options {
		opts[i] = kv[0] + "=" + kv[1]
	}
	cells[colOptions] = strings.Join(opts, ";")
	cells[colWeight] = strconv.Itoa(r.weight)
	cells[colWholesale], cells[colSuggestedRetail] = cents(r.wholesale), cents(r.suggested)
	if r.minimum > 0 {
		cells[colMinimumResale] = cents(r.minimum)
	}
	tiers := make([]string, len(r.tiers))
	for i, t := range r.tiers {
		tiers[i] = strconv.FormatInt(t[0], 10) + ":" + cents(t[1])
	}
	cells[colPriceTiers] = strings.Join(tiers, "|")
	cells[colAvailability] = r.availability
	if r.quantity > 0 {
		cells[colQuantity] = strconv.Itoa(r.quantity)
	}
	if r.lead > 0 {
		cells[colLeadTime] = strconv.Itoa(r.lead)
	}
	cells[colShipsDirect] = strconv.FormatBool(o.direct)
	if o.direct {
		cells[colShipFromLat] = strconv.FormatFloat(o.lat, 'f', -1, 64)
		cells[colShipFromLng] = strconv.FormatFloat(o.lng, 'f', -1, 64)
		cells[colShipFromRegion] = o.region
		cells[colShipsTo] = strings.Join(o.shipsTo, "|")
		cells[colDirectLeadTime] = strconv.Itoa(r.directLead)
		cells[colDirectShippingCost] = cents(r.directCost)
	}
	cells[colWarehouses] = strings.Join(o.warehouses, "|")
	return cells
}

func (r genRow) json() map[string]any {
	o := r.o
	m := map[string]any{
		"offer_handle": o.handle, "sku": r.sku,
		"wholesale_price": cents(r.wholesale), "suggested_retail_price": cents(r.suggested),
		"weight_grams": r.weight, "availability": r.availability, "ships_direct": o.direct,
	}
	if r.first {
		m["title"], m["description"], m["brand"], m["category_path"], m["images"] = o.title, o.description, o.brand, o.category, o.images
		m["offer_status"], m["visibility"] = o.status, "CONSORTIUM"
	}
	if r.gtin != "" {
		m["gtin"] = r.gtin
	}
	if len(r.options) > 0 {
		opts := map[string]string{}
		for _, kv := range r.options {
			opts[kv[0]] = kv[1]
		}
		m["options"] = opts
	}
	if r.minimum > 0 {
		m["minimum_resale_price"] = cents(r.minimum)
	}
	if len(r.tiers) > 0 {
		tiers := make([]map[string]any, len(r.tiers))
		for i, t := range r.tiers {
			tiers[i] = map[string]any{"min_quantity": t[0], "price": cents(t[1])}
		}
		m["price_tiers"] = tiers
	}
	if r.quantity > 0 {
		m["quantity"] = r.quantity
	}
	if r.lead > 0 {
		m["lead_time_days"] = r.lead
	}
	if o.direct {
		m["ship_from_lat"], m["ship_from_lng"], m["ship_from_region"] = o.lat, o.lng, o.region
		m["ships_to_regions"], m["direct_lead_time_days"], m["direct_shipping_cost"] = o.shipsTo, r.directLead, cents(r.directCost)
	}
	if len(o.warehouses) > 0 {
		m["warehouses"] = o.warehouses
	}
	return m
}
