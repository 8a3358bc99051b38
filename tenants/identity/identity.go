// Package identity is a thin client over Ory Kratos (github.com/ory/client-go):
// session lookup with a small in-memory cache, and the admin calls the app
// needs (create a person, recovery link, revoke sessions).
//
// A nil *Client, or one built from an empty Config, is "not configured": every
// method returns ErrNotConfigured (Forget and InvalidateIdentity do nothing).
package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	ory "github.com/ory/client-go"
)

// SchemaID is the Kratos identity schema used for people (traits email, name).
const SchemaID = "person"

const (
	// DefaultCacheTTL is how long a successful whoami result is reused.
	DefaultCacheTTL = 30 * time.Second
	// DefaultCacheSize bounds the number of cached sessions.
	DefaultCacheSize = 10000
)

var (
	// ErrNotConfigured is returned by every method of an unconfigured client.
	ErrNotConfigured = errors.New("identity service not configured")
	// ErrNoSession means the token or cookie does not belong to an active session.
	ErrNoSession = errors.New("identity: no active session")
)

// Config locates Kratos. Both URLs empty means "not configured".
type Config struct {
	PublicURL string // e.g. http://127.0.0.1:4433
	AdminURL  string // e.g. http://127.0.0.1:4434
}

// Session is the part of a Kratos session the app uses.
type Session struct {
	ID         uuid.UUID // the Kratos session itself (for Logout)
	IdentityID uuid.UUID
	Email      string
	Name       string
	ExpiresAt  time.Time
}

// Client talks to Kratos. It is safe for concurrent use.
type Client struct {
	public *ory.APIClient
	admin  *ory.APIClient
	cache  *sessionCache
}

// Option configures New.
type Option func(*options)

type options struct {
	httpClient *http.Client
	ttl        time.Duration
	size       int
	now        func() time.Time
}

// WithHTTPClient sets the HTTP client used for all Kratos calls
// (default: a client with a 10s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.httpClient = hc } }

// WithCacheTTL sets how long whoami results are cached (default 30s; <= 0
// disables the cache). An entry never outlives the session's expiry.
func WithCacheTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// WithCacheSize bounds the number of cached sessions (default 10000; <= 0
// disables the cache). The least recently used entry is evicted first.
func WithCacheSize(n int) Option { return func(o *options) { o.size = n } }

// New returns a client for cfg. An empty cfg gives an unconfigured client
// (methods return ErrNotConfigured) and no error; a half-filled or invalid
// cfg is an error.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := options{ttl: DefaultCacheTTL, size: DefaultCacheSize, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	pub, adm := strings.TrimSpace(cfg.PublicURL), strings.TrimSpace(cfg.AdminURL)
	if pub == "" && adm == "" {
		return &Client{}, nil
	}
	if pub == "" || adm == "" {
		return nil, errors.New("identity: both PublicURL and AdminURL must be set (or neither)")
	}
	hc := o.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	public, err := newAPIClient(pub, hc)
	if err != nil {
		return nil, fmt.Errorf("identity: PublicURL: %w", err)
	}
	admin, err := newAPIClient(adm, hc)
	if err != nil {
		return nil, fmt.Errorf("identity: AdminURL: %w", err)
	}
	return &Client{public: public, admin: admin, cache: newSessionCache(o.ttl, o.size, o.now)}, nil
}

func newAPIClient(raw string, hc *http.Client) (*ory.APIClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	cfg := ory.NewConfiguration()
	cfg.Servers = ory.ServerConfigurations{{URL: strings.TrimRight(raw, "/")}}
	// The defaults route some operations to Ory Network's console API.
	cfg.OperationServers = map[string]ory.ServerConfigurations{}
	cfg.HTTPClient = hc
	cfg.UserAgent = "guildmart-identity"
	return ory.NewAPIClient(cfg), nil
}

func (c *Client) configured() bool { return c != nil && c.public != nil && c.admin != nil }

// Configured reports whether the client talks to a Kratos.
func (c *Client) Configured() bool { return c.configured() }

// Whoami returns the session for a session token (X-Session-Token, from API
// flows) or, when sessionToken is empty, for a browser Cookie header. It
// returns ErrNoSession when neither is given or Kratos answers 401.
// Successful results are cached (see WithCacheTTL).
func (c *Client) Whoami(ctx context.Context, sessionToken, cookieHeader string) (*Session, error) {
	if !c.configured() {
		return nil, ErrNotConfigured
	}
	var key cacheKey
	switch {
	case sessionToken != "":
		key = keyFor(kindToken, sessionToken)
	case cookieHeader != "":
		key = keyFor(kindCookie, cookieHeader)
	default:
		return nil, ErrNoSession
	}
	if s, ok := c.cache.get(key); ok {
		return &s, nil
	}
	epoch := c.cache.begin()

	req := c.public.FrontendAPI.ToSession(ctx)
	if sessionToken != "" {
		req = req.XSessionToken(sessionToken)
	} else {
		req = req.Cookie(cookieHeader)
	}
	sess, resp, err := req.Execute()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return nil, ErrNoSession
		}
		return nil, apiError("whoami", resp, err)
	}
	if sess == nil || sess.Identity == nil || (sess.Active != nil && !*sess.Active) {
		return nil, ErrNoSession
	}
	id, err := uuid.Parse(sess.Identity.Id)
	if err != nil {
		return nil, fmt.Errorf("identity: whoami: bad identity id %q: %w", sess.Identity.Id, err)
	}
	s := Session{IdentityID: id, ExpiresAt: sess.GetExpiresAt()}
	s.ID, _ = uuid.Parse(sess.Id)
	if traits, ok := sess.Identity.Traits.(map[string]any); ok {
		s.Email, _ = traits["email"].(string)
		s.Name, _ = traits["name"].(string)
	}
	if !s.ExpiresAt.IsZero() && !time.Now().Before(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	c.cache.put(key, s, epoch)
	return &s, nil
}

