package tenants

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/money"
)

var handleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// ValidateHandle checks a URL-safe handle: 2–63 lowercase letters, digits and dashes.
func ValidateHandle(field, h string) error {
	if !handleRE.MatchString(h) {
		return apperr.Invalid(field, "handle must be 2–63 lowercase letters, digits or dashes, starting with a letter or digit")
	}
	return nil
}

// ValidateName checks a display name: 1–200 characters after trimming.
func ValidateName(field, name string) error {
	n := len([]rune(strings.TrimSpace(name)))
	if n == 0 {
		return apperr.Invalid(field, "must not be empty")
	}
	if n > 200 {
		return apperr.Invalid(field, "must be at most 200 characters")
	}
	return nil
}

// NormalizeEmail checks an e-mail address and returns it trimmed.
func NormalizeEmail(field, email string) (string, error) {
	e := strings.TrimSpace(email)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return "", apperr.Invalid(field, "is not a valid e-mail address")
	}
	return e, nil
}

// ValidateCurrency checks an ISO 4217 code Guildmart supports.
func ValidateCurrency(field, c string) error {
	if !money.Known(c) {
		return apperr.Invalid(field, "unsupported currency %q", c)
	}
	return nil
}

// RoutingPolicies are the ways a storefront routes order lines.
var RoutingPolicies = []string{"WAREHOUSE_FIRST", "SUPPLIER_FIRST", "FASTEST"}

// StorefrontStatuses are the states of a storefront.
var StorefrontStatuses = []string{"ACTIVE", "PAUSED", "CLOSED"}

func oneOf(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return apperr.Invalid(field, "must be one of %s", strings.Join(allowed, ", "))
}
