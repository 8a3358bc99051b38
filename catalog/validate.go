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

// Offer and variant statuses, visibilities and availabilities, as the schema spells them.
const (
	StatusDraft        = "DRAFT"
	StatusActive       = "ACTIVE"
	StatusDiscontinued = "DISCONTINUED"

	VisibilityConsortium = "CONSORTIUM"
	VisibilityAllowList  = "ALLOW_LIST"

	InStock     = "IN_STOCK"
	MadeToOrder = "MADE_TO_ORDER"
	OutOfStock  = "OUT_OF_STOCK"
)

var offerHandleRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)

// ValidOfferHandle reports whether s is an offer handle, the supplier's own key for an
// offer (imports group rows by it): 1–128 letters, digits, '.', '_', '/', '-'.
func ValidOfferHandle(s string) bool { return offerHandleRE.MatchString(s) }

var regionRE = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)

// ValidRegion reports whether s is a region code: an ISO 3166-1 alpha-2 country ("DE")
// or an ISO 3166-2 subdivision ("DE-BY").
func ValidRegion(s string) bool { return regionRE.MatchString(s) }

// Limits of declared availability and lead times.
const (
	MaxLeadTimeDays = 365
	MaxQuantity     = 1_000_000_000
)

// ValidateAvailability checks a declared availability: IN_STOCK needs a quantity ≥ 1,
// MADE_TO_ORDER a lead time of 1–365 days, OUT_OF_STOCK neither. It returns the
// quantity and lead time to store (zero where they do not apply).
func ValidateAvailability(field, availability string, quantity, leadTimeDays int) (qty, days int, errs []*apperr.Error) {
	f := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	switch availability {
	case InStock:
		if quantity < 1 || quantity > MaxQuantity {
			errs = append(errs, apperr.Invalid(f("quantity"), "IN_STOCK needs a quantity between 1 and %d (use OUT_OF_STOCK for none)", MaxQuantity))
		}
		return quantity, 0, errs
	case MadeToOrder:
		if leadTimeDays < 1 || leadTimeDays > MaxLeadTimeDays {
			errs = append(errs, apperr.Invalid(f("leadTimeDays"), "MADE_TO_ORDER needs a lead time between 1 and %d days", MaxLeadTimeDays))
		}
		return 0, leadTimeDays, errs
	case OutOfStock:
		return 0, 0, nil
	}
	return 0, 0, []*apperr.Error{apperr.Invalid(f("availability"), "must be one of IN_STOCK, MADE_TO_ORDER, OUT_OF_STOCK")}
}

// DirectShipping is how a supplier ships a variant itself (drop-ship).
type DirectShipping struct {
	Latitude, Longitude float64
	Region              string   // ship-from region
	ShipsTo             []string // regions it delivers to
	LeadTimeDays        int
	ShippingCost        int64 // per order, minor units of the consortium currency
}

// Validate checks the ship-from location, regions, lead time and cost.
func (d DirectShipping) Validate(field string) []*apperr.Error {
	var errs []*apperr.Error
	f := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	if d.Latitude < -90 || d.Latitude > 90 || d.Latitude != d.Latitude {
		errs = append(errs, apperr.Invalid(f("latitude"), "must be between -90 and 90"))
	}
	if d.Longitude < -180 || d.Longitude > 180 || d.Longitude != d.Longitude {
		errs = append(errs, apperr.Invalid(f("longitude"), "must be between -180 and 180"))
	}
	if !ValidRegion(d.Region) {
		errs = append(errs, apperr.Invalid(f("region"), "must be a region code such as DE or DE-BY"))
	}
	if len(d.ShipsTo) == 0 {
		errs = append(errs, apperr.Invalid(f("shipsTo"), "must name at least one region"))
	}
	for i, r := range d.ShipsTo {
		if !ValidRegion(r) {
			errs = append(errs, apperr.Invalid(f("shipsTo")+"."+itoa(i), "must be a region code such as DE or DE-BY"))
		}
	}
	if d.LeadTimeDays < 0 || d.LeadTimeDays > MaxLeadTimeDays {
		errs = append(errs, apperr.Invalid(f("leadTimeDays"), "must be between 0 and %d days", MaxLeadTimeDays))
	}
	if d.ShippingCost < 0 {
		errs = append(errs, apperr.Invalid(f("shippingCost"), "must not be negative"))
	}
	return errs
}
