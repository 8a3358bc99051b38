package tenants

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Consortium is a trade association running one shared catalog.
type Consortium struct {
	ID        uuid.UUID
	Handle    string
	Name      string
	Currency  string
	FeeBps    int
	FeeBasis  string // RETAIL or WAREHOUSE
	CreatedAt time.Time
}

// ConsortiumCreate is the input of CreateConsortium.
type ConsortiumCreate struct {
	Handle, Name, Currency string
	FeeBps                 int
	FeeBasis               string
}

// Validate checks the input.
func (in *ConsortiumCreate) Validate() error {
	if in.FeeBasis == "" {
		in.FeeBasis = "RETAIL"
	}
	return errors.Join(
		ValidateHandle("handle", in.Handle),
		ValidateName("name", in.Name),
		ValidateCurrency("currency", in.Currency),
		func() error {
			if in.FeeBps < 0 || in.FeeBps > 10000 {
				return apperr.Invalid("feeBps", "must be between 0 and 10000 basis points")
			}
			return nil
		}(),
		oneOf("feeBasis", in.FeeBasis, []string{"RETAIL", "WHOLESALE"}),
	)
}

const consortiumCols = `id, handle, name, currency, fee_bps, fee_basis, created_at`

func scanConsortium(row pgx.Row) (*Consortium, error) {
	var c Consortium
	err := row.Scan(&c.ID, &c.Handle, &c.Name, &c.Currency, &c.FeeBps, &c.FeeBasis, &c.CreatedAt)
	return &c, err
}

// CreateConsortium creates a consortium. Only the database owner can (the CLI and seed
// pass the owner's pool); the application role has no INSERT policy on consortia.
func CreateConsortium(ctx context.Context, owner *pgxpool.Pool, in ConsortiumCreate) (*Consortium, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	c, err := scanConsortium(owner.QueryRow(ctx, `INSERT INTO consortia (handle, name, currency, fee_bps, fee_basis)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+consortiumCols, in.Handle, in.Name, in.Currency, in.FeeBps, in.FeeBasis))
	if db.IsUniqueViolation(err, "") {
		return nil, apperr.Conflict("handle", "a consortium with handle %q exists", in.Handle)
	}
	return c, err
}

// ResolveConsortium finds a consortium's id by handle; with handle "" it returns the only
// consortium, or an error naming the choices when there are several.
func (s *Service) ResolveConsortium(ctx context.Context, handle string) (uuid.UUID, error) {
	rows, err := s.pool.Query(ctx, `SELECT consortium_id, handle FROM gm_consortium_by_handle($1)`, handle)
	if err != nil {
		return uuid.Nil, err
	}
	type row struct {
		ID     uuid.UUID
		Handle string
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		return uuid.Nil, err
	}
	switch {
	case len(found) == 0 && handle == "":
		return uuid.Nil, apperr.Errorf(apperr.ENOTFOUND, "no consortium exists yet: run `guildmart seed`")
	case len(found) == 0:
		return uuid.Nil, apperr.NotFound("consortium " + handle)
	case len(found) > 1:
		return uuid.Nil, apperr.Invalid("consortium", "several consortia exist: name one with --consortium")
	}
	return found[0].ID, nil
}

// Consortium returns the caller's consortium.
func (s *Service) Consortium(ctx context.Context, p Principal) (*Consortium, error) {
	var c *Consortium
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+consortiumCols+` FROM consortia WHERE id = $1`, []any{p.ConsortiumID},
		func(rows pgx.Rows) error {
			var err error
			c, err = pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (*Consortium, error) { return scanConsortium(r) })
			return err
		})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("consortium")
	}
	return c, err
}
