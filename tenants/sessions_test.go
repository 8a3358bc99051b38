package tenants_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestPersonPrincipal(t *testing.T) {
	t.Parallel()
	ps := newPeopleSet(t)
	ctx := context.Background()
	a, _, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "multi@example.com", Role: tenants.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ps.svc.InviteUser(ctx, ps.owner["beta"], tenants.UserInvite{Email: "multi@example.com", Role: tenants.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ps.svc.InviteUser(ctx, ps.op, tenants.UserInvite{Email: "multi@example.com"}); err != nil {
		t.Fatal(err)
	}

	t.Run("Select", func(t *testing.T) {
		for sel, want := range map[string]tenants.Principal{
			"alpha":                  {Kind: tenants.KindMember, MemberID: ps.m["alpha"].ID, Role: tenants.RoleAdmin},
			"beta":                   {Kind: tenants.KindMember, MemberID: ps.m["beta"].ID, Role: tenants.RoleStaff},
			tenants.OperatorSelector: {Kind: tenants.KindOperator, Role: tenants.RoleOperator},
		} {
			p, err := ps.svc.PersonPrincipal(ctx, a.IdentityID, sel)
			if err != nil || p.Kind != want.Kind || p.MemberID != want.MemberID || p.Role != want.Role || p.ConsortiumID != ps.c.ID {
				t.Errorf("%s: %+v %v", sel, p, err)
			}
		}
	})

	t.Run("ErrAmbiguous", func(t *testing.T) {
		_, err := ps.svc.PersonPrincipal(ctx, a.IdentityID, "")
		wantCode(t, err, apperr.EUNAUTHENTICATED)
		if !strings.Contains(err.Error(), "X-Member") {
			t.Fatalf("message does not say how to choose: %v", err)
		}
	})

	t.Run("ErrNotAUser", func(t *testing.T) {
		_, err := ps.svc.PersonPrincipal(ctx, a.IdentityID, "gamma")
		wantCode(t, err, apperr.EUNAUTHENTICATED)
		_, err = ps.svc.PersonPrincipal(ctx, uuid.New(), "")
		wantCode(t, err, apperr.EUNAUTHENTICATED)
	})

	t.Run("ErrSuspendedMember", func(t *testing.T) {
		ps2 := newPeopleSet(t)
		u, _ := ps2.mustInvite(t, "beta", "s@beta.example", tenants.RoleStaff)
		if _, err := ps2.svc.SuspendMember(ctx, ps2.op, ps2.m["beta"].ID); err != nil {
			t.Fatal(err)
		}
		_, err := ps2.svc.PersonPrincipal(ctx, u.IdentityID, "")
		wantCode(t, err, apperr.EUNAUTHENTICATED)
	})
}
