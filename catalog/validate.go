package catalog

import (
	"regexp"

	"github.com/guildmart/guildmart/internal/apperr"
)

// The variant rules, written once: the GraphQL mutations and the bulk importer both call
// these, and the schema's CHECK constraints repeat the essentials as a last wall.

var skuRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// ValidSKU reports whether s is a SKU: 1–64 letters, digits, '.', '_', '/', '-'.
func ValidSKU(s string) bool { return skuRE.MatchString(s) }

// ValidGTIN reports whether s is a GTIN-8, -12, -13 or -14 with a correct check digit.
func ValidGTIN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		if i == len(s)-1 {
			break
		}
		d := int(c - '0')
		// Weights alternate 3,1 from the digit next to the check digit leftwards.
		if (len(s)-1-i)%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// Tier is a quantity price break: from MinQuantity units on, the unit price is Price.
type Tier struct {
	MinQuantity int
	Price       int64
}

// VariantPrices are the money fields of a variant, in minor units.
type VariantPrices struct {
	Wholesale       int64
	SuggestedRetail int64
	MinimumResale   *int64
	Tiers           []Tier
}

// Validate checks the price rules: positive prices; suggested retail ≥ wholesale; the
// minimum resale price (MAP floor) between wholesale and suggested retail; tiers with
// strictly increasing quantities (≥ 2) and strictly decreasing prices below wholesale.
// field is the path prefix for error fields ("input.variants.0").
func (p VariantPrices) Validate(field string) []*apperr.Error {
	var errs []*apperr.Error
	f := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	if p.Wholesale <= 0 {
		errs = append(errs, apperr.Invalid(f("wholesalePrice"), "must be greater than zero"))
	}
	if p.SuggestedRetail <= 0 {
		errs = append(errs, apperr.Invalid(f("suggestedRetailPrice"), "must be greater than zero"))
	} else if p.SuggestedRetail < p.Wholesale {
		errs = append(errs, apperr.Invalid(f("suggestedRetailPrice"), "must not be below the wholesale price"))
	}
	if p.MinimumResale != nil {
		m := *p.MinimumResale
		if m < p.Wholesale {
			errs = append(errs, apperr.Invalid(f("minimumResalePrice"), "must not be below the wholesale price"))
		} else if p.SuggestedRetail > 0 && m > p.SuggestedRetail {
			errs = append(errs, apperr.Invalid(f("minimumResalePrice"), "must not be above the suggested retail price"))
		}
	}
	prevQ, prevP := 1, p.Wholesale
	for i, t := range p.Tiers {
		tf := f("priceTiers") + "." + itoa(i)
		switch {
		case t.MinQuantity < 2:
			errs = append(errs, apperr.Invalid(tf+".minQuantity", "must be at least 2"))
		case t.MinQuantity <= prevQ:
			errs = append(errs, apperr.Invalid(tf+".minQuantity", "tiers must have strictly increasing quantities"))
		}
		if t.Price <= 0 {
			errs = append(errs, apperr.Invalid(tf+".price", "must be greater than zero"))
		} else if t.Price >= prevP {
			errs = append(errs, apperr.Invalid(tf+".price", "tier prices must strictly decrease, starting below the wholesale price"))
		}
		prevQ, prevP = t.MinQuantity, t.Price
	}
	return errs
}

// UnitWholesale is the tiered unit price for quantity, before any agreement discount.
func (p VariantPrices) UnitWholesale(quantity int) int64 {
	price := p.Wholesale
	for _, t := range p.Tiers {
		if quantity >= t.MinQuantity {
			price = t.Price
		}
	}
	return price
}

// ApplyDiscount takes discountBps basis points off price, rounding the discount down
// (in the supplier's favour) so the result is never below the exact value.
func ApplyDiscount(price int64, discountBps int) int64 {
	return price - price*int64(discountBps)/10000
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
