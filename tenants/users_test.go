package tenants_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/identity"
)

// fakePeople is an in-memory identity provider: the domain rules are tested here, the
// real Ory Kratos in tenants/identity and through the gateway.
type fakePeople struct {
	mu         sync.Mutex
	byEmail    map[string]uuid.UUID
	persons    map[uuid.UUID]*identity.Person
	created    int
	revoked    map[uuid.UUID]int
	revokeErr  error
	linkPrefix string
}

func newFakePeople() *fakePeople {
	return &fakePeople{byEmail: map[string]uuid.UUID{}, persons: map[uuid.UUID]*identity.Person{}, revoked: map[uuid.UUID]int{}, linkPrefix: "https://kratos.test/recovery?token="}
}

func (f *fakePeople) CreatePerson(_ context.Context, email, name string) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created++
	email = strings.ToLower(email)
	if id, ok := f.byEmail[email]; ok {
		return id, nil
	}
	id := uuid.New()
	f.byEmail[email] = id
	f.persons[id] = &identity.Person{IdentityID: id, Email: email, Name: name}
	return id, nil
}

// register is a person who signed up at Kratos by itself.
func (f *fakePeople) register(email, name string, verified bool) uuid.UUID {
	id, _ := f.CreatePerson(context.Background(), email, name)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created--
	f.persons[id].EmailVerified = verified
	return id
}

func (f *fakePeople) Person(_ context.Context, id uuid.UUID) (*identity.Person, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.persons[id]
	if !ok {
		return nil, identity.ErrNoPerson
	}
	c := *p
	return &c, nil
}

func (f *fakePeople) RecoveryLink(_ context.Context, id uuid.UUID) (string, error) {
	return f.linkPrefix + id.String() + "-" + uuid.NewString()[:8], nil
}

func (f *fakePeople) RevokeSessions(_ context.Context, id uuid.UUID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revokeErr != nil {
		return f.revokeErr
	}
	f.revoked[id]++
	return nil
}

func (f *fakePeople) counts(id uuid.UUID) (created, revoked int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.created, f.revoked[id]
}

// peopleSet is a consortium with a supplier and a seller (with a storefront each... the
// seller only), their owner principals, and a service with a fake identity provider.
type peopleSet struct {
	d      *pgtest.DB
	svc    *tenants.Service
	people *fakePeople
	c      *tenants.Consortium
	op     tenants.Principal
	m      map[string]*tenants.Member
	owner  map[string]tenants.Principal
	sf     map[string]*tenants.Storefront
}

func newPeopleSet(t *testing.T) *peopleSet {
	t.Helper()
	ctx := context.Background()
	d := pgtest.New(t)
	ps := &peopleSet{d: d, people: newFakePeople(), m: map[string]*tenants.Member{}, owner: map[string]tenants.Principal{}, sf: map[string]*tenants.Storefront{}}
	ps.svc = tenants.NewService(d.App).WithPeople(ps.people)
	var err error
	if ps.c, err = tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "guild", Name: "Guild", Currency: "EUR", FeeBps: 500}); err != nil {
		t.Fatal(err)
	}
	ps.op = tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: ps.c.ID}
	for _, h := range []string{"alpha", "beta"} {
		m, err := ps.svc.InviteMember(ctx, ps.op, tenants.MemberInvite{Handle: h, LegalName: h, IsSupplier: true, IsSeller: true})
		if err != nil {
			t.Fatal(err)
		}
		if ps.m[h], err = ps.svc.ActivateMember(ctx, ps.op, m.ID); err != nil {
			t.Fatal(err)
		}
		ps.owner[h] = tenants.Principal{Kind: tenants.KindMember, ConsortiumID: ps.c.ID, MemberID: m.ID, Role: tenants.RoleOwner}
		if ps.sf[h], err = ps.svc.CreateStorefront(ctx, ps.owner[h], tenants.StorefrontCreate{Handle: h + "-shop", Name: h}); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}

// as returns a member principal of member h with role.
func (ps *peopleSet) as(h, role string) tenants.Principal {
	p := ps.owner[h]
	p.Role = role
	return p
}

