// Package ids encodes the opaque Relay global IDs of the API: base64url of "Kind:uuid".
package ids

import (
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
)

// Global returns the opaque global ID of a thing of kind with id.
func Global(kind string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + id.String()))
}

// Parse splits a global ID into its kind and UUID; ok is false for anything malformed.
func Parse(gid string) (kind string, id uuid.UUID, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil {
		return "", uuid.Nil, false
	}
	k, raw, found := strings.Cut(string(b), ":")
	if !found || k == "" {
		return "", uuid.Nil, false
	}
	id, err = uuid.Parse(raw)
	if err != nil {
		return "", uuid.Nil, false
	}
	return k, id, true
}

// ParseKind parses gid and checks it names a thing of kind.
func ParseKind(gid, kind string) (uuid.UUID, bool) {
	k, id, ok := Parse(gid)
	if !ok || k != kind {
		return uuid.Nil, false
	}
	return id, true
}
