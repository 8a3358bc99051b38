package catalog

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Cursors are opaque to callers: base64url of the sort key of the last row returned.

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

func decodeCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, apperr.Invalid("after", "is not a cursor")
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, apperr.Invalid("after", "is not a cursor")
	}
	return parts, nil
}

// timeIDCursor orders by (time, id), for lists sorted by creation.
func timeIDCursor(t time.Time, id uuid.UUID) string {
	return encodeCursor(t.UTC().Format(time.RFC3339Nano), id.String())
}

func parseTimeIDCursor(c string) (time.Time, uuid.UUID, error) {
	parts, err := decodeCursor(c, 2)
	if err != nil {
		return time.Time{}, uuid.Nil, err
	}
	t, err1 := time.Parse(time.RFC3339Nano, parts[0])
	id, err2 := uuid.Parse(parts[1])
	if err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, apperr.Invalid("after", "is not a cursor")
	}
	return t, id, nil
}

func int64Cursor(n int64) string { return encodeCursor(strconv.FormatInt(n, 10)) }

func parseInt64Cursor(c string) (int64, error) {
	parts, err := decodeCursor(c, 1)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return 0, apperr.Invalid("after", "is not a cursor")
	}
	return n, nil
}
