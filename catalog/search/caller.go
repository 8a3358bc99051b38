package search

import (
	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// caller is who a search runs for, as both backends filter it: the application-level
// wall beside row-level security.
type caller struct {
	consortiumID uuid.UUID
	memberID     uuid.UUID // the seller (or supplier) searching; uuid.Nil for the operator
	all          bool      // the operator or the system: every active offer, list prices
}

// callerOf admits members, the operator and the system. Storefronts and their shoppers
// and customers search their own listings, never the shared catalog with its wholesale
// prices.
func callerOf(p tenants.Principal) (caller, error) {
	if p.ConsortiumID == uuid.Nil {
		return caller{}, apperr.Forbidden("sign in to search the catalog")
	}
	switch p.Kind {
	case tenants.KindMember:
		if p.MemberID == uuid.Nil {
			return caller{}, apperr.Forbidden("only a member may search the catalog")
		}
		return caller{consortiumID: p.ConsortiumID, memberID: p.MemberID}, nil
	case tenants.KindOperator, tenants.KindSystem:
		return caller{consortiumID: p.ConsortiumID, all: true}, nil
	}
	return caller{}, apperr.Forbidden("only members and the operator may search the shared catalog")
}