// Forget drops the cached whoami result for a session token or Cookie
// header (call it on logout).
func (c *Client) Forget(credential string) {
	if c == nil || credential == "" {
		return
	}
	c.cache.forget(keyFor(kindToken, credential), keyFor(kindCookie, credential))
}

// InvalidateIdentity drops every cached session of an identity (call it when
// a user is removed or blocked).
func (c *Client) InvalidateIdentity(identityID uuid.UUID) {
	if c == nil {
		return
	}
	c.cache.forgetIdentity(identityID)
}

// CreatePerson creates an identity with schema "person" and no credentials
// (the person sets a password through a recovery link). If an identity with
// that email already exists, its id is returned instead.
func (c *Client) CreatePerson(ctx context.Context, email, name string) (uuid.UUID, error) {
	if !c.configured() {
		return uuid.Nil, ErrNotConfigured
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return uuid.Nil, errors.New("identity: create person: empty email")
	}
	traits := map[string]any{"email": email}
	if name = strings.TrimSpace(name); name != "" {
		traits["name"] = name
	}
	created, resp, err := c.admin.IdentityAPI.CreateIdentity(ctx).
		CreateIdentityBody(*ory.NewCreateIdentityBody(SchemaID, traits)).Execute()
	if err == nil {
		return parseID("create person", created.Id)
	}
	if resp == nil || resp.StatusCode != http.StatusConflict {
		return uuid.Nil, apiError("create person", resp, err)
	}
	// Conflict: the email is already some identity's identifier.
	id, found, lerr := c.findByIdentifier(ctx, email)
	if lerr != nil {
		return uuid.Nil, lerr
	}
	if !found {
		return uuid.Nil, apiError("create person", resp, err)
	}
	return id, nil
}

func (c *Client) findByIdentifier(ctx context.Context, identifier string) (uuid.UUID, bool, error) {
	list, resp, err := c.admin.IdentityAPI.ListIdentities(ctx).CredentialsIdentifier(identifier).Execute()
	if err != nil {
		return uuid.Nil, false, apiError("list identities", resp, err)
	}
	if len(list) == 0 {
		return uuid.Nil, false, nil
	}
	id, err := parseID("list identities", list[0].Id)
	return id, err == nil, err
}

// RecoveryLink creates a one-time account recovery link for an identity
// (Kratos' link method; the lifespan is Kratos' configured default).
func (c *Client) RecoveryLink(ctx context.Context, identityID uuid.UUID) (string, error) {
	if !c.configured() {
		return "", ErrNotConfigured
	}
	link, resp, err := c.admin.IdentityAPI.CreateRecoveryLinkForIdentity(ctx).
		CreateRecoveryLinkForIdentityBody(*ory.NewCreateRecoveryLinkForIdentityBody(identityID.String())).Execute()
	if err != nil {
		return "", apiError("recovery link", resp, err)
	}
	return link.RecoveryLink, nil
}

// RevokeSessions revokes all sessions of an identity and drops them from the
// cache. An unknown identity (404) has no sessions and is not an error.
func (c *Client) RevokeSessions(ctx context.Context, identityID uuid.UUID) error {
	if !c.configured() {
		return ErrNotConfigured
	}
	c.cache.forgetIdentity(identityID)
	resp, err := c.admin.IdentityAPI.DeleteIdentitySessions(ctx, identityID.String()).Execute()
	c.cache.forgetIdentity(identityID)
	if err != nil && !(resp != nil && resp.StatusCode == http.StatusNotFound) {
		return apiError("revoke sessions", resp, err)
	}
	return nil
}

func parseID(op, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("identity: %s: bad identity id %q: %w", op, s, err)
	}
	return id, nil
}

// apiError wraps a client-go error with the operation, the HTTP status and
// the start of Kratos' error body.
func apiError(op string, resp *http.Response, err error) error {
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	var gerr *ory.GenericOpenAPIError
	if errors.As(err, &gerr) && len(gerr.Body()) > 0 {
		body := string(gerr.Body())
		if len(body) > 500 {
			body = body[:500] + "…"
		}
		return fmt.Errorf("identity: %s: HTTP %d: %w: %s", op, status, err, body)
	}
	if status != 0 {
		return fmt.Errorf("identity: %s: HTTP %d: %w", op, status, err)
	}
	return fmt.Errorf("identity: %s: %w", op, err)
}
