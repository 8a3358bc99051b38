package catalog_test

import (
	"testing"

	"github.com/guildmart/guildmart/catalog"
)

func TestValidGTIN(t *testing.T) {
	for _, tc := range []struct {
		gtin string
		ok   bool
	}{
		{"4006381333931", true}, {"4006381333932", false}, {"96385074", true}, {"96385075", false},
		{"036000291452", true}, {"036000291453", false}, {"10614141000415", true}, {"10614141000416", false},
		{"", false}, {"123", false}, {"400638133393a", false}, {"40063813339310", false},
	} {
		if got := catalog.ValidGTIN(tc.gtin); got != tc.ok {
			t.Errorf("ValidGTIN(%q) = %v, want %v", tc.gtin, got, tc.ok)
		}
	}
}

func ptr(v int64) *int64 { return &v }

func TestVariantPricesValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		p     catalog.VariantPrices
		field string // "" = valid
	}{
		"OK":                    {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, MinimumResale: ptr(800), Tiers: []catalog.Tier{{10, 450}, {50, 400}}}, ""},
		"ErrWholesaleZero":      {catalog.VariantPrices{Wholesale: 0, SuggestedRetail: 999}, "v.wholesalePrice"},
		"ErrNegativeWholesale":  {catalog.VariantPrices{Wholesale: -5, SuggestedRetail: 999}, "v.wholesalePrice"},
		"ErrRetailBelowWhole":   {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 400}, "v.suggestedRetailPrice"},
		"ErrFloorBelowWhole":    {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, MinimumResale: ptr(499)}, "v.minimumResalePrice"},
		"ErrFloorAboveRetail":   {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, MinimumResale: ptr(1000)}, "v.minimumResalePrice"},
		"ErrTierQtyOne":         {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, Tiers: []catalog.Tier{{1, 450}}}, "v.priceTiers.0.minQuantity"},
		"ErrTierNotIncreasing":  {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, Tiers: []catalog.Tier{{10, 450}, {10, 400}}}, "v.priceTiers.1.minQuantity"},
		"ErrTierNotDecreasing":  {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, Tiers: []catalog.Tier{{10, 450}, {20, 450}}}, "v.priceTiers.1.price"},
		"ErrTierAboveWholesale": {catalog.VariantPrices{Wholesale: 500, SuggestedRetail: 999, Tiers: []catalog.Tier{{10, 500}}}, "v.priceTiers.0.price"},
	} {
		t.Run(name, func(t *testing.T) {
			errs := tc.p.Validate("v")
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("want error on %s, got none", tc.field)
			}
			got := ""
			for i, f := range errs[0].Field {
				if i > 0 {
					got += "."
				}
				got += f
			}
			if got != tc.field {
				t.Fatalf("error on %q, want %q (%v)", got, tc.field, errs[0])
			}
		})
	}
}

func TestUnitWholesaleAndDiscount(t *testing.T) {
	p := catalog.VariantPrices{Wholesale: 1000, SuggestedRetail: 2000, Tiers: []catalog.Tier{{10, 900}, {100, 800}}}
	for q, want := range map[int]int64{1: 1000, 9: 1000, 10: 900, 99: 900, 100: 800, 1000: 800} {
		if got := p.UnitWholesale(q); got != want {
			t.Errorf("UnitWholesale(%d) = %d, want %d", q, got, want)
		}
	}
	if got := catalog.ApplyDiscount(999, 1000); got != 900 { // 99.9 off, rounded down to 99
		t.Errorf("ApplyDiscount(999, 10%%) = %d, want 900", got)
	}
	if got := catalog.ApplyDiscount(1000, 0); got != 1000 {
		t.Errorf("ApplyDiscount(1000, 0) = %d", got)
	}
}
