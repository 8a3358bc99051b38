package imports_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog/imports"
)

// Each case breaks one row of offer "bad" (two rows) in a file whose offer "good" is
// fine: the good offer is imported, nothing of the bad one is, and the broken row has an
// error on the expected column while its sibling row says why it was skipped.
func TestImportRowErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		over    map[string]string // columns of the broken row
		raw     string            // or: the broken row as written
		field   string
		message string
	}{
		{name: "ErrNegativeWholesale", over: map[string]string{"wholesale_price": "-5.00"}, field: "wholesale_price", message: "must not be negative"},
		{name: "ErrNegativeTierPrice", over: map[string]string{"price_tiers": "10:-1.00"}, field: "price_tiers", message: "tier 1: the price must not be negative"},
		{name: "ErrNegativeShippingCost", over: map[string]string{"direct_shipping_cost": "-4.90"}, field: "direct_shipping_cost", message: "must not be negative"},
		{name: "ErrTooManyDecimals", over: map[string]string{"suggested_retail_price": "19.999"}, field: "suggested_retail_price", message: "more than 2 decimal places"},
		{name: "ErrRetailBelowWholesale", over: map[string]string{"suggested_retail_price": "9.00", "minimum_resale_price": ""}, field: "suggested_retail_price", message: "must not be below the wholesale price"},
		{name: "ErrMinimumAboveRetail", over: map[string]string{"minimum_resale_price": "25.00"}, field: "minimum_resale_price", message: "must not be above the suggested retail price"},
		{name: "ErrTiersNotDecreasing", over: map[string]string{"price_tiers": "10:9.50|50:9.60"}, field: "price_tiers", message: "tier 2: tier prices must strictly decrease"},
		{name: "ErrTierSyntax", over: map[string]string{"price_tiers": "ten:9.50"}, field: "price_tiers", message: "is not quantity:price"},
		{name: "ErrUnknownWarehouse", over: map[string]string{"warehouses": "wh-berlin|wh-atlantis"}, field: "warehouses", message: `unknown warehouse "wh-atlantis"`},
		{name: "ErrUnknownCategory", over: map[string]string{"category_path": "home/spaceships"}, field: "category_path", message: `unknown category path "home/spaceships"`},
		{name: "ErrSKU", over: map[string]string{"sku": "bad sku!"}, field: "sku", message: "must be 1–64 letters"},
		{name: "ErrGTINCheckDigit", over: map[string]string{"gtin": "4006381333932"}, field: "gtin", message: "check digit"},
		{name: "ErrQuantityNotNumber", over: map[string]string{"quantity": "lots"}, field: "quantity", message: `"lots" is not a whole number`},
		{name: "ErrInStockWithoutQuantity", over: map[string]string{"quantity": ""}, field: "quantity", message: "IN_STOCK needs a quantity"},
		{name: "ErrAvailability", over: map[string]string{"availability": "SOON"}, field: "availability", message: "must be one of IN_STOCK"},
		{name: "ErrDirectWithoutLatitude", over: map[string]string{"ship_from_lat": ""}, field: "ship_from_lat", message: "is required when ships_direct is true"},
		{name: "ErrRegion", over: map[string]string{"ships_to_regions": "DE|germany"}, field: "ships_to_regions", message: "region 2: must be a region code"},
		{name: "ErrNoFulfilment", over: map[string]string{"ships_direct": "false", "warehouses": ""}, field: "warehouses", message: "must ship direct or be consigned"},
		{name: "ErrShipsDirectNotBool", over: map[string]string{"ships_direct": "maybe"}, field: "ships_direct", message: "must be true or false"},
		{name: "ErrTitleMissing", over: map[string]string{"title": ""}, field: "title", message: "must be 1–300 characters"},
		{name: "ErrImageURL", over: map[string]string{"images": "ftp://example.com/a.jpg"}, field: "images", message: "image 1: must be an http(s) URL"},
		{name: "ErrStatus", over: map[string]string{"offer_status": "PUBLISHED"}, field: "offer_status", message: "must be one of DRAFT, ACTIVE, DISCONTINUED"},
		{name: "ErrNewOfferDiscontinued", over: map[string]string{"offer_status": "DISCONTINUED"}, field: "offer_status", message: "a new offer is DRAFT or ACTIVE"},
		{name: "ErrOptionSyntax", over: map[string]string{"options": "size:M"}, field: "options", message: `"size:M" is not name=value`},
		{name: "ErrBadEncoding", over: map[string]string{"title": "Caf\xe9 knife"}, field: "title", message: "not valid UTF-8"},
		{name: "ErrBareQuote", raw: `bad,Knife 5" blade,,,,,,,BAD-1`, field: "", message: `a quote (") inside an unquoted field`},
		{name: "ErrFieldCount", raw: "bad,Knife,desc", field: "", message: "the row has 3 fields but the header has 27"},
		{name: "ErrSingleLineOver1MB", over: map[string]string{"description": strings.Repeat("x", 10<<20)}, field: "", message: "rows may be at most 1048576 bytes"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good, bad := fmt.Sprintf("good-%d", i), fmt.Sprintf("bad-%d", i)
			broken := tc.raw
			if broken == "" {
				broken = goodRow(bad, fmt.Sprintf("BAD-%d-1", i), tc.over)
			} else {
				broken = strings.Replace(broken, "bad,", bad+",", 1)
			}
			file := csvFile(
				goodRow(good, fmt.Sprintf("GOOD-%d-1", i), nil), // line 2
				broken, // line 3
				variantRow(bad, fmt.Sprintf("BAD-%d-2", i), nil), // line 4
			)
			job := e.mustImport(t, e.acme, "csv", file)
			if job.Status != imports.StatusSucceeded || job.Created != 1 || job.Failed != 2 || job.Processed != 3 {
				t.Fatalf("job = %+v", job)
			}
			errs := e.allErrors(t, e.acme, job.ID)
			var found bool
			for _, er := range errs {
				if er.Row == 3 && er.Field == tc.field && strings.Contains(er.Message, tc.message) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no error on line 3 field %q containing %q in %+v", tc.field, tc.message, errs)
			}
			if last := errs[len(errs)-1]; last.Row != 4 || last.Field != "" || !strings.Contains(last.Message, "another row of offer") {
				t.Fatalf("the sibling row's error is %+v", last)
			}
			if n := e.count(t, `SELECT count(*) FROM offers WHERE handle = $1`, bad); n != 0 {
				t.Fatalf("broken offer %s was written", bad)
			}
			if n := e.count(t, `SELECT count(*) FROM offer_variants WHERE sku LIKE $1`, fmt.Sprintf("BAD-%d-%%", i)); n != 0 {
				t.Fatalf("%d variants of the broken offer were written", n)
			}
			if n := e.count(t, `SELECT count(*) FROM offer_variants WHERE sku = $1`, fmt.Sprintf("GOOD-%d-1", i)); n != 1 {
				t.Fatalf("the good offer's variant is missing")
			}
		})
	}

	t.Run("ErrDuplicateSKU", func(t *testing.T) {
		file := csvFile(goodRow("dup-a", "DUP-1", nil), goodRow("dup-b", "DUP-1", nil))
		job := e.mustImport(t, e.acme, "csv", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 1 || job.Failed != 1 || len(errs) != 1 || errs[0].Row != 3 || errs[0].Field != "sku" ||
			!strings.Contains(errs[0].Message, "already appears on line 2") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})

	t.Run("ErrOfferRowsNotAdjacent", func(t *testing.T) {
		file := csvFile(goodRow("adj-a", "ADJ-1", nil), goodRow("adj-b", "ADJ-2", nil), goodRow("adj-a", "ADJ-3", nil))
		job := e.mustImport(t, e.acme, "csv", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 2 || job.Failed != 1 || len(errs) != 1 || errs[0].Row != 4 || errs[0].Field != "offer_handle" ||
			!strings.Contains(errs[0].Message, "must be adjacent") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})

	t.Run("ErrOfferColumnsDiffer", func(t *testing.T) {
		file := csvFile(goodRow("dif-a", "DIF-1", nil), variantRow("dif-a", "DIF-2", map[string]string{"brand": "Other"}))
		job := e.mustImport(t, e.acme, "csv", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 0 || job.Failed != 2 || errs[1].Row != 3 || errs[1].Field != "brand" ||
			!strings.Contains(errs[1].Message, "differs from the offer's first row (line 2)") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})

	t.Run("ErrMissingHandle", func(t *testing.T) {
		file := csvFile(goodRow("", "NOH-1", nil), goodRow("noh-b", "NOH-2", nil))
		job := e.mustImport(t, e.acme, "csv", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 1 || job.Failed != 1 || len(errs) != 1 || errs[0].Field != "offer_handle" || errs[0].Message != "is required" {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})

	t.Run("ErrBackToDraft", func(t *testing.T) {
		e.mustImport(t, e.acme, "csv", csvFile(goodRow("draft-a", "DRA-1", nil)))
		job := e.mustImport(t, e.acme, "csv", csvFile(goodRow("draft-a", "DRA-1", map[string]string{"offer_status": "DRAFT"})))
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Updated != 0 || job.Failed != 1 || len(errs) != 1 || errs[0].Field != "offer_status" ||
			!strings.Contains(errs[0].Message, "cannot go back to DRAFT") {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
	})

	t.Run("ErrLineNumbersAfterMultilineField", func(t *testing.T) {
		// A quoted description spanning two lines moves the next row to line 4.
		file := header + "\r\n" +
			goodRow("ml-a", "ML-1", map[string]string{"description": "\"two\r\nlines\""}) + "\r\n" +
			goodRow("ml-b", "ML-2", map[string]string{"wholesale_price": "-1"}) + "\r\n"
		job := e.mustImport(t, e.acme, "csv", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 1 || len(errs) != 1 || errs[0].Row != 4 {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
		var desc string
		if err := e.d.Owner.QueryRow(ctx, `SELECT description FROM offers WHERE handle = 'ml-a'`).Scan(&desc); err != nil {
			t.Fatal(err)
		}
		if desc != "two\r\nlines" {
			t.Fatalf("description %q", desc)
		}
	})
}
