package tenants

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
)

// Kind is what sort of party a principal is.
type Kind string

const (
	KindOperator   Kind = "OPERATOR"   // the consortium's operator
	KindMember     Kind = "MEMBER"     // a member's back office (supplier and/or seller)
	KindStorefront Kind = "STOREFRONT" // one storefront's back office or frontend server
	KindShopper    Kind = "SHOPPER"    // anonymous visitor of one storefront
	KindCustomer   Kind = "CUSTOMER"   // signed-in customer of one storefront
	KindSystem     Kind = "SYSTEM"     // workers and the CLI, for one consortium
)

// Member user roles, from most to least powerful.
const (
	RoleOperator    = "OPERATOR"
	RoleOwner       = "OWNER"
	RoleAdmin       = "ADMIN"
	RoleStaff       = "STAFF"
	RoleSupplierOps = "SUPPLIER_OPS"
	RoleStorefront  = "STOREFRONT"
)

// Principal is who a request acts as. It is made only by authentication (API key,
// storefront handle, session) and never from client-supplied IDs.
type Principal struct {
	Kind         Kind
	ConsortiumID uuid.UUID
	MemberID     uuid.UUID // set for members, and for storefront principals (the owner)
	StorefrontID uuid.UUID
	CustomerID   uuid.UUID
	Role         string    // the member user's or key's role
	KeyID        uuid.UUID // the API key used, if any
	UserID       uuid.UUID // the person, if signed in
	IdentityID   uuid.UUID // the person's Kratos identity, if signed in with a session
}

// Scope is what row-level security sees of p. A storefront principal does not get its
// member's scope: a storefront key can never read the member's other storefronts.
func (p Principal) Scope() db.Scope {
	s := db.Scope{ConsortiumID: p.ConsortiumID}
	switch p.Kind {
	case KindOperator:
		s.Role = db.RoleOperator
	case KindMember:
		s.Role, s.MemberID = db.RoleMember, p.MemberID
	case KindStorefront:
		s.Role, s.StorefrontID = db.RoleStorefront, p.StorefrontID
	case KindShopper:
		s.Role, s.StorefrontID = db.RoleShopper, p.StorefrontID
	case KindCustomer:
		s.Role, s.StorefrontID, s.CustomerID = db.RoleCustomer, p.StorefrontID, p.CustomerID
	case KindSystem:
		s.Role = db.RoleSystem
	}
	return s
}

// IsOperator reports whether p is the consortium operator (or the system acting for it).
func (p Principal) IsOperator() bool { return p.Kind == KindOperator || p.Kind == KindSystem }

// IsMember reports whether p acts for a member's back office.
func (p Principal) IsMember() bool { return p.Kind == KindMember }

// CanManage reports whether a member principal may manage keys, users, storefronts and
// payouts (owner and admin).
func (p Principal) CanManage() bool {
	return p.Kind == KindMember && (p.Role == RoleOwner || p.Role == RoleAdmin)
}

// CanSell reports whether a member principal may work on storefronts, listings and orders
// (everyone but supplier-ops).
func (p Principal) CanSell() bool {
	return p.Kind == KindMember && p.Role != RoleSupplierOps
}

// RequireOperator fails unless p is the operator.
func (p Principal) RequireOperator() error {
	if !p.IsOperator() {
		return apperr.Forbidden("only the consortium operator may do this")
	}
	return nil
}

// RequireMember fails unless p acts for a member.
func (p Principal) RequireMember() error {
	if p.Kind != KindMember {
		return apperr.Forbidden("only a member may do this")
	}
	return nil
}

// RequireManager fails unless p is a member owner or admin.
func (p Principal) RequireManager() error {
	if !p.CanManage() {
		return apperr.Forbidden("only a member owner or admin may do this")
	}
	return nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx; ok is false for none.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// OwnMemberID is the member id the application-level tenant filters may match on: the
// member's own for member principals, uuid.Nil (matching nothing) for everyone else, so a
// storefront principal is never widened to its member's other data.
func (p Principal) OwnMemberID() uuid.UUID {
	if p.Kind == KindMember {
		return p.MemberID
	}
	return uuid.Nil
}
