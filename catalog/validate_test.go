package catalog_test

import (
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
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

func TestValidateAvailability(t *testing.T) {
	for name, tc := range map[string]struct {
		a           string
		q, d        int
		wantQ, want int
		field       string
	}{
		"OKInStock":          {catalog.InStock, 5, 9, 5, 0, ""},
		"OKMadeToOrder":      {catalog.MadeToOrder, 5, 30, 0, 30, ""},
		"OKOutOfStock":       {catalog.OutOfStock, 5, 9, 0, 0, ""},
		"ErrInStockZero":     {catalog.InStock, 0, 0, 0, 0, "u.quantity"},
		"ErrInStockNegative": {catalog.InStock, -1, 0, 0, 0, "u.quantity"},
		"ErrMadeNoLead":      {catalog.MadeToOrder, 0, 0, 0, 0, "u.leadTimeDays"},
		"ErrMadeTooLong":     {catalog.MadeToOrder, 0, 366, 0, 0, "u.leadTimeDays"},
		"ErrUnknown":         {"SOLD_OUT", 1, 1, 0, 0, "u.availability"},
		"ErrEmpty":           {"", 1, 1, 0, 0, "u.availability"},
	} {
		t.Run(name, func(t *testing.T) {
			q, d, errs := catalog.ValidateAvailability("u", tc.a, tc.q, tc.d)
			if tc.field == "" {
				if len(errs) != 0 || q != tc.wantQ || d != tc.want {
					t.Fatalf("got %d, %d, %v", q, d, errs)
				}
				return
			}
			if len(errs) != 1 || strings.Join(errs[0].Field, ".") != tc.field {
				t.Fatalf("errors %v, want one on %s", errs, tc.field)
			}
		})
	}
}

func TestDirectShippingValidate(t *testing.T) {
	good := catalog.DirectShipping{Latitude: 48.1, Longitude: 11.6, Region: "DE-BY", ShipsTo: []string{"DE", "AT"}, LeadTimeDays: 2, ShippingCost: 490}
	for name, tc := range map[string]struct {
		mod   func(*catalog.DirectShipping)
		field string
	}{
		"OK":               {func(*catalog.DirectShipping) {}, ""},
		"ErrLatitude":      {func(d *catalog.DirectShipping) { d.Latitude = 90.5 }, "d.latitude"},
		"ErrLongitude":     {func(d *catalog.DirectShipping) { d.Longitude = -180.1 }, "d.longitude"},
		"ErrRegion":        {func(d *catalog.DirectShipping) { d.Region = "Bavaria" }, "d.region"},
		"ErrNoShipsTo":     {func(d *catalog.DirectShipping) { d.ShipsTo = nil }, "d.shipsTo"},
		"ErrShipsToRegion": {func(d *catalog.DirectShipping) { d.ShipsTo = []string{"DE", "de"} }, "d.shipsTo.1"},
		"ErrLeadTime":      {func(d *catalog.DirectShipping) { d.LeadTimeDays = -1 }, "d.leadTimeDays"},
		"ErrCost":          {func(d *catalog.DirectShipping) { d.ShippingCost = -1 }, "d.shippingCost"},
	} {
		t.Run(name, func(t *testing.T) {
			d := good
			d.ShipsTo = append([]string{}, good.ShipsTo...)
			tc.mod(&d)
			errs := d.Validate("d")
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || strings.Join(errs[0].Field, ".") != tc.field {
				t.Fatalf("errors %v, want one on %s", errs, tc.field)
			}
		})
	}
}

func TestValidRegionAndHandle(t *testing.T) {
	for s, want := range map[string]bool{"DE": true, "DE-BY": true, "US-CA": true, "GB-ENG": true, "de": false, "DEU": false, "DE-": false, "": false, "DE-BAVA": false} {
		if catalog.ValidRegion(s) != want {
			t.Errorf("ValidRegion(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{"knife-01": true, "A/B.c_d": true, strings.Repeat("a", 128): true, strings.Repeat("a", 129): false, "-x": false, "a b": false, "": false} {
		if catalog.ValidOfferHandle(s) != want {
			t.Errorf("ValidOfferHandle(%q) != %v", s, want)
		}
	}
}

func TestVariantCreateValidate(t *testing.T) {
	valid := func() catalog.VariantCreate {
		return catalog.VariantCreate{SKU: "SKU-1", GTIN: "4006381333931", Prices: catalog.VariantPrices{Wholesale: 100, SuggestedRetail: 200},
			Availability: catalog.InStock, Quantity: 3, Warehouses: []string{"wh-1"}}
	}
	for name, tc := range map[string]struct {
		mod   func(*catalog.VariantCreate)
		field string
	}{
		"OK": {func(*catalog.VariantCreate) {}, ""},
		"OKDirectOnly": {func(v *catalog.VariantCreate) {
			v.Warehouses = nil
			v.Direct = &catalog.DirectShipping{Region: "DE", ShipsTo: []string{"DE"}}
		}, ""},
		"OKNoGTIN":        {func(v *catalog.VariantCreate) { v.GTIN = "" }, ""},
		"ErrSKU":          {func(v *catalog.VariantCreate) { v.SKU = "bad sku" }, "v.sku"},
		"ErrGTIN":         {func(v *catalog.VariantCreate) { v.GTIN = "4006381333932" }, "v.gtin"},
		"ErrCurrency":     {func(v *catalog.VariantCreate) { v.Currency = "USD" }, "v.currency"},
		"ErrWeight":       {func(v *catalog.VariantCreate) { v.WeightGrams = -1 }, "v.weightGrams"},
		"ErrOptionDup":    {func(v *catalog.VariantCreate) { v.Options = []catalog.Attribute{{"size", "S"}, {"size", "M"}} }, "v.options.1.key"},
		"ErrOptionKey":    {func(v *catalog.VariantCreate) { v.Options = []catalog.Attribute{{" ", "S"}} }, "v.options.0.key"},
		"ErrPrice":        {func(v *catalog.VariantCreate) { v.Prices.Wholesale = 0 }, "v.wholesalePrice"},
		"ErrAvailability": {func(v *catalog.VariantCreate) { v.Availability = "" }, "v.availability"},
		"ErrNoFulfilment": {func(v *catalog.VariantCreate) { v.Warehouses = nil }, "v.warehouses"},
		"ErrDirect": {func(v *catalog.VariantCreate) {
			v.Direct = &catalog.DirectShipping{Region: "x", ShipsTo: []string{"DE"}}
		}, "v.shipsDirect.region"},
	} {
		t.Run(name, func(t *testing.T) {
			v := valid()
			tc.mod(&v)
			err := v.Validate("v", "EUR")
			all := apperr.All(err)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if v.Currency != "EUR" {
					t.Fatalf("currency not defaulted: %q", v.Currency)
				}
				return
			}
			if len(all) != 1 || strings.Join(all[0].Field, ".") != tc.field {
				t.Fatalf("errors %v, want one on %s", all, tc.field)
			}
		})
	}
}

func TestOfferCreateValidate(t *testing.T) {
	valid := func() catalog.OfferCreate {
		return catalog.OfferCreate{Title: "Knife", Images: []string{"https://img.example.com/a.jpg"}}
	}
	for name, tc := range map[string]struct {
		mod   func(*catalog.OfferCreate)
		field string
	}{
		"OK":                {func(*catalog.OfferCreate) {}, ""},
		"ErrHandle":         {func(o *catalog.OfferCreate) { o.Handle = "has space" }, "handle"},
		"ErrTitleEmpty":     {func(o *catalog.OfferCreate) { o.Title = "  " }, "title"},
		"ErrTitleLong":      {func(o *catalog.OfferCreate) { o.Title = strings.Repeat("x", 301) }, "title"},
		"ErrBrandLong":      {func(o *catalog.OfferCreate) { o.Brand = strings.Repeat("x", 201) }, "brand"},
		"ErrImageScheme":    {func(o *catalog.OfferCreate) { o.Images = []string{"ftp://x/y"} }, "images.0"},
		"ErrImageNoHost":    {func(o *catalog.OfferCreate) { o.Images = []string{"https://"} }, "images.0"},
		"ErrTooManyImages":  {func(o *catalog.OfferCreate) { o.Images = make([]string, 21) }, "images"},
		"ErrAttrDup":        {func(o *catalog.OfferCreate) { o.Attributes = []catalog.Attribute{{"a", "1"}, {"a", "2"}} }, "attributes.1.key"},
		"ErrStatus":         {func(o *catalog.OfferCreate) { o.Status = catalog.StatusDiscontinued }, "status"},
		"ErrActiveEmpty":    {func(o *catalog.OfferCreate) { o.Status = catalog.StatusActive }, "status"},
		"ErrVisibility":     {func(o *catalog.OfferCreate) { o.Visibility = "PUBLIC" }, "visibility"},
		"ErrListConsortium": {func(o *catalog.OfferCreate) { o.AllowList = []string{"shop"} }, "allowList"},
		"ErrVariantSKUDup": {func(o *catalog.OfferCreate) {
			v := catalog.VariantCreate{SKU: "A", Prices: catalog.VariantPrices{Wholesale: 1, SuggestedRetail: 1}, Availability: catalog.OutOfStock, Warehouses: []string{"w"}}
			o.Variants = []catalog.VariantCreate{v, v}
		}, "variants.1.sku"},
	} {
		t.Run(name, func(t *testing.T) {
			o := valid()
			tc.mod(&o)
			all := apperr.All(o.Validate("EUR"))
			if tc.field == "" {
				if len(all) != 0 || o.Status != catalog.StatusDraft || o.Visibility != catalog.VisibilityConsortium {
					t.Fatalf("%v %+v", all, o)
				}
				return
			}
			if len(all) != 1 || strings.Join(all[0].Field, ".") != tc.field {
				t.Fatalf("errors %v, want one on %s", all, tc.field)
			}
		})
	}
}
