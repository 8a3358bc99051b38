package identity_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guildmart/guildmart/internal/kratostest"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants/identity"
)

// TestMain stops the test PostgreSQL cluster if pgtest started one (Kratos keeps its
// data in a database of that cluster; see startKratos).
func TestMain(m *testing.M) { pgtest.Main(m) }

// countingTransport counts the HTTP requests a client sends.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func newClient(t *testing.T, k *kratostest.Kratos, opts ...identity.Option) (*identity.Client, *countingTransport) {
	t.Helper()
	ct := &countingTransport{next: http.DefaultTransport}
	opts = append([]identity.Option{identity.WithHTTPClient(&http.Client{Transport: ct, Timeout: 10 * time.Second})}, opts...)
	c, err := identity.New(identity.Config{PublicURL: k.PublicURL, AdminURL: k.AdminURL}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, ct
}

const password = "correct-horse-battery-staple-42"

func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.test", prefix, uuid.NewString()[:8])
}

func TestUnconfigured(t *testing.T) {
	ctx := context.Background()
	var nilClient *identity.Client
	empty, err := identity.New(identity.Config{})
	if err != nil {
		t.Fatalf("New(empty) = %v, want an unconfigured client", err)
	}
	for name, c := range map[string]*identity.Client{"nil": nilClient, "empty": empty} {
		t.Run(name, func(t *testing.T) {
			if c.Configured() {
				t.Error("Configured() = true")
			}
			if _, err := c.Whoami(ctx, "tok", ""); !errors.Is(err, identity.ErrNotConfigured) {
				t.Errorf("Whoami: %v", err)
			}
			if _, err := c.CreatePerson(ctx, "a@example.test", "A"); !errors.Is(err, identity.ErrNotConfigured) {
				t.Errorf("CreatePerson: %v", err)
			}
			if _, err := c.RecoveryLink(ctx, uuid.New()); !errors.Is(err, identity.ErrNotConfigured) {
				t.Errorf("RecoveryLink: %v", err)
			}
			if err := c.RevokeSessions(ctx, uuid.New()); !errors.Is(err, identity.ErrNotConfigured) {
				t.Errorf("RevokeSessions: %v", err)
			}
			c.Forget("tok")
			c.InvalidateIdentity(uuid.New())
		})
	}
	if _, err := identity.New(identity.Config{PublicURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("New with only PublicURL: want error")
	}
	if _, err := identity.New(identity.Config{PublicURL: "127.0.0.1:1", AdminURL: "http://127.0.0.1:2"}); err == nil {
		t.Error("New with a relative URL: want error")
	}
}

func TestKratos(t *testing.T) {
	k := startKratos(t)
	ctx := context.Background()

	t.Run("RegisterAndWhoami", func(t *testing.T) {
		c, _ := newClient(t, k)
		email := uniqueEmail("reg")
		token, id := k.Register(t, email, password, "Ada Lovelace")
		s, err := c.Whoami(ctx, token, "")
		if err != nil {
			t.Fatal(err)
		}
		if s.IdentityID.String() != id || s.Email != email || s.Name != "Ada Lovelace" {
			t.Errorf("Whoami = %+v, want id %s email %s", s, id, email)
		}
		if !s.ExpiresAt.After(time.Now()) {
			t.Errorf("ExpiresAt = %v, want future", s.ExpiresAt)
		}
		// A login session of the same identity resolves to the same identity.
		s2, err := c.Whoami(ctx, k.Login(t, email, password), "")
		if err != nil || s2.IdentityID != s.IdentityID {
			t.Errorf("Whoami(login token) = %+v, %v", s2, err)
		}
	})

	t.Run("NoSession", func(t *testing.T) {
		c, ct := newClient(t, k)
		for _, tc := range []struct{ token, cookie string }{
			{"garbage-token", ""},
			{"", "ory_kratos_session=garbage"},
			{"", ""},
		} {
			if s, err := c.Whoami(ctx, tc.token, tc.cookie); !errors.Is(err, identity.ErrNoSession) {
				t.Errorf("Whoami(%q, %q) = %+v, %v; want ErrNoSession", tc.token, tc.cookie, s, err)
			}
		}
		// Failures are not cached.
		before := ct.n.Load()
		_, _ = c.Whoami(ctx, "garbage-token", "")
		if ct.n.Load() != before+1 {
			t.Error("a failed whoami was served from the cache")
		}
	})

	t.Run("Cache", func(t *testing.T) {
		c, ct := newClient(t, k)
		token, _ := k.Register(t, uniqueEmail("cache"), password, "Cache")
		for i := 0; i < 3; i++ {
			if _, err := c.Whoami(ctx, token, ""); err != nil {
				t.Fatal(err)
			}
		}
		if n := ct.n.Load(); n != 1 {
			t.Errorf("3 whoami calls made %d HTTP requests, want 1", n)
		}
		c.Forget(token)
		if _, err := c.Whoami(ctx, token, ""); err != nil {
			t.Fatal(err)
		}
		if n := ct.n.Load(); n != 2 {
			t.Errorf("after Forget: %d HTTP requests, want 2", n)
		}

		// TTL.
		short, sct := newClient(t, k, identity.WithCacheTTL(50*time.Millisecond))
		_, _ = short.Whoami(ctx, token, "")
		time.Sleep(80 * time.Millisecond)
		_, _ = short.Whoami(ctx, token, "")
		if n := sct.n.Load(); n != 2 {
			t.Errorf("after TTL: %d HTTP requests, want 2", n)
		}

		// Size bound: with room for one entry, alternating tokens always miss.
		tiny, tct := newClient(t, k, identity.WithCacheSize(1))
		token2, _ := k.Register(t, uniqueEmail("cache2"), password, "Cache2")
		for _, tok := range []string{token, token2, token, token2} {
			if _, err := tiny.Whoami(ctx, tok, ""); err != nil {
				t.Fatal(err)
			}
		}
		if n := tct.n.Load(); n != 4 {
			t.Errorf("size-1 cache: %d HTTP requests, want 4", n)
		}
	})

	t.Run("RevokeSessions", func(t *testing.T) {
		c, _ := newClient(t, k)
		email := uniqueEmail("revoke")
		token, idStr := k.Register(t, email, password, "Revoke")
		token2 := k.Login(t, email, password)
		id := uuid.MustParse(idStr)
		for _, tok := range []string{token, token2} {
			if _, err := c.Whoami(ctx, tok, ""); err != nil { // now cached
				t.Fatal(err)
			}
		}
		if err := c.RevokeSessions(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{token, token2} {
			if _, err := c.Whoami(ctx, tok, ""); !errors.Is(err, identity.ErrNoSession) {
				t.Errorf("Whoami after RevokeSessions: %v, want ErrNoSession", err)
			}
		}
		// A new login still works, and revoking an unknown identity is a no-op.
		if _, err := c.Whoami(ctx, k.Login(t, email, password), ""); err != nil {
			t.Errorf("Whoami after new login: %v", err)
		}
		if err := c.RevokeSessions(ctx, uuid.New()); err != nil {
			t.Errorf("RevokeSessions(unknown) = %v", err)
		}
	})

	t.Run("InvalidateIdentity", func(t *testing.T) {
		c, ct := newClient(t, k)
		token, idStr := k.Register(t, uniqueEmail("inval"), password, "Inval")
		_, _ = c.Whoami(ctx, token, "")
		c.InvalidateIdentity(uuid.MustParse(idStr))
		_, _ = c.Whoami(ctx, token, "")
		if n := ct.n.Load(); n != 2 {
			t.Errorf("after InvalidateIdentity: %d HTTP requests, want 2", n)
		}
	})

	t.Run("CreatePerson", func(t *testing.T) {
		c, _ := newClient(t, k)
		email := uniqueEmail("person")
		id1, err := c.CreatePerson(ctx, email, "Grace Hopper")
		if err != nil {
			t.Fatal(err)
		}
		id2, err := c.CreatePerson(ctx, strings.ToUpper(email), "Someone Else")
		if err != nil {
			t.Fatal(err)
		}
		if id1 == uuid.Nil || id1 != id2 {
			t.Errorf("CreatePerson twice: %s then %s, want the same id", id1, id2)
		}
		// An identity that registered itself is found too.
		regEmail := uniqueEmail("selfreg")
		_, regID := k.Register(t, regEmail, password, "Self")
		id3, err := c.CreatePerson(ctx, regEmail, "Self")
		if err != nil || id3.String() != regID {
			t.Errorf("CreatePerson(registered email) = %s, %v; want %s", id3, err, regID)
		}
	})

	t.Run("RecoveryLink", func(t *testing.T) {
		c, _ := newClient(t, k)
		id, err := c.CreatePerson(ctx, uniqueEmail("recover"), "Recover")
		if err != nil {
			t.Fatal(err)
		}
		link, err := c.RecoveryLink(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(link)
		if err != nil || !strings.HasPrefix(link, k.PublicURL+"/") || u.Query().Get("token") == "" {
			t.Errorf("RecoveryLink = %q, want a %s/... URL with a token", link, k.PublicURL)
		}
		if _, err := c.RecoveryLink(ctx, uuid.New()); err == nil {
			t.Error("RecoveryLink(unknown identity): want error")
		}
	})

	t.Run("Person", func(t *testing.T) { testPerson(t, k) })
	t.Run("Logout", func(t *testing.T) { testLogout(t, k) })
}