// mustInvite invites a user into member h as h's owner and signs it in once.
func (ps *peopleSet) mustInvite(t *testing.T, h, email, role string) (*tenants.User, tenants.Principal) {
	t.Helper()
	ctx := context.Background()
	u, _, err := ps.svc.InviteUser(ctx, ps.owner[h], tenants.UserInvite{Email: email, Name: "N", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ps.svc.PersonPrincipal(ctx, u.IdentityID, h)
	if err != nil {
		t.Fatal(err)
	}
	return u, p
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.Code(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func userStatus(t *testing.T, ps *peopleSet, id uuid.UUID) string {
	t.Helper()
	var s string
	if err := ps.d.Owner.QueryRow(context.Background(), `SELECT status FROM users WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInviteUser(t *testing.T) {
	t.Parallel()
	ps := newPeopleSet(t)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		u, link, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: " Staff@Alpha.example ", Name: "Sam", Role: tenants.RoleStaff})
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != tenants.UserInvited || u.Role != tenants.RoleStaff || u.MemberID != ps.m["alpha"].ID || u.Email != "Staff@Alpha.example" || u.IdentityID == uuid.Nil {
			t.Fatalf("user %+v", u)
		}
		if !strings.HasPrefix(link, ps.people.linkPrefix+u.IdentityID.String()) {
			t.Fatalf("link %q", link)
		}
		// Signing in activates the invitation.
		p, err := ps.svc.PersonPrincipal(ctx, u.IdentityID, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != tenants.KindMember || p.MemberID != ps.m["alpha"].ID || p.Role != tenants.RoleStaff || p.UserID != u.ID || p.IdentityID != u.IdentityID {
			t.Fatalf("principal %+v", p)
		}
		if s := userStatus(t, ps, u.ID); s != tenants.UserActive {
			t.Fatalf("status after sign-in %s", s)
		}
	})

	t.Run("ReinviteRenews", func(t *testing.T) {
		u1, l1, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "late@alpha.example", Role: tenants.RoleStaff})
		if err != nil {
			t.Fatal(err)
		}
		u2, l2, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "LATE@alpha.example", Role: tenants.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if u1.ID != u2.ID || u2.Role != tenants.RoleAdmin || l1 == l2 || l2 == "" {
			t.Fatalf("reinvite: %+v %q / %+v %q", u1, l1, u2, l2)
		}
	})

	t.Run("ErrActiveUser", func(t *testing.T) {
		ps.mustInvite(t, "alpha", "active@alpha.example", tenants.RoleStaff)
		before, _ := ps.people.counts(uuid.Nil)
		_, _, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "active@alpha.example", Role: tenants.RoleStaff})
		wantCode(t, err, apperr.ECONFLICT)
		if after, _ := ps.people.counts(uuid.Nil); after != before {
			t.Fatal("a conflicting invite created a person at the identity provider")
		}
	})

	t.Run("SamePersonTwoMembers", func(t *testing.T) {
		a, _, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "both@example.com", Role: tenants.RoleStaff})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := ps.svc.InviteUser(ctx, ps.owner["beta"], tenants.UserInvite{Email: "both@example.com", Role: tenants.RoleSupplierOps})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || a.IdentityID != b.IdentityID {
			t.Fatalf("two members: %+v %+v", a, b)
		}
	})

	t.Run("Operator", func(t *testing.T) {
		u, link, err := ps.svc.InviteUser(ctx, ps.op, tenants.UserInvite{Email: "ops@guild.example", Name: "Olga"})
		if err != nil || link == "" {
			t.Fatal(err, link)
		}
		if u.Role != tenants.RoleOperator || u.MemberID != uuid.Nil {
			t.Fatalf("operator user %+v", u)
		}
		p, err := ps.svc.PersonPrincipal(ctx, u.IdentityID, "")
		if err != nil || p.Kind != tenants.KindOperator || p.ConsortiumID != ps.c.ID || p.UserID != u.ID {
			t.Fatalf("operator principal %+v %v", p, err)
		}
		// The operator invites a member's first owner.
		o, _, err := ps.svc.InviteUser(ctx, ps.op, tenants.UserInvite{MemberID: ps.m["beta"].ID, Email: "boss@beta.example", Role: tenants.RoleOwner})
		if err != nil || o.MemberID != ps.m["beta"].ID || o.Role != tenants.RoleOwner {
			t.Fatalf("member owner by operator %+v %v", o, err)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			p    tenants.Principal
			in   tenants.UserInvite
		}{
			{"AdminInvitesOwner", ps.as("alpha", tenants.RoleAdmin), tenants.UserInvite{Email: "o2@alpha.example", Role: tenants.RoleOwner}},
			{"Staff", ps.as("alpha", tenants.RoleStaff), tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff}},
			{"SupplierOps", ps.as("alpha", tenants.RoleSupplierOps), tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff}},
			{"Storefront", tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: ps.c.ID, MemberID: ps.m["alpha"].ID, StorefrontID: ps.sf["alpha"].ID}, tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff}},
			{"Customer", tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: ps.c.ID, StorefrontID: ps.sf["alpha"].ID, CustomerID: uuid.New()}, tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff}},
			{"Anonymous", tenants.Principal{}, tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := ps.svc.InviteUser(ctx, tc.p, tc.in)
				wantCode(t, err, apperr.EFORBIDDEN)
			})
		}
	})

	t.Run("ErrOtherMember", func(t *testing.T) {
		_, _, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{MemberID: ps.m["beta"].ID, Email: "x@beta.example", Role: tenants.RoleStaff})
		wantCode(t, err, apperr.ENOTFOUND)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			p     tenants.Principal
			in    tenants.UserInvite
			field string
		}{
			{"Email", ps.owner["alpha"], tenants.UserInvite{Email: "not-an-email", Role: tenants.RoleStaff}, "email"},
			{"Role", ps.owner["alpha"], tenants.UserInvite{Email: "a@b.example", Role: "CEO"}, "role"},
			{"OperatorRoleForMember", ps.owner["alpha"], tenants.UserInvite{Email: "a@b.example", Role: tenants.RoleOperator}, "role"},
			{"MemberRoleForOperator", ps.op, tenants.UserInvite{Email: "a@b.example", Role: tenants.RoleStaff}, "role"},
			{"Name", ps.owner["alpha"], tenants.UserInvite{Email: "a@b.example", Role: tenants.RoleStaff, Name: strings.Repeat("n", 201)}, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := ps.svc.InviteUser(ctx, tc.p, tc.in)
				all := apperr.All(err)
				if len(all) != 1 || all[0].Code != apperr.EINVALID || strings.Join(all[0].Field, ".") != tc.field {
					t.Fatalf("got %v, want INVALID %s", err, tc.field)
				}
			})
		}
	})

	t.Run("ErrSuspendedMember", func(t *testing.T) {
		ps2 := newPeopleSet(t)
		if _, err := ps2.svc.SuspendMember(ctx, ps2.op, ps2.m["beta"].ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := ps2.svc.InviteUser(ctx, ps2.op, tenants.UserInvite{MemberID: ps2.m["beta"].ID, Email: "x@beta.example", Role: tenants.RoleOwner})
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("ErrNotConfigured", func(t *testing.T) {
		bare := tenants.NewService(ps.d.App)
		_, _, err := bare.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff})
		wantCode(t, err, tenants.CodeUnavailable)
		unconfigured, _ := identity.New(identity.Config{})
		_, _, err = tenants.NewService(ps.d.App).WithPeople(unconfigured).InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "x@alpha.example", Role: tenants.RoleStaff})
		if !errors.Is(err, tenants.ErrPeopleNotConfigured) {
			t.Fatalf("unconfigured client: %v", err)
		}
	})
}

func TestRemoveUser(t *testing.T) {
	t.Parallel()
	ps := newPeopleSet(t)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		u, _ := ps.mustInvite(t, "alpha", "gone@alpha.example", tenants.RoleStaff)
		got, err := ps.svc.RemoveUser(ctx, ps.as("alpha", tenants.RoleAdmin), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tenants.UserRemoved {
			t.Fatalf("status %s", got.Status)
		}
		if _, revoked := ps.people.counts(u.IdentityID); revoked != 1 {
			t.Fatalf("sessions revoked %d times, want 1", revoked)
		}
		_, err = ps.svc.PersonPrincipal(ctx, u.IdentityID, "")
		wantCode(t, err, apperr.EUNAUTHENTICATED)
		// Inviting again brings the person back.
		again, _, err := ps.svc.InviteUser(ctx, ps.owner["alpha"], tenants.UserInvite{Email: "gone@alpha.example", Role: tenants.RoleStaff})
		if err != nil || again.ID != u.ID || again.Status != tenants.UserInvited {
			t.Fatalf("reinvite removed: %+v %v", again, err)
		}
	})

	t.Run("ErrSelf", func(t *testing.T) {
		_, p := ps.mustInvite(t, "alpha", "self@alpha.example", tenants.RoleAdmin)
		_, err := ps.svc.RemoveUser(ctx, p, p.UserID)
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("ErrAdminRemovesOwner", func(t *testing.T) {
		u, _ := ps.mustInvite(t, "alpha", "owner2@alpha.example", tenants.RoleOwner)
		_, err := ps.svc.RemoveUser(ctx, ps.as("alpha", tenants.RoleAdmin), u.ID)
		wantCode(t, err, apperr.EFORBIDDEN)
		if _, err := ps.svc.RemoveUser(ctx, ps.owner["alpha"], u.ID); err != nil {
			t.Fatalf("owner removes owner: %v", err)
		}
	})

	t.Run("ErrStaff", func(t *testing.T) {
		u, _ := ps.mustInvite(t, "alpha", "victim@alpha.example", tenants.RoleStaff)
		_, err := ps.svc.RemoveUser(ctx, ps.as("alpha", tenants.RoleStaff), u.ID)
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("ErrOtherMembersUser", func(t *testing.T) {
		u, _ := ps.mustInvite(t, "beta", "theirs@beta.example", tenants.RoleStaff)
		_, err := ps.svc.RemoveUser(ctx, ps.owner["alpha"], u.ID)
		wantCode(t, err, apperr.ENOTFOUND)
		if s := userStatus(t, ps, u.ID); s != tenants.UserActive {
			t.Fatalf("status %s", s)
		}
		// The operator may.
		if _, err := ps.svc.RemoveUser(ctx, ps.op, u.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrRevokeFailsRollsBack", func(t *testing.T) {
		ps2 := newPeopleSet(t)
		u, _ := ps2.mustInvite(t, "alpha", "sticky@alpha.example", tenants.RoleStaff)
		ps2.people.revokeErr = errors.New("kratos down")
		if _, err := ps2.svc.RemoveUser(ctx, ps2.owner["alpha"], u.ID); err == nil {
			t.Fatal("want error")
		}
		if s := userStatus(t, ps2, u.ID); s != tenants.UserActive {
			t.Fatalf("status after failed revoke %s, want ACTIVE", s)
		}
	})
}

func TestFindUsers(t *testing.T) {
	t.Parallel()
	ps := newPeopleSet(t)
	ctx := context.Background()
	for i := range 3 {
		ps.mustInvite(t, "alpha", fmt.Sprintf("u%d@alpha.example", i), tenants.RoleStaff)
	}
	ps.mustInvite(t, "beta", "u9@beta.example", tenants.RoleStaff)
	if _, _, err := ps.svc.InviteUser(ctx, ps.op, tenants.UserInvite{Email: "op@guild.example"}); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		page1, more, err := ps.svc.FindUsers(ctx, ps.as("alpha", tenants.RoleAdmin), tenants.UserFilter{Page: tenants.Page{First: 2}})
		if err != nil || len(page1) != 2 || !more || page1[0].Email != "u0@alpha.example" {
			t.Fatalf("page 1: %v %v %v", page1, more, err)
		}
		page2, more, err := ps.svc.FindUsers(ctx, ps.as("alpha", tenants.RoleAdmin), tenants.UserFilter{Page: tenants.Page{First: 2, After: page1[1].Email}})
		if err != nil || len(page2) != 1 || more || page2[0].Email != "u2@alpha.example" {
			t.Fatalf("page 2: %v %v %v", page2, more, err)
		}
	})

	t.Run("Operator", func(t *testing.T) {
		ops, _, err := ps.svc.FindUsers(ctx, ps.op, tenants.UserFilter{})
		if err != nil || len(ops) != 1 || ops[0].Role != tenants.RoleOperator {
			t.Fatalf("operator users: %v %v", ops, err)
		}
		beta, _, err := ps.svc.FindUsers(ctx, ps.op, tenants.UserFilter{MemberID: ps.m["beta"].ID})
		if err != nil || len(beta) != 1 || beta[0].Email != "u9@beta.example" {
			t.Fatalf("beta users: %v %v", beta, err)
		}
	})

	t.Run("ErrOtherMember", func(t *testing.T) {
		_, _, err := ps.svc.FindUsers(ctx, ps.owner["alpha"], tenants.UserFilter{MemberID: ps.m["beta"].ID})
		wantCode(t, err, apperr.ENOTFOUND)
	})

	t.Run("ErrStaff", func(t *testing.T) {
		_, _, err := ps.svc.FindUsers(ctx, ps.as("alpha", tenants.RoleStaff), tenants.UserFilter{})
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("UserByID", func(t *testing.T) {
		u, p := ps.mustInvite(t, "alpha", "me@alpha.example", tenants.RoleSupplierOps)
		if got, err := ps.svc.UserByID(ctx, p, u.ID); err != nil || got.ID != u.ID {
			t.Fatalf("self: %v %v", got, err)
		}
		other, _ := ps.mustInvite(t, "alpha", "colleague@alpha.example", tenants.RoleStaff)
		_, err := ps.svc.UserByID(ctx, p, other.ID)
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = ps.svc.UserByID(ctx, ps.owner["beta"], u.ID)
		wantCode(t, err, apperr.ENOTFOUND)
	})
}
