package imports

import (
	"strings"

	"github.com/guildmart/guildmart/internal/apperr"
)

// File formats, as import_jobs.format spells them.
const (
	FormatCSV   = "CSV"
	FormatJSONL = "JSONL"
)

// ParseFormat accepts "csv" or "jsonl" in any case ("ndjson" too) and returns the
// canonical format name.
func ParseFormat(s string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "CSV":
		return FormatCSV, nil
	case "JSONL", "NDJSON":
		return FormatJSONL, nil
	}
	return "", apperr.Invalid("format", "unknown format %q: use csv or jsonl", s)
}

// column is a field of the file; the numbering is the index into a row's cells.
type column int

const (
	colOfferHandle column = iota
	colTitle
	colDescription
	colBrand
	colCategoryPath
	colImages
	colOfferStatus
	colVisibility
	colSKU
	colGTIN
	colOptions
	colWeight
	colWholesale
	colSuggestedRetail
	colMinimumResale
	colPriceTiers
	colAvailability
	colQuantity
	colLeadTime
	colShipsDirect
	colShipFromLat
	colShipFromLng
	colShipFromRegion
	colShipsTo
	colDirectLeadTime
	colDirectShippingCost
	colWarehouses
	numColumns
)

// Columns are the CSV header names (and JSONL keys) in their documented order.
var Columns = [numColumns]string{
	"offer_handle", "title", "description", "brand", "category_path", "images", "offer_status",
	"visibility", "sku", "gtin", "options", "weight_grams", "wholesale_price",
	"suggested_retail_price", "minimum_resale_price", "price_tiers", "availability", "quantity",
	"lead_time_days", "ships_direct", "ship_from_lat", "ship_from_lng", "ship_from_region",
	"ships_to_regions", "direct_lead_time_days", "direct_shipping_cost", "warehouses",
}

var columnByName = func() map[string]column {
	m := make(map[string]column, numColumns)
	for i, n := range Columns {
		m[n] = column(i)
	}
	return m
}()

func (c column) String() string { return Columns[c] }

// requiredJSONKeys must be present in every JSONL object (a CSV header must name every
// column); the offer's title is required on its first row.
var requiredJSONKeys = []column{colOfferHandle, colSKU, colWholesale, colSuggestedRetail}

// offerColumns are read from an offer's first row; later rows may repeat them or leave
// them empty.
var offerColumns = []column{colTitle, colDescription, colBrand, colCategoryPath, colImages, colOfferStatus, colVisibility}

// parseHeader maps the CSV header's fields to columns. Every documented column must appear
// exactly once, in any order; names are matched without regard to case or surrounding
// spaces.
func parseHeader(fields []string) ([]column, error) {
	idx := make([]column, len(fields))
	seen := make(map[column]bool, len(fields))
	var unknown, dup []string
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		c, ok := columnByName[name]
		switch {
		case !ok:
			unknown = append(unknown, quoteName(f))
			idx[i] = -1
		case seen[c]:
			dup = append(dup, name)
			idx[i] = -1
		default:
			seen[c] = true
			idx[i] = c
		}
	}
	var missing []string
	for i, n := range Columns {
		if !seen[column(i)] {
			missing = append(missing, n)
		}
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, "unknown columns: "+strings.Join(unknown, ", "))
	}
	if len(dup) > 0 {
		msgs = append(msgs, "duplicate columns: "+strings.Join(dup, ", "))
	}
	if len(missing) > 0 {
		msgs = append(msgs, "missing columns: "+strings.Join(missing, ", "))
	}
	if len(msgs) > 0 {
		return nil, apperr.Invalid("header", "the CSV header must name the documented columns (see docs/api/imports.md): %s", strings.Join(msgs, "; "))
	}
	return idx, nil
}

func quoteName(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
