package identity

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// ErrNoPerson means no identity has that id.
var ErrNoPerson = errors.New("identity: no such person")

// Person is an identity's traits as Kratos stores them.
type Person struct {
	IdentityID uuid.UUID
	Email      string
	Name       string
	// EmailVerified is true once the person proved the address (Kratos verification
	// flow); registration alone does not verify it.
	EmailVerified bool
}

// Person returns the identity's traits, read from the admin API (not cached: callers
// use it for rare operations such as sign-up).
func (c *Client) Person(ctx context.Context, identityID uuid.UUID) (*Person, error) {
	if !c.configured() {
		return nil, ErrNotConfigured
	}
	id, resp, err := c.admin.IdentityAPI.GetIdentity(ctx, identityID.String()).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, ErrNoPerson
		}
		return nil, apiError("get identity", resp, err)
	}
	p := &Person{IdentityID: identityID}
	if traits, ok := id.Traits.(map[string]any); ok {
		p.Email, _ = traits["email"].(string)
		p.Name, _ = traits["name"].(string)
	}
	for _, a := range id.VerifiableAddresses {
		if a.Verified && strings.EqualFold(a.Value, p.Email) {
			p.EmailVerified = true
		}
	}
	return p, nil
}

// Logout ends the session of a session token or Cookie header (as for Whoami) at Kratos
// and drops it from the cache, so the credential stops working at once. It returns
// ErrNoSession when the credential has no active session.
func (c *Client) Logout(ctx context.Context, sessionToken, cookieHeader string) error {
	if !c.configured() {
		return ErrNotConfigured
	}
	s, err := c.Whoami(ctx, sessionToken, cookieHeader)
	if err != nil {
		return err
	}
	if s.ID == uuid.Nil {
		return errors.New("identity: logout: Kratos returned no session id")
	}
	resp, err := c.admin.IdentityAPI.DisableSession(ctx, s.ID.String()).Execute()
	// Forget after disabling: a lookup racing with this one either started before the
	// forget (and the cache's epoch keeps it from storing) or sees the disabled session.
	if sessionToken != "" {
		c.cache.forget(keyFor(kindToken, sessionToken))
	} else {
		c.cache.forget(keyFor(kindCookie, cookieHeader))
	}
	if err != nil && !(resp != nil && resp.StatusCode == http.StatusNotFound) {
		return apiError("logout", resp, err)
	}
	return nil
}
