package imports

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/money"
)

// Limits of the import format beyond catalog's rules.
const (
	maxTiers  = 20
	maxWeight = 1_000_000_000
)

// refs are the consortium's reference data a row is checked against, loaded once a job.
type refs struct {
	currency   string
	categories map[string]uuid.UUID // by path
	warehouses map[string]warehouseRef
}

type warehouseRef struct {
	id     uuid.UUID
	closed bool
}

// offerData is an offer as its first row describes it. nil status or visibility keeps
// the current value (the default for new offers).
type offerData struct {
	handle      string
	line        int
	title       string
	description string
	brand       string
	categoryID  *uuid.UUID
	images      []string
	status      *string
	visibility  *string
}

// variantData is one valid row's variant, in the staging table's shape.
type variantData struct {
	line           int
	offerHandle    string
	sku            string
	gtin           *string
	options        []byte // a JSON object
	weight         int32
	wholesale      int64
	suggested      int64
	minimum        *int64
	tierQuantities []int32
	tierPrices     []int64
	availability   string
	quantity       int32
	leadTime       int32
	shipsDirect    bool
	lat, lng       *float64
	region         *string
	shipsTo        []string
	directLead     int32
	directCost     int64
	warehouses     []uuid.UUID
}

// convertOffer validates the offer columns of an offer's first row with catalog's rules
// for offer fields.
func (rf *refs) convertOffer(r *rawRow) offerData {
	o := offerData{handle: strings.TrimSpace(r.cells[colOfferHandle]), line: r.line, images: []string{}}
	title, desc, brand := strings.TrimSpace(r.cells[colTitle]), r.cells[colDescription], strings.TrimSpace(r.cells[colBrand])
	in := catalog.OfferUpdate{Title: &title, Description: &desc, Brand: &brand}
	if images := r.list(colImages); len(images) > 0 {
		in.Images = &images
		o.images = images
	}
	if st := strings.ToUpper(strings.TrimSpace(r.cells[colOfferStatus])); st != "" {
		in.Status, o.status = &st, &st
	}
	if v := strings.ToUpper(strings.TrimSpace(r.cells[colVisibility])); v != "" {
		in.Visibility, o.visibility = &v, &v
	}
	for _, e := range apperr.All(in.Validate()) {
		r.appErr(e, offerFields, nil)
	}
	o.title, o.description, o.brand = *in.Title, *in.Description, *in.Brand
	if p := strings.Trim(strings.TrimSpace(r.cells[colCategoryPath]), "/"); p != "" {
		if id, ok := rf.categories[p]; ok {
			o.categoryID = &id
		} else {
			r.fail(colCategoryPath, "unknown category path %q", clip(p))
		}
	}
	return o
}

// sameOffer checks that a later row of an offer does not contradict its first row.
func sameOffer(first, r *rawRow) {
	for _, c := range offerColumns {
		if r.listed[c] {
			if len(r.lists[c]) > 0 && !slices.Equal(r.lists[c], first.list(c)) {
				r.fail(c, "differs from the offer's first row (line %d); leave it empty or repeat it", first.line)
			}
			continue
		}
		v := strings.TrimSpace(r.cells[c])
		if v == "" {
			continue
		}
		if c == colImages {
			if !slices.Equal(r.list(c), first.list(c)) {
				r.fail(c, "differs from the offer's first row (line %d); leave it empty or repeat it", first.line)
			}
			continue
		}
		if v != strings.TrimSpace(first.cells[c]) {
			r.fail(c, "differs from the offer's first row (line %d); leave it empty or repeat it", first.line)
		}
	}
}

