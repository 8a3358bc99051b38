package fulfillment

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs the fulfilment functions raise (schema/migrations/007_fulfillment.sql).
const (
	stateCartNotFound = "GMC01"
	stateCartClosed   = "GMC02"
	stateShortStock   = "GMS01"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func pgConstraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}
