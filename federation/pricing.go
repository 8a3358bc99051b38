package federation

import (
	"math"
	"math/bits"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Rule kinds and roundings, as the schema and the API spell them.
const (
	MarkupPercent   = "MARKUP_PERCENT"
	MarkupFixed     = "MARKUP_FIXED"
	FixedPrice      = "FIXED_PRICE"
	SuggestedRetail = "SUGGESTED_RETAIL"

	RoundNone    = "NONE"
	RoundCharm99 = "CHARM_99"
	RoundWhole   = "WHOLE"
)

// Effective statuses of a listing variant, and the reasons that go with them.
const (
	StatusActive      = "ACTIVE"
	StatusOutOfStock  = "OUT_OF_STOCK"
	StatusPriceHeld   = "PRICE_HELD"
	StatusUnavailable = "UNAVAILABLE"
	StatusUnpublished = "UNPUBLISHED"

	ReasonUnpublished         = "UNPUBLISHED"
	ReasonOfferDiscontinued   = "OFFER_DISCONTINUED"
	ReasonOfferNotActive      = "OFFER_NOT_ACTIVE"
	ReasonAccessRevoked       = "ACCESS_REVOKED"
	ReasonVariantDiscontinued = "VARIANT_DISCONTINUED"
	ReasonBelowFloor          = "BELOW_MINIMUM_RESALE_PRICE"
	ReasonBelowCost           = "BELOW_COST"
	ReasonBelowMargin         = "BELOW_MINIMUM_MARGIN"
	ReasonOutOfStock          = "SUPPLIER_OUT_OF_STOCK"
	ReasonClamped             = "CLAMPED_TO_MINIMUM_RESALE_PRICE"
)

// Stock levels shoppers see.
const (
	StockInStock    = "IN_STOCK"
	StockLow        = "LOW"
	StockOutOfStock = "OUT_OF_STOCK"
	// LowStockThreshold: IN_STOCK with this many units or fewer shows as LOW.
	LowStockThreshold = 5
)

// Limits of rule parameters (the schema's CHECKs repeat them).
const (
	MaxPercentBps    = 1_000_000 // 10,000 %
	MaxAmount        = 1_000_000_000_000
	MaxBasisQuantity = 1_000_000
	MaxMinMarginBps  = 9_000
)

// Rule is a pricing rule: how a sell price follows from the supplier's prices.
type Rule struct {
	ID            uuid.UUID // set once stored (ignored by Price)
	Kind          string    // MARKUP_PERCENT, MARKUP_FIXED, FIXED_PRICE, SUGGESTED_RETAIL
	PercentBps    int       // MARKUP_PERCENT: markup in basis points of cost
	Amount        int64     // MARKUP_FIXED: markup; FIXED_PRICE: the price (minor units)
	Rounding      string    // NONE, CHARM_99, WHOLE (formula kinds only)
	BasisQuantity int       // the tier quantity cost is taken at (default 1)
	MinMarginBps  *int      // optional minimum gross margin on the sell price
	ClampToFloor  bool      // raise prices under the supplier's floor to it instead of holding
}

// DefaultRule applies where a storefront set none: the suggested retail price.
var DefaultRule = Rule{Kind: SuggestedRetail, Rounding: RoundNone, BasisQuantity: 1}

// Validate checks r; field prefixes error paths.
func (r *Rule) Validate(field string) []*apperr.Error {
	f := func(n string) string {
		if field == "" {
			return n
		}
		return field + "." + n
	}
	if r.Rounding == "" {
		r.Rounding = RoundNone
	}
	if r.BasisQuantity == 0 {
		r.BasisQuantity = 1
	}
	var errs []*apperr.Error
	switch r.Kind {
	case MarkupPercent, MarkupFixed, SuggestedRetail:
	case FixedPrice:
		if r.Amount <= 0 {
			errs = append(errs, apperr.Invalid(f("amount"), "FIXED_PRICE needs a price greater than zero"))
		}
	default:
		errs = append(errs, apperr.Invalid(f("kind"), "must be one of MARKUP_PERCENT, MARKUP_FIXED, FIXED_PRICE, SUGGESTED_RETAIL"))
	}
	if r.PercentBps < 0 || r.PercentBps > MaxPercentBps {
		errs = append(errs, apperr.Invalid(f("percentBps"), "must be between 0 and %d", MaxPercentBps))
	}
	if r.Amount < 0 || r.Amount > MaxAmount {
		errs = append(errs, apperr.Invalid(f("amount"), "must be between 0 and %d minor units", int64(MaxAmount)))
	}
	switch r.Rounding {
	case RoundNone, RoundCharm99, RoundWhole:
	default:
		errs = append(errs, apperr.Invalid(f("rounding"), "must be one of NONE, CHARM_99, WHOLE"))
	}
	if r.BasisQuantity < 1 || r.BasisQuantity > MaxBasisQuantity {
		errs = append(errs, apperr.Invalid(f("basisQuantity"), "must be between 1 and %d", MaxBasisQuantity))
	}
	if r.MinMarginBps != nil && (*r.MinMarginBps < 0 || *r.MinMarginBps > MaxMinMarginBps) {
		errs = append(errs, apperr.Invalid(f("minMarginBps"), "must be between 0 and %d", MaxMinMarginBps))
	}
	return errs
}

// Inputs are what a listing variant's price and status follow from: the live variant
// (through its offer and the seller's access) and the listing.
type Inputs struct {
	Cost            int64  // effective wholesale for the seller (EffectiveWholesale)
	SuggestedRetail int64  // the supplier's suggested retail price
	Floor           *int64 // the supplier's minimum resale price (MAP), if any
	Exponent        int    // minor-unit digits of the currency
	FixedPrice      *int64 // the seller's own price for this variant: FIXED_PRICE at it
	Published       bool   // the listing is published
	Entitled        bool   // the seller may still source the offer (offer_entitled)
	OfferStatus     string
	VariantStatus   string
	Availability    string // the supplier's declared availability
	Quantity        int    // units with IN_STOCK
}

// EffectiveWholesale is the seller's cost of one unit: the tier price for basisQuantity
// less the agreement discount (rounded down, catalog.ApplyDiscount).
func EffectiveWholesale(p catalog.VariantPrices, basisQuantity, discountBps int) int64 {
	return catalog.ApplyDiscount(p.UnitWholesale(basisQuantity), discountBps)
}

// Price applies r to in: the sell price and the listing variant's effective status with
// its reason ("" when none). It is the Go twin of gm_listing_price in
// schema/migrations/006_federation.sql, which documents the rule step by step;
// TestPriceMatchesSQL keeps the two equal.
func Price(r Rule, in Inputs) (price int64, status, reason string) {
	kind, fixed := r.Kind, r.Amount
	if in.FixedPrice != nil {
		kind, fixed = FixedPrice, *in.FixedPrice
	}
	cost := in.Cost
	switch kind {
	case MarkupPercent:
		price = add(cost, mulDiv(cost, int64(r.PercentBps), 5000, 10000))
	case MarkupFixed:
		price = add(cost, r.Amount)
	case FixedPrice:
		price = fixed
	default:
		price = in.SuggestedRetail
	}
	var minMarginPrice int64
	if r.MinMarginBps != nil {
		d := int64(10000 - *r.MinMarginBps)
		minMarginPrice = mulDiv(cost, 10000, d-1, d)
	}
	if kind != FixedPrice {
		if r.MinMarginBps != nil && price < minMarginPrice {
			price = minMarginPrice
		}
		switch r.Rounding {
		case RoundCharm99:
			price = add(price, (99-price%100+100)%100)
		case RoundWhole:
			unit := pow10(in.Exponent)
			price = add(price, (unit-price%unit)%unit)
		}
	}
	clamped := false
	if in.Floor != nil && price < *in.Floor && r.ClampToFloor {
		price, clamped = *in.Floor, true
	}
	held := ""
	switch {
	case in.Floor != nil && price < *in.Floor:
		held = ReasonBelowFloor
	case price < cost:
		held = ReasonBelowCost
	case kind == FixedPrice && r.MinMarginBps != nil && price < minMarginPrice:
		held = ReasonBelowMargin
	}
	unavailable := ""
	switch {
	case in.OfferStatus == catalog.StatusDiscontinued:
		unavailable = ReasonOfferDiscontinued
	case in.OfferStatus != catalog.StatusActive:
		unavailable = ReasonOfferNotActive
	case !in.Entitled:
		unavailable = ReasonAccessRevoked
	case in.VariantStatus != catalog.StatusActive:
		unavailable = ReasonVariantDiscontinued
	}
	switch {
	case !in.Published:
		return price, StatusUnpublished, ReasonUnpublished
	case unavailable != "":
		return price, StatusUnavailable, unavailable
	case held != "":
		return price, StatusPriceHeld, held
	case in.Availability == catalog.OutOfStock:
		return price, StatusOutOfStock, ReasonOutOfStock
	case clamped:
		return price, StatusActive, ReasonClamped
	}
	return price, StatusActive, ""
}

// CompareAt is the compare-at price shoppers see: the suggested retail price when it is
// above the price, else none.
func CompareAt(price, suggestedRetail int64) *int64 {
	if suggestedRetail > price {
		return &suggestedRetail
	}
	return nil
}

// StockLevel is what shoppers see of the supplier's declared availability.
func StockLevel(availability string, quantity int) string {
	switch {
	case availability == catalog.OutOfStock:
		return StockOutOfStock
	case availability == catalog.InStock && quantity <= LowStockThreshold:
		return StockLow
	}
	return StockInStock
}

// Sellable reports whether a listing variant with status can be bought.
func Sellable(status string) bool { return status == StatusActive }

// mulDiv returns (a*b + add) / d for non-negative operands without intermediate
// overflow, saturating at MaxInt64 (the SQL twin computes in numeric).
func mulDiv(a, b, add, d int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	lo, carry := bits.Add64(lo, uint64(add), 0)
	hi += carry
	if hi >= uint64(d) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(d))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

func add(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func pow10(exp int) int64 {
	u := int64(1)
	for range exp {
		u *= 10
	}
	return u
}