// convertVariant reads the variant columns of a row and validates them with catalog's
// VariantCreate.Validate, the rules the GraphQL mutations use; what only a file can get
// wrong (numbers, amounts, unknown warehouses) is checked here first.
func (rf *refs) convertVariant(r *rawRow) variantData {
	bad := map[column]bool{} // columns with a reading error: the shared rules would repeat it
	nErrs := len(r.errs)
	mark := func(c column) {
		if len(r.errs) > nErrs {
			bad[c] = true
			nErrs = len(r.errs)
		}
	}
	in := catalog.VariantCreate{
		SKU:          strings.TrimSpace(r.cells[colSKU]),
		GTIN:         strings.TrimSpace(r.cells[colGTIN]),
		Availability: strings.ToUpper(strings.TrimSpace(r.cells[colAvailability])),
	}
	if in.Availability == "" {
		in.Availability = catalog.InStock
	}
	in.Options = r.options()
	mark(colOptions)
	in.WeightGrams = int(r.int32(colWeight, 0, maxWeight))
	mark(colWeight)
	in.Prices.Wholesale, _ = r.money(colWholesale, rf.currency, true)
	mark(colWholesale)
	in.Prices.SuggestedRetail, _ = r.money(colSuggestedRetail, rf.currency, true)
	mark(colSuggestedRetail)
	if strings.TrimSpace(r.cells[colMinimumResale]) != "" {
		m, _ := r.money(colMinimumResale, rf.currency, false)
		in.Prices.MinimumResale = &m
		mark(colMinimumResale)
	}
	in.Prices.Tiers = r.tiers(rf.currency)
	mark(colPriceTiers)
	in.Quantity = int(r.int32(colQuantity, 0, catalog.MaxQuantity))
	mark(colQuantity)
	in.LeadTimeDays = int(r.int32(colLeadTime, 0, catalog.MaxLeadTimeDays))
	mark(colLeadTime)
	direct := r.bool(colShipsDirect)
	mark(colShipsDirect)
	if direct {
		d := &catalog.DirectShipping{Region: strings.TrimSpace(r.cells[colShipFromRegion]), ShipsTo: r.list(colShipsTo)}
		d.Latitude = r.float(colShipFromLat)
		mark(colShipFromLat)
		d.Longitude = r.float(colShipFromLng)
		mark(colShipFromLng)
		d.LeadTimeDays = int(r.int32(colDirectLeadTime, 0, catalog.MaxLeadTimeDays))
		mark(colDirectLeadTime)
		if strings.TrimSpace(r.cells[colDirectShippingCost]) != "" {
			d.ShippingCost, _ = r.money(colDirectShippingCost, rf.currency, false)
		}
		mark(colDirectShippingCost)
		in.Direct = d
	}
	v := variantData{line: r.line, offerHandle: strings.TrimSpace(r.cells[colOfferHandle]), warehouses: []uuid.UUID{}}
	in.Warehouses = r.list(colWarehouses)
	for _, h := range in.Warehouses {
		w, ok := rf.warehouses[h]
		switch {
		case !ok:
			r.fail(colWarehouses, "unknown warehouse %q", clip(h))
		case w.closed:
			r.fail(colWarehouses, "warehouse %q is closed", h)
		case !slices.Contains(v.warehouses, w.id):
			v.warehouses = append(v.warehouses, w.id)
		}
	}
	slices.SortFunc(v.warehouses, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })

	// The price rules compare prices with each other: an unreadable one makes the others'
	// messages noise.
	if bad[colWholesale] || bad[colSuggestedRetail] || bad[colMinimumResale] || bad[colPriceTiers] {
		bad[colWholesale], bad[colSuggestedRetail], bad[colMinimumResale], bad[colPriceTiers] = true, true, true, true
	}
	if bad[colShipsDirect] {
		bad[colWarehouses] = true // "must ship direct or be consigned" would be noise
	}
	for _, e := range apperr.All(in.Validate("", rf.currency)) {
		r.appErr(e, variantFields, bad)
	}

	v.sku = in.SKU
	if in.GTIN != "" {
		g := in.GTIN
		v.gtin = &g
	}
	v.options = attrsJSON(in.Options)
	v.weight = int32(in.WeightGrams)
	v.wholesale, v.suggested, v.minimum = in.Prices.Wholesale, in.Prices.SuggestedRetail, in.Prices.MinimumResale
	v.tierQuantities, v.tierPrices = make([]int32, len(in.Prices.Tiers)), make([]int64, len(in.Prices.Tiers))
	for i, t := range in.Prices.Tiers {
		v.tierQuantities[i], v.tierPrices[i] = int32(t.MinQuantity), t.Price
	}
	v.availability, v.quantity, v.leadTime = in.Availability, int32(in.Quantity), int32(in.LeadTimeDays)
	v.shipsTo = []string{}
	if d := in.Direct; d != nil {
		v.shipsDirect = true
		v.lat, v.lng, v.region = &d.Latitude, &d.Longitude, &d.Region
		if d.ShipsTo != nil {
			v.shipsTo = d.ShipsTo
		}
		v.directLead, v.directCost = int32(d.LeadTimeDays), d.ShippingCost
	}
	return v
}

// offerFields and variantFields map the shared rules' error fields onto columns.
var (
	offerFields = map[string]column{
		"title": colTitle, "description": colDescription, "brand": colBrand, "images": colImages,
		"status": colOfferStatus, "visibility": colVisibility,
	}
	variantFields = map[string]column{
		"sku": colSKU, "gtin": colGTIN, "options": colOptions, "weightGrams": colWeight,
		"wholesalePrice": colWholesale, "suggestedRetailPrice": colSuggestedRetail,
		"minimumResalePrice": colMinimumResale, "priceTiers": colPriceTiers,
		"availability": colAvailability, "quantity": colQuantity, "leadTimeDays": colLeadTime,
		"warehouses": colWarehouses, "currency": colWholesale,
	}
	directFields = map[string]column{
		"latitude": colShipFromLat, "longitude": colShipFromLng, "region": colShipFromRegion,
		"shipsTo": colShipsTo, "leadTimeDays": colDirectLeadTime, "shippingCost": colDirectShippingCost,
	}
)

