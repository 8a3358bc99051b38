package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/tenants/identity"
)

func testPerson(t *testing.T, k *kratostest.Kratos) {
	ctx := context.Background()
	c, _ := newClient(t, k)
	email := uniqueEmail("person-traits")
	_, idStr := k.Register(t, email, password, "Ada")
	p, err := c.Person(ctx, uuid.MustParse(idStr))
	if err != nil {
		t.Fatal(err)
	}
	if p.Email != email || p.Name != "Ada" || p.IdentityID.String() != idStr || p.EmailVerified {
		t.Errorf("Person = %+v; want %s, Ada, unverified", p, email)
	}
	if _, err := c.Person(ctx, uuid.New()); !errors.Is(err, identity.ErrNoPerson) {
		t.Errorf("Person(unknown) = %v, want ErrNoPerson", err)
	}
	var none *identity.Client
	if _, err := none.Person(ctx, uuid.New()); !errors.Is(err, identity.ErrNotConfigured) {
		t.Errorf("unconfigured Person = %v", err)
	}
}

func testLogout(t *testing.T, k *kratostest.Kratos) {
	ctx := context.Background()
	c, _ := newClient(t, k)
	email := uniqueEmail("logout")
	token, _ := k.Register(t, email, password, "Bye")
	other := k.Login(t, email, password)
	for _, tok := range []string{token, other} {
		s, err := c.Whoami(ctx, tok, "") // cached now
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == uuid.Nil {
			t.Fatal("Whoami returned no session id")
		}
	}
	if err := c.Logout(ctx, token, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Whoami(ctx, token, ""); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("Whoami after Logout = %v, want ErrNoSession", err)
	}
	// Only that session ends.
	if _, err := c.Whoami(ctx, other, ""); err != nil {
		t.Errorf("the person's other session: %v", err)
	}
	if err := c.Logout(ctx, token, ""); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("second Logout = %v, want ErrNoSession", err)
	}
	var none *identity.Client
	if err := none.Logout(ctx, "x", ""); !errors.Is(err, identity.ErrNotConfigured) {
		t.Errorf("unconfigured Logout = %v", err)
	}
}
