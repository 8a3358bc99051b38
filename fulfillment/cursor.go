package fulfillment

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Cursors are opaque keysets (created_at, id) of the previous page's last row.
func cursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + ":" + id.String()))
}

// parseCursor returns the keyset after which a page starts (nil id: from the start).
func parseCursor(c string) (time.Time, *uuid.UUID, error) {
	if c == "" {
		return time.Time{}, nil, nil
	}
	bad := apperr.Invalid("after", "is not a valid cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, nil, bad
	}
	ts, raw, ok := strings.Cut(string(b), ":")
	if !ok {
		return time.Time{}, nil, bad
	}
	us, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, nil, bad
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return time.Time{}, nil, bad
	}
	return time.UnixMicro(us), &id, nil
}

// pageSize clamps a requested page size to 1..MaxPage (default 20).
func pageSize(first int) int {
	switch {
	case first <= 0:
		return 20
	case first > MaxPage:
		return MaxPage
	}
	return first
}
