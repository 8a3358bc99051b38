package gateway

import (
	"context"
	"log/slog"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	loadersKey
)

func logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// principal returns the caller; anonymous callers (no key, no storefront) get the zero
// Principal, which every domain method refuses.
func principal(ctx context.Context) tenants.Principal {
	p, _ := tenants.PrincipalFrom(ctx)
	return p
}

// authenticated returns the caller or UNAUTHENTICATED for anonymous requests.
func authenticated(ctx context.Context) (tenants.Principal, error) {
	p := principal(ctx)
	if p.Kind == "" {
		return p, &gqlErr{code: apperr.EUNAUTHENTICATED, msg: "send Authorization: Bearer <API key>, or X-Storefront: <handle> for a storefront's public data"}
	}
	return p, nil
}
