// Package tenanttest holds the tenant set-up the packages' tests share.
package tenanttest

import (
	"context"
	"testing"

	"github.com/guildmart/guildmart/tenants"
)

// ActiveMember invites the member as op (the consortium's operator), activates it and
// returns its owner principal; any error fails tb.
func ActiveMember(tb testing.TB, svc *tenants.Service, op tenants.Principal, in tenants.MemberInvite) tenants.Principal {
	tb.Helper()
	ctx := context.Background()
	m, err := svc.InviteMember(ctx, op, in)
	if err != nil {
		tb.Fatalf("invite member %s: %v", in.Handle, err)
	}
	if _, err := svc.ActivateMember(ctx, op, m.ID); err != nil {
		tb.Fatalf("activate member %s: %v", in.Handle, err)
	}
	return tenants.Principal{Kind: tenants.KindMember, ConsortiumID: op.ConsortiumID, MemberID: m.ID, Role: tenants.RoleOwner}
}
