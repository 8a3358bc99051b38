package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/guildmart/guildmart/internal/apperr"
)

func TestCodesAndAll(t *testing.T) {
	if apperr.Code(errors.New("boom")) != apperr.EINTERNAL {
		t.Error("plain errors must be internal")
	}
	wrapped := fmt.Errorf("ctx: %w", apperr.NotFound("member"))
	if apperr.Code(wrapped) != apperr.ENOTFOUND || apperr.IsUserError(wrapped) {
		t.Error("wrapped NotFound")
	}
	joined := errors.Join(apperr.Invalid("input.a", "bad a"), nil, apperr.Conflict("b", "taken"))
	all := apperr.All(joined)
	if len(all) != 2 || all[0].Field[1] != "a" || all[1].Code != apperr.ECONFLICT || !apperr.IsUserError(joined) {
		t.Fatalf("All = %v", all)
	}
}
