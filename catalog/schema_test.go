package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/internal/db"
)

// TestSchemaKeyFormats holds the table checks behind catalog's own validation to the
// formats the API documents, at their edges (013 rewrote the patterns for speed): an
// offer handle of 1–128 and a SKU of 1–64 characters from [A-Za-z0-9._/-], starting
// with a letter or digit; a GTIN of 8, 12, 13 or 14 digits.
func TestSchemaKeyFormats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	var offerID string
	ok(t, w.d.Owner.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title) VALUES ($1, $2, 'base', 'Base') RETURNING id`,
		w.c.ID, sup.MemberID).Scan(&offerID))
	for _, c := range []struct {
		table, value string
		valid        bool
	}{
		{"handle", "a", true},
		{"handle", "A9._/-" + strings.Repeat("x", 122), true},
		{"handle", strings.Repeat("x", 129), false},
		{"handle", "-x", false},
		{"handle", "a b", false},
		{"handle", "a\n", false},
		{"handle", "ä", false},
		{"sku", "S", true},
		{"sku", "S-1/2._" + strings.Repeat("x", 57), true},
		{"sku", strings.Repeat("x", 65), false},
		{"sku", ".x", false},
		{"sku", "x+y", false},
		{"gtin", "12345678", true},
		{"gtin", "123456789012", true},
		{"gtin", "12345678901234", true},
		{"gtin", "1234567", false},
		{"gtin", "123456789", false},
		{"gtin", "123456789012345", false},
		{"gtin", "1234567a", false},
	} {
		var err error
		switch c.table {
		case "handle":
			_, err = w.d.Owner.Exec(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title) VALUES ($1, $2, $3, 'T')`,
				w.c.ID, sup.MemberID, c.value)
		default:
			sku, gtin := c.value, any(nil)
			if c.table == "gtin" {
				sku, gtin = "G-"+c.value, c.value
			}
			_, err = w.d.Owner.Exec(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, gtin, currency,
				wholesale_price, suggested_retail_price) VALUES ($1, $2, $3, $4, $5, 'EUR', 1, 1)`,
				w.c.ID, offerID, sup.MemberID, sku, gtin)
		}
		if c.valid && err != nil {
			t.Errorf("%s %q refused: %v", c.table, c.value, err)
		}
		if !c.valid && !db.IsCheckViolation(err) {
			t.Errorf("%s %q: got %v, want a check violation", c.table, c.value, err)
		}
	}
}
