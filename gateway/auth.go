package gateway

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// Authenticator resolves credentials other than API keys (people's sessions); the
// identity area sets it. It returns ok=false when the request carries no such credential.
type Authenticator func(r *http.Request) (p tenants.Principal, ok bool, err error)

// authenticate puts the caller's Principal in the request context: an API key
// (Authorization: Bearer), a session (extra authenticators), or an anonymous shopper of
// X-Storefront. Bad or revoked credentials end the request with HTTP 401.
func authenticate(ts *tenants.Service, extra []Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			var (
				p   tenants.Principal
				err error
				ok  bool
			)
			if h := r.Header.Get("Authorization"); h != "" {
				secret, found := strings.CutPrefix(h, "Bearer ")
				if !found {
					writeAuthError(w, apperr.Errorf(apperr.EUNAUTHENTICATED, "Authorization must be \"Bearer <API key>\""))
					return
				}
				p, err = ts.Authenticate(ctx, strings.TrimSpace(secret))
				ok = true
			}
			for _, a := range extra {
				if ok || err != nil {
					break
				}
				p, ok, err = a(r)
			}
			if err == nil && !ok {
				if h := r.Header.Get("X-Storefront"); h != "" {
					p, err = ts.ShopperOf(ctx, h)
					if apperr.Code(err) == apperr.ENOTFOUND {
						err = apperr.Errorf(apperr.EUNAUTHENTICATED, "unknown storefront %q", h)
					}
				}
			}
			if err != nil {
				if apperr.Code(err) == apperr.EUNAUTHENTICATED {
					writeAuthError(w, err)
					return
				}
				logger(ctx).Error("authentication", "error", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			if p.Kind != "" {
				ctx = tenants.WithPrincipal(ctx, p)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func writeAuthError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="guildmart"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": apperr.As(err).Message, "extensions": map[string]string{"code": apperr.EUNAUTHENTICATED},
	}}})
}
