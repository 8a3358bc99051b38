package catalog

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Variant is one buyable SKU of an offer.
type Variant struct {
	ID            uuid.UUID
	OfferID       uuid.UUID
	SupplierID    uuid.UUID
	SKU           string
	GTIN          string // "" when none
	Options       []Attribute
	WeightGrams   int
	Currency      string
	VariantPrices        // the supplier's list prices and tiers
	Availability  string // IN_STOCK, MADE_TO_ORDER, OUT_OF_STOCK
	Quantity      int    // with IN_STOCK
	LeadTimeDays  int    // with MADE_TO_ORDER
	Direct        *DirectShipping
	// The consortium warehouses holding it on consignment, by handle (same order).
	WarehouseIDs     []uuid.UUID
	WarehouseHandles []string
	Status           string // ACTIVE, DISCONTINUED
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time

	// DiscountBps is the viewer's APPROVED sourcing agreement discount with the supplier
	// (0 for the supplier itself, the operator, and sellers without one).
	DiscountBps int
	// EffectiveWholesale is the unit wholesale price that applies to the viewer for one
	// unit: the list price less DiscountBps.
	EffectiveWholesale int64
}

// EffectiveUnitPrice is the viewer's unit price for quantity: the tier price for the
// quantity, less the viewer's agreement discount.
func (v *Variant) EffectiveUnitPrice(quantity int) int64 {
	return ApplyDiscount(v.UnitWholesale(quantity), v.DiscountBps)
}

// EffectiveTiers are the price tiers as they apply to the viewer.
func (v *Variant) EffectiveTiers() []Tier {
	out := make([]Tier, len(v.Tiers))
	for i, t := range v.Tiers {
		out[i] = Tier{MinQuantity: t.MinQuantity, Price: ApplyDiscount(t.Price, v.DiscountBps)}
	}
	return out
}

// Fulfilment modes, as search and routing name them.
const (
	FulfilmentDirect    = "DIRECT"
	FulfilmentWarehouse = "WAREHOUSE"
)

// VariantCreate is the input of CreateVariant, and of each variant of CreateOffer. The
// bulk importer validates rows with the same Validate.
type VariantCreate struct {
	SKU         string
	GTIN        string // optional; check digit verified
	Options     []Attribute
	WeightGrams int
	Currency    string // "" means the consortium's; any other currency is rejected
	Prices      VariantPrices
	// Declared availability: IN_STOCK with Quantity, MADE_TO_ORDER with LeadTimeDays,
	// OUT_OF_STOCK. Default IN_STOCK would need a quantity, so "" is invalid.
	Availability string
	Quantity     int
	LeadTimeDays int
	Direct       *DirectShipping // ships direct (drop-ship) when set
	Warehouses   []string        // consigned to these warehouses (handles)
	// IdempotencyKey, when set, makes a retried CreateVariant return the first result
	// (ignored for the variants of CreateOffer, which has its own).
	IdempotencyKey string
}

// Validate checks the variant (field is the path prefix, "" at the top) against the
// consortium's currency. A variant must ship direct, be consigned, or both.
func (in *VariantCreate) Validate(field, currency string) error {
	f := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	var errs []error
	if !ValidSKU(in.SKU) {
		errs = append(errs, apperr.Invalid(f("sku"), "must be 1–64 letters, digits, '.', '_', '/' or '-'"))
	}
	if in.GTIN != "" && !ValidGTIN(in.GTIN) {
		errs = append(errs, apperr.Invalid(f("gtin"), "is not a valid GTIN-8/12/13/14 (check digit)"))
	}
	errs = append(errs, validateAttributes(f("options"), in.Options))
	if in.WeightGrams < 0 {
		errs = append(errs, apperr.Invalid(f("weightGrams"), "must not be negative"))
	}
	if in.Currency == "" {
		in.Currency = currency
	} else if in.Currency != currency {
		errs = append(errs, apperr.Invalid(f("currency"), "must be the consortium's currency %s", currency))
	}
	for _, e := range in.Prices.Validate(field) {
		errs = append(errs, e)
	}
	q, d, aerrs := ValidateAvailability(field, in.Availability, in.Quantity, in.LeadTimeDays)
	in.Quantity, in.LeadTimeDays = q, d
	for _, e := range aerrs {
		errs = append(errs, e)
	}
	if in.Direct != nil {
		for _, e := range in.Direct.Validate(f("shipsDirect")) {
			errs = append(errs, e)
		}
	}
	if in.Direct == nil && len(in.Warehouses) == 0 {
		errs = append(errs, apperr.Invalid(f("warehouses"), "a variant must ship direct or be consigned to at least one warehouse"))
	}
	return errors.Join(errs...)
}

// VariantUpdate changes the set fields of a variant. The SKU never changes: suppliers'
// systems address variants by it.
type VariantUpdate struct {
	GTIN               *string // "" removes it
	Options            *[]Attribute
	WeightGrams        *int
	Currency           *string // accepted only when it is the consortium's
	Wholesale          *int64
	SuggestedRetail    *int64
	MinimumResale      *int64
	ClearMinimumResale bool
	Tiers              *[]Tier // replaces the tiers ([] removes them)
	Availability       *string
	Quantity           *int
	LeadTimeDays       *int
	Direct             *DirectShipping // replaces the direct shipping options
	NoDirect           bool            // stops shipping direct
	Warehouses         *[]string       // replaces the consignment warehouses
	Status             *string         // ACTIVE or DISCONTINUED
}

// apply merges the update into a copy of cur, as the VariantCreate to validate.
func (in VariantUpdate) apply(cur *Variant, warehouseHandles []string) VariantCreate {
	out := VariantCreate{
		SKU: cur.SKU, GTIN: cur.GTIN, Options: cur.Options, WeightGrams: cur.WeightGrams, Currency: cur.Currency,
		Prices:       VariantPrices{Wholesale: cur.Wholesale, SuggestedRetail: cur.SuggestedRetail, MinimumResale: cur.MinimumResale, Tiers: cur.Tiers},
		Availability: cur.Availability, Quantity: cur.Quantity, LeadTimeDays: cur.LeadTimeDays,
		Direct: cur.Direct, Warehouses: warehouseHandles,
	}
	if in.GTIN != nil {
		out.GTIN = *in.GTIN
	}
	if in.Options != nil {
		out.Options = *in.Options
	}
	if in.WeightGrams != nil {
		out.WeightGrams = *in.WeightGrams
	}
	if in.Currency != nil {
		out.Currency = *in.Currency
	}
	if in.Wholesale != nil {
		out.Prices.Wholesale = *in.Wholesale
	}
	if in.SuggestedRetail != nil {
		out.Prices.SuggestedRetail = *in.SuggestedRetail
	}
	if in.MinimumResale != nil {
		out.Prices.MinimumResale = in.MinimumResale
	}
	if in.ClearMinimumResale {
		out.Prices.MinimumResale = nil
	}
	if in.Tiers != nil {
		out.Prices.Tiers = *in.Tiers
	}
	if in.Availability != nil {
		out.Availability = *in.Availability
		// A new availability comes with its own quantity or lead time, not the old one's.
		out.Quantity, out.LeadTimeDays = 0, 0
	}
	if in.Quantity != nil {
		out.Quantity = *in.Quantity
	}
	if in.LeadTimeDays != nil {
		out.LeadTimeDays = *in.LeadTimeDays
	}
	if in.Direct != nil {
		out.Direct = in.Direct
	}
	if in.NoDirect {
		out.Direct = nil
	}
	if in.Warehouses != nil {
		out.Warehouses = *in.Warehouses
	}
	return out
}
