package catalog

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// canEditOffers: member back offices whose role works on the catalog. Storefront,
// shopper and customer principals never edit the shared catalog.
func canEditOffers(p tenants.Principal) bool {
	if p.Kind != tenants.KindMember || p.MemberID == uuid.Nil {
		return false
	}
	switch p.Role {
	case tenants.RoleOwner, tenants.RoleAdmin, tenants.RoleStaff, tenants.RoleSupplierOps:
		return true
	}
	return false
}

func requireOfferEditor(p tenants.Principal) error {
	if !canEditOffers(p) {
		return apperr.Forbidden("only a supplier member's owner, admin, staff or supplier-ops may edit offers")
	}
	return nil
}

// requireSupplier checks in tx that the principal's member is a supplier, so only
// suppliers publish into the shared catalog.
func requireSupplier(ctx context.Context, tx pgx.Tx, p tenants.Principal) error {
	var isSupplier bool
	err := tx.QueryRow(ctx, `SELECT is_supplier FROM members WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, p.MemberID).Scan(&isSupplier)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !isSupplier) {
		return apperr.Forbidden("only a supplier member may publish offers")
	}
	return err
}

// Actor describes who made a change, for the change log: "member:<id>/key:<id>",
// "member:<id>/user:<id>", "operator:<consortium id>", "system".
func Actor(p tenants.Principal) string {
	var b strings.Builder
	switch p.Kind {
	case tenants.KindMember:
		b.WriteString("member:" + p.MemberID.String())
	case tenants.KindOperator:
		b.WriteString("operator:" + p.ConsortiumID.String())
	case tenants.KindSystem:
		b.WriteString("system")
	default:
		b.WriteString(strings.ToLower(string(p.Kind)))
	}
	if p.KeyID != uuid.Nil {
		b.WriteString("/key:" + p.KeyID.String())
	}
	if p.UserID != uuid.Nil {
		b.WriteString("/user:" + p.UserID.String())
	}
	return b.String()
}

// viewer is the app-level half of the "two walls": the principal's explicit ids, passed
// as parameters to the same rule the offers_read policy applies from session settings.
type viewer struct {
	consortium uuid.UUID
	role       string
	member     *uuid.UUID // nil (SQL NULL) unless a member back office
}

func viewerOf(p tenants.Principal) viewer {
	v := viewer{consortium: p.ConsortiumID, role: p.Scope().Role}
	if p.Kind == tenants.KindMember && p.MemberID != uuid.Nil {
		id := p.MemberID
		v.member = &id
	}
	return v
}

// offerVisibleSQL is offers_read restated with $1 consortium, $2 role, $3 member. Every
// read of offers (and of what hangs off them) goes through it, so a missing or wrong
// policy alone never exposes an offer.
const offerVisibleSQL = `(o.consortium_id = $1 AND ($2::text IN ('operator', 'system') OR ($2::text = 'member' AND
	(o.supplier_id = $3::uuid OR offer_entitled(o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, $3::uuid)))))`

func (v viewer) args(more ...any) []any {
	return append([]any{v.consortium, v.role, v.member}, more...)
}
