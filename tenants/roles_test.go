package tenants_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestRoleTable(t *testing.T) {
	t.Parallel()
	member := func(role string) tenants.Principal { return tenants.Principal{Kind: tenants.KindMember, Role: role} }
	type row map[tenants.Family]bool
	all := func(allowed ...tenants.Family) row {
		r := row{}
		for _, f := range allowed {
			r[f] = true
		}
		return r
	}
	F := struct{ C, K, U, P, S, SS, O, Fu, Se, Sh tenants.Family }{tenants.FamilyConsortium, tenants.FamilyKeys, tenants.FamilyUsers,
		tenants.FamilyPayouts, tenants.FamilyStorefronts, tenants.FamilySupplierSettings, tenants.FamilyOffers, tenants.FamilyFulfilment,
		tenants.FamilySelling, tenants.FamilyShopping}
	for name, tc := range map[string]struct {
		p    tenants.Principal
		want row
	}{
		"Operator":    {tenants.Principal{Kind: tenants.KindOperator}, all(F.C, F.K, F.U, F.Fu)},
		"Owner":       {member(tenants.RoleOwner), all(F.K, F.U, F.P, F.S, F.SS, F.O, F.Fu, F.Se)},
		"Admin":       {member(tenants.RoleAdmin), all(F.K, F.U, F.P, F.S, F.SS, F.O, F.Fu, F.Se)},
		"Staff":       {member(tenants.RoleStaff), all(F.O, F.Fu, F.Se)},
		"SupplierOps": {member(tenants.RoleSupplierOps), all(F.O, F.Fu)},
		"UnknownRole": {member("CEO"), all()},
		"Storefront":  {tenants.Principal{Kind: tenants.KindStorefront}, all(F.Se, F.Sh)},
		"Shopper":     {tenants.Principal{Kind: tenants.KindShopper}, all(F.Sh)},
		"Customer":    {tenants.Principal{Kind: tenants.KindCustomer}, all(F.Sh)},
		"Anonymous":   {tenants.Principal{}, all()},
	} {
		for _, f := range tenants.Families {
			if got := tc.p.Allows(f); got != tc.want[f] {
				t.Errorf("%s × %s: allowed=%v, want %v", name, f, got, tc.want[f])
			}
			if err := tc.p.Require(f); (err == nil) != tc.want[f] || (err != nil && apperr.Code(err) != apperr.EFORBIDDEN) {
				t.Errorf("%s × %s: Require = %v", name, f, err)
			}
		}
	}
}
