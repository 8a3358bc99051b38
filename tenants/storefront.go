package tenants

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// Storefront is a member's private shop: its own listings, prices, customers and orders.
type Storefront struct {
	ID            uuid.UUID
	ConsortiumID  uuid.UUID
	MemberID      uuid.UUID
	Handle        string
	Name          string
	Currency      string
	RoutingPolicy string
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// StorefrontCreate is the input of CreateStorefront.
type StorefrontCreate struct {
	Handle        string
	Name          string
	Currency      string // default: the consortium's
	RoutingPolicy string // default: WAREHOUSE_FIRST
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input, filling defaults.
func (in *StorefrontCreate) Validate() error {
	if in.RoutingPolicy == "" {
		in.RoutingPolicy = "WAREHOUSE_FIRST"
	}
	var cur error
	if in.Currency != "" {
		cur = ValidateCurrency("currency", in.Currency)
	}
	return errors.Join(ValidateHandle("handle", in.Handle), ValidateName("name", in.Name), cur,
		oneOf("routingPolicy", in.RoutingPolicy, RoutingPolicies))
}

// StorefrontUpdate changes the set fields of a storefront.
type StorefrontUpdate struct {
	Name          *string
	RoutingPolicy *string
	Status        *string
}

// Validate checks the set fields.
func (in StorefrontUpdate) Validate() error {
	var errs []error
	if in.Name != nil {
		errs = append(errs, ValidateName("name", *in.Name))
	}
	if in.RoutingPolicy != nil {
		errs = append(errs, oneOf("routingPolicy", *in.RoutingPolicy, RoutingPolicies))
	}
	if in.Status != nil {
		errs = append(errs, oneOf("status", *in.Status, StorefrontStatuses))
	}
	return errors.Join(errs...)
}

const storefrontCols = `id, consortium_id, member_id, handle, name, currency, routing_policy, status, created_at, updated_at`

func scanStorefront(row pgx.Row) (*Storefront, error) {
	var s Storefront
	err := row.Scan(&s.ID, &s.ConsortiumID, &s.MemberID, &s.Handle, &s.Name, &s.Currency, &s.RoutingPolicy, &s.Status, &s.CreatedAt, &s.UpdatedAt)
	return &s, err
}

// CreateStorefront opens a storefront for the calling member, which must be an active
// seller; the caller must be its owner or admin.
func (s *Service) CreateStorefront(ctx context.Context, p Principal, in StorefrontCreate) (*Storefront, error) {
	if err := p.RequireManager(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var sf *Storefront
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var isSeller bool
		var status, currency string
		err := tx.QueryRow(ctx, `SELECT m.is_seller, m.status, c.currency FROM members m JOIN consortia c ON c.id = m.consortium_id
			WHERE m.consortium_id = $1 AND m.id = $2`, p.ConsortiumID, p.MemberID).Scan(&isSeller, &status, &currency)
		if err != nil {
			return err
		}
		if !isSeller {
			return apperr.Forbidden("only a seller member may open storefronts")
		}
		if status != MemberActive {
			return apperr.Forbidden("member is %s: only an active member may open storefronts", status)
		}
		if in.Currency == "" {
			in.Currency = currency
		}
		id, replay, err := db.Idempotent(ctx, tx, p.Scope(), "storefrontCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			var err error
			sf, err = scanStorefront(tx.QueryRow(ctx, `INSERT INTO storefronts (consortium_id, member_id, handle, name, currency, routing_policy)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+storefrontCols, p.ConsortiumID, p.MemberID, in.Handle, in.Name, in.Currency, in.RoutingPolicy))
			return sf.ID, err
		})
		if err == nil && replay {
			sf, err = scanStorefront(tx.QueryRow(ctx, `SELECT `+storefrontCols+` FROM storefronts WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, id))
		}
		return err
	})
	if db.IsUniqueViolation(err, "storefronts_handle_key") {
		return nil, apperr.Conflict("handle", "the storefront handle %q is taken", in.Handle)
	}
	return sf, err
}

// UpdateStorefront changes a storefront of the calling member (owner or admin).
func (s *Service) UpdateStorefront(ctx context.Context, p Principal, id uuid.UUID, in StorefrontUpdate) (*Storefront, error) {
	if err := p.RequireManager(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var sf *Storefront
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		sf, err = scanStorefront(tx.QueryRow(ctx, `UPDATE storefronts SET
			name = coalesce($4, name), routing_policy = coalesce($5, routing_policy), status = coalesce($6, status), updated_at = now()
			WHERE consortium_id = $1 AND member_id = $2 AND id = $3 RETURNING `+storefrontCols,
			p.ConsortiumID, p.MemberID, id, in.Name, in.RoutingPolicy, in.Status))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("storefront")
	}
	return sf, err
}

// StorefrontByHandle returns a storefront the caller may see.
func (s *Service) StorefrontByHandle(ctx context.Context, p Principal, handle string) (*Storefront, error) {
	var sf *Storefront
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		sf, err = scanStorefront(tx.QueryRow(ctx, `SELECT `+storefrontCols+` FROM storefronts
			WHERE consortium_id = $1 AND handle = $2 AND `+storefrontFilter, p.ConsortiumID, handle, p.OwnMemberID(), p.StorefrontID, p.IsOperator()))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("storefront")
	}
	return sf, err
}

// storefrontFilter is the application-level wall beside RLS: $3 member, $4 storefront,
// $5 operator.
const storefrontFilter = `($5 OR member_id = $3 OR id = $4)`

// StorefrontsByIDs returns the visible storefronts among ids in ids' order.
func (s *Service) StorefrontsByIDs(ctx context.Context, p Principal, ids []uuid.UUID) ([]*Storefront, error) {
	byID := make(map[uuid.UUID]*Storefront, len(ids))
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+storefrontCols+` FROM storefronts
		WHERE consortium_id = $1 AND id = ANY($2) AND `+storefrontFilter, []any{p.ConsortiumID, ids, p.OwnMemberID(), p.StorefrontID, p.IsOperator()},
		func(rows pgx.Rows) error {
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Storefront, error) { return scanStorefront(r) })
			for _, sf := range list {
				byID[sf.ID] = sf
			}
			return err
		})
	out := make([]*Storefront, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// StorefrontsOfMembers returns, per member id, the storefronts the caller may see.
func (s *Service) StorefrontsOfMembers(ctx context.Context, p Principal, memberIDs []uuid.UUID) ([][]*Storefront, error) {
	by := make(map[uuid.UUID][]*Storefront, len(memberIDs))
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+storefrontCols+` FROM storefronts
		WHERE consortium_id = $1 AND member_id = ANY($2) AND `+storefrontFilter+` ORDER BY handle`,
		[]any{p.ConsortiumID, memberIDs, p.OwnMemberID(), p.StorefrontID, p.IsOperator()}, func(rows pgx.Rows) error {
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Storefront, error) { return scanStorefront(r) })
			for _, sf := range list {
				by[sf.MemberID] = append(by[sf.MemberID], sf)
			}
			return err
		})
	out := make([][]*Storefront, len(memberIDs))
	for i, id := range memberIDs {
		out[i] = by[id]
	}
	return out, err
}
