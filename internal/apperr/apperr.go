// Package apperr is the one error type of Guildmart: a code, an optional field and a
// message a user can act on. Anything that is not an *Error is an internal error and
// its text is never shown to a caller.
package apperr

import (
	"errors"
	"fmt"
)

// Codes map onto GraphQL userErrors codes and extensions.code.
const (
	EINVALID         = "INVALID"
	ENOTFOUND        = "NOT_FOUND"
	ECONFLICT        = "CONFLICT"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	EINTERNAL        = "INTERNAL"
)

// Error is an error a caller may see.
type Error struct {
	Code    string
	Field   []string
	Message string
}

func (e *Error) Error() string {
	if len(e.Field) > 0 {
		return fmt.Sprintf("%s: %v: %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Errorf builds an *Error with no field.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a problem with one input field; field is a path such as "input.handle".
func Invalid(field, format string, args ...any) *Error {
	var path []string
	if field != "" {
		path = splitPath(field)
	}
	return &Error{Code: EINVALID, Field: path, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a thing does not exist or is not visible to the caller; the two
// are never distinguished, so existence does not leak across tenants.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// Forbidden reports an action outside the caller's role.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: EFORBIDDEN, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a clash with existing state (a duplicate handle, a wrong status).
func Conflict(field, format string, args ...any) *Error {
	e := Invalid(field, format, args...)
	e.Code = ECONFLICT
	return e
}

// Code returns the code of err, EINTERNAL for anything that is not an *Error.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsUserError reports whether err is something the caller can fix (it belongs in
// userErrors rather than in top-level errors).
func IsUserError(err error) bool {
	switch Code(err) {
	case EINVALID, ECONFLICT:
		return true
	}
	return false
}

func splitPath(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// All unpacks the *Errors inside err, including every error of an errors.Join, so a
// validation can report every bad field at once.
func All(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, All(e)...)
		}
		return out
	}
	if e := As(err); e != nil {
		return []*Error{e}
	}
	return nil
}
