package gateway

import (
	"context"
	"errors"
	"log/slog"

	"github.com/guildmart/guildmart/internal/apperr"
)

// gqlErr is a top-level GraphQL error carrying extensions.code.
type gqlErr struct {
	code, msg string
}

func (e *gqlErr) Error() string                      { return e.msg }
func (e *gqlErr) Extensions() map[string]interface{} { return map[string]interface{}{"code": e.code} }

// gqlError turns any error into a top-level GraphQL error: an *apperr.Error keeps its
// code and message; anything else is logged and becomes "internal error".
func gqlError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if e := apperr.As(err); e != nil {
		return &gqlErr{code: e.Code, msg: e.Message}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &gqlErr{code: "TIMEOUT", msg: "request timed out"}
	}
	logger(ctx).Error("internal error", slog.String("error", err.Error()))
	return &gqlErr{code: apperr.EINTERNAL, msg: "internal error"}
}

// userErrorResolver is one userErrors entry.
type userErrorResolver struct{ e *apperr.Error }

func (u userErrorResolver) Field() *[]string {
	if len(u.e.Field) == 0 {
		return nil
	}
	f := append([]string{"input"}, u.e.Field...)
	if u.e.Field[0] == "input" {
		f = u.e.Field
	}
	return &f
}
func (u userErrorResolver) Message() string { return u.e.Message }
func (u userErrorResolver) Code() string    { return u.e.Code }

// mutationResult splits a domain error for a mutation payload: things the caller can
// fix (INVALID, CONFLICT) become userErrors; anything else is a top-level error.
func mutationResult(ctx context.Context, err error) ([]userErrorResolver, error) {
	if err == nil {
		return []userErrorResolver{}, nil
	}
	if apperr.IsUserError(err) {
		all := apperr.All(err)
		out := make([]userErrorResolver, 0, len(all))
		for _, e := range all {
			if e.Code == apperr.EINVALID || e.Code == apperr.ECONFLICT {
				out = append(out, userErrorResolver{e})
			}
		}
		return out, nil
	}
	return nil, gqlError(ctx, err)
}
