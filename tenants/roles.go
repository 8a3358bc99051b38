package tenants

import "github.com/guildmart/guildmart/internal/apperr"

// Family is a group of mutations that share one role rule. Allows is the one role table
// (docs/identity.md shows it); which member, storefront or row a caller may touch is
// checked on top of it by each operation and by row-level security.
type Family string

// The mutation families.
const (
	FamilyConsortium       Family = "CONSORTIUM"        // members, warehouses, categories
	FamilyKeys             Family = "KEYS"              // API keys
	FamilyUsers            Family = "USERS"             // people: invite, remove
	FamilyPayouts          Family = "PAYOUTS"           // payout accounts and settings
	FamilyStorefronts      Family = "STOREFRONTS"       // open and change storefronts
	FamilySupplierSettings Family = "SUPPLIER_SETTINGS" // supplier profile, decide sourcing agreements
	FamilyOffers           Family = "OFFERS"            // offers, variants, availability, imports
	FamilyFulfilment       Family = "FULFILMENT"        // fulfilment orders: accept, reject, ship
	FamilySelling          Family = "SELLING"           // sourcing requests, listings, orders, customers
	FamilyShopping         Family = "SHOPPING"          // carts and checkout of one storefront
)

// Families lists every family, in the order of the role table.
var Families = []Family{FamilyConsortium, FamilyKeys, FamilyUsers, FamilyPayouts, FamilyStorefronts,
	FamilySupplierSettings, FamilyOffers, FamilyFulfilment, FamilySelling, FamilyShopping}

// Allows reports whether p's kind and role may use the mutations of family f.
func (p Principal) Allows(f Family) bool {
	switch p.Kind {
	case KindOperator, KindSystem:
		// The operator admits members, runs warehouses (their fulfilment orders), and
		// manages its own keys and people; it never acts inside a member's business.
		return f == FamilyConsortium || f == FamilyKeys || f == FamilyUsers || f == FamilyFulfilment
	case KindMember:
		switch f {
		case FamilyKeys, FamilyUsers, FamilyPayouts, FamilyStorefronts, FamilySupplierSettings:
			return p.Role == RoleOwner || p.Role == RoleAdmin
		case FamilyOffers, FamilyFulfilment:
			return p.Role == RoleOwner || p.Role == RoleAdmin || p.Role == RoleStaff || p.Role == RoleSupplierOps
		case FamilySelling:
			return p.Role == RoleOwner || p.Role == RoleAdmin || p.Role == RoleStaff
		}
	case KindStorefront:
		return f == FamilySelling || f == FamilyShopping
	case KindShopper, KindCustomer:
		return f == FamilyShopping
	}
	return false
}

// Require fails with FORBIDDEN unless p may use the mutations of family f.
func (p Principal) Require(f Family) error {
	if p.Allows(f) {
		return nil
	}
	who := string(p.Kind)
	if p.Kind == KindMember {
		who = p.Role
	}
	if who == "" {
		who = "an anonymous caller"
	}
	return apperr.Forbidden("%s may not do this (%s operations)", who, f)
}