// appErr records an error of the shared rules under the column it concerns, unless that
// column already has a reading error (skip); a list index becomes part of the message
// ("tier 2: …").
func (r *rawRow) appErr(e *apperr.Error, fields map[string]column, skip map[column]bool) {
	path := e.Field
	if len(path) > 0 && path[0] == "shipsDirect" {
		path, fields = path[1:], directFields
	}
	c := column(-1)
	msg := e.Message
	if len(path) > 0 {
		if fc, ok := fields[path[0]]; ok {
			c = fc
		}
		if len(path) > 1 {
			if i, err := strconv.Atoi(path[1]); err == nil {
				what := map[column]string{colPriceTiers: "tier", colShipsTo: "region", colOptions: "option", colImages: "image"}[c]
				if what == "" {
					what = "item"
				}
				msg = what + " " + strconv.Itoa(i+1) + ": " + msg
			}
		}
	}
	if c >= 0 && skip[c] {
		return
	}
	r.fail(c, "%s", msg)
}

// list splits a list column: a JSON array, or "a|b|c" with empty items dropped.
func (r *rawRow) list(c column) []string {
	if r.listed[c] {
		out := make([]string, 0, len(r.lists[c]))
		for _, s := range r.lists[c] {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	s := strings.TrimSpace(r.cells[c])
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *rawRow) int32(c column, lo, hi int) int32 {
	s := strings.TrimSpace(r.cells[c])
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fail(c, "%q is not a whole number", clip(s))
		return 0
	}
	if n < lo || n > hi {
		r.fail(c, "must be between %d and %d", lo, hi)
		return 0
	}
	return int32(n)
}

func (r *rawRow) float(c column) float64 {
	s := strings.TrimSpace(r.cells[c])
	if s == "" {
		r.fail(c, "is required when ships_direct is true")
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		r.fail(c, "%q is not a number", clip(s))
		return 0
	}
	return f
}

func (r *rawRow) bool(c column) bool {
	switch strings.ToLower(strings.TrimSpace(r.cells[c])) {
	case "", "false", "0", "no", "n":
		return false
	case "true", "1", "yes", "y":
		return true
	}
	r.fail(c, "must be true or false")
	return false
}

// money parses a decimal amount in the consortium currency; negative amounts are an
// error here so the message says so rather than "must be greater than zero".
func (r *rawRow) money(c column, currency string, required bool) (int64, bool) {
	s := strings.TrimSpace(r.cells[c])
	if s == "" {
		if required {
			r.fail(c, "is required")
			return 0, false
		}
		return 0, true
	}
	v, err := money.Parse(s, currency)
	if err != nil {
		r.fail(c, "%s", err)
		return 0, false
	}
	if v < 0 {
		r.fail(c, "must not be negative")
		return 0, false
	}
	return v, true
}

// tiers parses "10:4.50|50:4.00" (quantity:unit price, in the given order; the shared
// rules check it).
func (r *rawRow) tiers(currency string) []catalog.Tier {
	s := strings.TrimSpace(r.cells[colPriceTiers])
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	if len(parts) > maxTiers {
		r.fail(colPriceTiers, "at most %d tiers", maxTiers)
		return nil
	}
	out := make([]catalog.Tier, 0, len(parts))
	for i, p := range parts {
		qs, ps, found := strings.Cut(strings.TrimSpace(p), ":")
		q, err := strconv.Atoi(strings.TrimSpace(qs))
		if !found || err != nil || q < 0 || q > catalog.MaxQuantity {
			r.fail(colPriceTiers, "tier %d: %q is not quantity:price such as 10:4.50", i+1, clip(p))
			continue
		}
		price, err := money.Parse(ps, currency)
		switch {
		case err != nil:
			r.fail(colPriceTiers, "tier %d: %s", i+1, err)
		case price < 0:
			r.fail(colPriceTiers, "tier %d: the price must not be negative", i+1)
		}
		out = append(out, catalog.Tier{MinQuantity: q, Price: price})
	}
	return out
}

// options reads the option values: a JSONL object, or "name=value;name=value".
func (r *rawRow) options() []catalog.Attribute {
	if r.hasOpts {
		out := make([]catalog.Attribute, 0, len(r.opts))
		for k, v := range r.opts {
			out = append(out, catalog.Attribute{Key: k, Value: v})
		}
		slices.SortFunc(out, func(a, b catalog.Attribute) int { return strings.Compare(a.Key, b.Key) })
		return out
	}
	s := strings.TrimSpace(r.cells[colOptions])
	if s == "" {
		return nil
	}
	var out []catalog.Attribute
	for _, kv := range strings.Split(s, ";") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, found := strings.Cut(kv, "=")
		if !found {
			r.fail(colOptions, "%q is not name=value", clip(kv))
			continue
		}
		out = append(out, catalog.Attribute{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out
}

// attrsJSON stores options as catalog does: a JSON object of name -> value.
func attrsJSON(attrs []catalog.Attribute) []byte {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[strings.TrimSpace(a.Key)] = a.Value
	}
	b, _ := json.Marshal(m)
	return b
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	n := 80
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
