package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/identity"
)

// SessionCookie is the cookie in which Kratos keeps a browser's session.
const SessionCookie = "ory_kratos_session"

// Sessions resolves and ends Ory Kratos sessions; *identity.Client is one. A nil
// *identity.Client is "not configured".
type Sessions interface {
	Whoami(ctx context.Context, sessionToken, cookieHeader string) (*identity.Session, error)
	Logout(ctx context.Context, sessionToken, cookieHeader string) error
}

var (
	errSessionsNotConfigured = apperr.Errorf(apperr.EUNAUTHENTICATED,
		"identity service not configured: this server does not accept sessions (set KRATOS_PUBLIC_URL and KRATOS_ADMIN_URL); use an API key")
	errNoSession = apperr.Errorf(apperr.EUNAUTHENTICATED, "invalid or expired session: sign in again")
)

// sessionCredential returns the request's session token (X-Session-Token) or, failing
// that, a Cookie header holding only Kratos' session cookie: other cookies must not
// change the cache key or reach Kratos.
func sessionCredential(r *http.Request) (token, cookie string) {
	if t := r.Header.Get("X-Session-Token"); t != "" {
		return t, ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return "", (&http.Cookie{Name: SessionCookie, Value: c.Value}).String()
	}
	return "", ""
}

// SessionAuthenticator resolves people signed in with Ory Kratos (X-Session-Token or the
// ory_kratos_session cookie; whoami results are cached briefly by the client). With
// X-Storefront the person is that storefront's customer (or a shopper who may call
// customerSignUp); otherwise it is one of its operator or member user accounts, chosen
// with X-Member when it has several. Invalid or expired sessions, people without an
// account, and sessions sent to a server without Kratos are HTTP 401.
func SessionAuthenticator(ts *tenants.Service, sessions Sessions) Authenticator {
	return func(r *http.Request) (tenants.Principal, bool, error) {
		token, cookie := sessionCredential(r)
		if token == "" && cookie == "" {
			return tenants.Principal{}, false, nil
		}
		if sessions == nil {
			return tenants.Principal{}, true, errSessionsNotConfigured
		}
		ctx := r.Context()
		s, err := sessions.Whoami(ctx, token, cookie)
		switch {
		case errors.Is(err, identity.ErrNotConfigured):
			return tenants.Principal{}, true, errSessionsNotConfigured
		case errors.Is(err, identity.ErrNoSession):
			return tenants.Principal{}, true, errNoSession
		case err != nil:
			return tenants.Principal{}, true, err
		}
		if h := r.Header.Get("X-Storefront"); h != "" {
			p, err := ts.CustomerPrincipal(ctx, h, s.IdentityID)
			if apperr.Code(err) == apperr.ENOTFOUND {
				err = apperr.Errorf(apperr.EUNAUTHENTICATED, "unknown storefront %q", h)
			}
			return p, true, err
		}
		p, err := ts.PersonPrincipal(ctx, s.IdentityID, r.Header.Get("X-Member"))
		return p, true, err
	}
}

// SessionLogoutHandler serves POST /session/logout: it ends the request's Kratos session
// (X-Session-Token or cookie) and forgets it at once, so the credential is 401 on the
// next request (a logout done at Kratos directly is noticed when the cache entry
// expires). 204 on success; 401 without a valid session.
func SessionLogoutHandler(sessions Sessions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, cookie := sessionCredential(r)
		if token == "" && cookie == "" {
			writeAuthError(w, errNoSession)
			return
		}
		var err error
		if sessions == nil {
			err = identity.ErrNotConfigured
		} else {
			err = sessions.Logout(r.Context(), token, cookie)
		}
		switch {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, identity.ErrNotConfigured):
			writeAuthError(w, errSessionsNotConfigured)
		case errors.Is(err, identity.ErrNoSession):
			writeAuthError(w, errNoSession)
		default:
			logger(r.Context()).Error("session logout", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}
