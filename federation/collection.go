package federation

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Collection is a storefront's own grouping of listings (its navigation), which may
// carry a pricing rule for its listings.
type Collection struct {
	ID           uuid.UUID
	StorefrontID uuid.UUID
	Handle       string
	Title        string
	Description  string
	RuleID       uuid.UUID
}

// CollectionCreate is the input of CreateCollection.
type CollectionCreate struct {
	StorefrontID uuid.UUID
	Handle       string
	Title        string
	Description  string
}

// Validate checks the input.
func (in CollectionCreate) Validate() error {
	var errs []error
	if !handleRE.MatchString(in.Handle) {
		errs = append(errs, apperr.Invalid("handle", "must be 1–128 lower-case letters, digits and '-', starting with a letter or digit"))
	}
	if len(in.Title) < 1 || len(in.Title) > 300 {
		errs = append(errs, apperr.Invalid("title", "must be 1–300 characters"))
	}
	if len(in.Description) > 20000 {
		errs = append(errs, apperr.Invalid("description", "must be at most 20000 characters"))
	}
	return errors.Join(errs...)
}

const collectionCols = `id, storefront_id, handle, title, description, rule_id`

func scanCollection(row pgx.Row) (*Collection, error) {
	var c Collection
	var rule *uuid.UUID
	err := row.Scan(&c.ID, &c.StorefrontID, &c.Handle, &c.Title, &c.Description, &rule)
	c.RuleID = orNil(rule)
	return &c, err
}

// CreateCollection adds a collection to one of the caller's storefronts.
func (s *Service) CreateCollection(ctx context.Context, p tenants.Principal, in CollectionCreate) (*Collection, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c *Collection
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if _, err := sellerStorefront(ctx, tx, p, in.StorefrontID); err != nil {
			return err
		}
		var err error
		c, err = scanCollection(tx.QueryRow(ctx, `INSERT INTO storefront_collections (storefront_id, consortium_id, member_id, handle, title, description)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+collectionCols, in.StorefrontID, p.ConsortiumID, p.MemberID, in.Handle, in.Title, in.Description))
		if db.IsUniqueViolation(err, "storefront_collections_handle_key") {
			return apperr.Conflict("handle", "the storefront already has a collection with this handle")
		}
		return err
	})
	return c, err
}

// Collections lists a storefront's collections by handle.
func (s *Service) Collections(ctx context.Context, p tenants.Principal, storefront uuid.UUID) ([]*Collection, error) {
	if !canRead(p, storefront) {
		return nil, nil
	}
	var out []*Collection
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+collectionCols+` FROM storefront_collections
		WHERE storefront_id = $1 AND consortium_id = $2 ORDER BY handle`, []any{storefront, p.ConsortiumID}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Collection, error) { return scanCollection(r) })
		return err
	})
	return out, err
}

// CollectionsByIDs returns collections in key order (nil where not visible).
func (s *Service) CollectionsByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Collection, error) {
	out := make([]*Collection, len(ids))
	byID := map[uuid.UUID]*Collection{}
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+collectionCols+` FROM storefront_collections
		WHERE id = ANY($1) AND consortium_id = $2 AND (member_id = $3 OR storefront_id = $4)`,
		[]any{ids, p.ConsortiumID, p.OwnMemberID(), p.StorefrontID}, func(rows pgx.Rows) error {
			for rows.Next() {
				c, err := scanCollection(rows)
				if err != nil {
					return err
				}
				byID[c.ID] = c
			}
			return rows.Err()
		})
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}
