package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Party names who made a request, for idempotency: the same party retrying with the same
// key gets the same result, whichever of its keys or sessions it uses.
func (s Scope) Party() string {
	return fmt.Sprintf("%s:%s:%s:%s", s.Role, str(s.MemberID), str(s.StorefrontID), str(s.CustomerID))
}

// Idempotent runs create inside tx unless party s already ran operation with key, in
// which case it returns the first result's id and replay=true. An empty key always
// creates. Must run inside the operation's transaction so key and result commit together.
func Idempotent(ctx context.Context, tx pgx.Tx, s Scope, operation, key string, create func() (uuid.UUID, error)) (id uuid.UUID, replay bool, err error) {
	if key == "" {
		id, err = create()
		return id, false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (consortium_id, party, operation, key) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, s.ConsortiumID, s.Party(), operation, key)
	if err != nil {
		return uuid.Nil, false, err
	}
	if tag.RowsAffected() == 0 {
		var prev *uuid.UUID
		err := tx.QueryRow(ctx, `SELECT result_id FROM idempotency_keys WHERE consortium_id = $1 AND party = $2 AND operation = $3 AND key = $4`,
			s.ConsortiumID, s.Party(), operation, key).Scan(&prev)
		if err != nil {
			return uuid.Nil, false, err
		}
		if prev == nil {
			return uuid.Nil, false, errors.New("idempotency key in use by an unfinished request")
		}
		return *prev, true, nil
	}
	id, err = create()
	if err != nil {
		return uuid.Nil, false, err
	}
	_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET result_id = $5 WHERE consortium_id = $1 AND party = $2 AND operation = $3 AND key = $4`,
		s.ConsortiumID, s.Party(), operation, key, id)
	return id, false, err
}
