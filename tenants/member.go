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

// Member statuses.
const (
	MemberInvited   = "INVITED"
	MemberActive    = "ACTIVE"
	MemberSuspended = "SUSPENDED"
)

// Member is a brand, dealer or wholesaler in the consortium.
type Member struct {
	ID           uuid.UUID
	ConsortiumID uuid.UUID
	Handle       string
	LegalName    string
	IsSupplier   bool
	IsSeller     bool
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MemberInvite is the input of InviteMember.
type MemberInvite struct {
	Handle     string
	LegalName  string
	IsSupplier bool
	IsSeller   bool
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input.
func (in MemberInvite) Validate() error {
	var roleErr error
	if !in.IsSupplier && !in.IsSeller {
		roleErr = apperr.Invalid("isSupplier", "a member must be a supplier, a seller, or both")
	}
	return errors.Join(ValidateHandle("handle", in.Handle), ValidateName("legalName", in.LegalName), roleErr)
}

const memberCols = `id, consortium_id, handle, legal_name, is_supplier, is_seller, status, created_at, updated_at`

func scanMember(row pgx.Row) (*Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.ConsortiumID, &m.Handle, &m.LegalName, &m.IsSupplier, &m.IsSeller, &m.Status, &m.CreatedAt, &m.UpdatedAt)
	return &m, err
}

// InviteMember admits a new member in status INVITED (operator only).
func (s *Service) InviteMember(ctx context.Context, p Principal, in MemberInvite) (*Member, error) {
	if err := p.RequireOperator(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var m *Member
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		id, replay, err := db.Idempotent(ctx, tx, p.Scope(), "memberInvite", in.IdempotencyKey, func() (uuid.UUID, error) {
			var err error
			m, err = scanMember(tx.QueryRow(ctx, `INSERT INTO members (consortium_id, handle, legal_name, is_supplier, is_seller)
				VALUES ($1, $2, $3, $4, $5) RETURNING `+memberCols, p.ConsortiumID, in.Handle, in.LegalName, in.IsSupplier, in.IsSeller))
			return m.ID, err
		})
		if err == nil && replay {
			m, err = scanMember(tx.QueryRow(ctx, `SELECT `+memberCols+` FROM members WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, id))
		}
		return err
	})
	if db.IsUniqueViolation(err, "members_handle_key") {
		return nil, apperr.Conflict("handle", "a member with handle %q exists", in.Handle)
	}
	return m, err
}

// ActivateMember moves an invited or suspended member to ACTIVE (operator only).
func (s *Service) ActivateMember(ctx context.Context, p Principal, id uuid.UUID) (*Member, error) {
	return s.setMemberStatus(ctx, p, id, MemberActive, []string{MemberInvited, MemberSuspended})
}

// SuspendMember suspends an active or invited member: its keys and storefronts stop
// working at once (operator only).
func (s *Service) SuspendMember(ctx context.Context, p Principal, id uuid.UUID) (*Member, error) {
	return s.setMemberStatus(ctx, p, id, MemberSuspended, []string{MemberInvited, MemberActive})
}

func (s *Service) setMemberStatus(ctx context.Context, p Principal, id uuid.UUID, to string, from []string) (*Member, error) {
	if err := p.RequireOperator(); err != nil {
		return nil, err
	}
	var m *Member
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		cur, err := scanMember(tx.QueryRow(ctx, `SELECT `+memberCols+` FROM members WHERE consortium_id = $1 AND id = $2 FOR UPDATE`, p.ConsortiumID, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("member")
		} else if err != nil {
			return err
		}
		if oneOf("", cur.Status, from) != nil {
			return apperr.Conflict("id", "member is %s and cannot become %s", cur.Status, to)
		}
		m, err = scanMember(tx.QueryRow(ctx, `UPDATE members SET status = $3, updated_at = now()
			WHERE consortium_id = $1 AND id = $2 RETURNING `+memberCols, p.ConsortiumID, id, to))
		return err
	})
	return m, err
}

// MemberFilter narrows FindMembers.
type MemberFilter struct {
	Status string // "" for all
	Page
}

// FindMembers lists the consortium's members by handle, a page at a time; hasNext tells
// whether more follow. Visible to the operator and to members (the directory).
func (s *Service) FindMembers(ctx context.Context, p Principal, f MemberFilter) (ms []*Member, hasNext bool, err error) {
	limit := f.Limit()
	err = db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+memberCols+` FROM members
		WHERE consortium_id = $1 AND handle > $2 AND ($3 = '' OR status = $3)
		ORDER BY handle LIMIT $4`, []any{p.ConsortiumID, f.After, f.Status, limit + 1}, func(rows pgx.Rows) error {
		var err error
		ms, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Member, error) { return scanMember(r) })
		return err
	})
	if len(ms) > limit {
		ms, hasNext = ms[:limit], true
	}
	return ms, hasNext, err
}

// MemberByHandle returns a member of the caller's consortium.
func (s *Service) MemberByHandle(ctx context.Context, p Principal, handle string) (*Member, error) {
	var m *Member
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		m, err = scanMember(tx.QueryRow(ctx, `SELECT `+memberCols+` FROM members WHERE consortium_id = $1 AND handle = $2`, p.ConsortiumID, handle))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("member")
	}
	return m, err
}

// MembersByIDs returns the visible members among ids, in ids' order (nil where not
// visible): the batch function of the member loader.
func (s *Service) MembersByIDs(ctx context.Context, p Principal, ids []uuid.UUID) ([]*Member, error) {
	byID := make(map[uuid.UUID]*Member, len(ids))
	err := db.ReadQuery(ctx, s.pool, p.Scope(), `SELECT `+memberCols+` FROM members WHERE consortium_id = $1 AND id = ANY($2)`,
		[]any{p.ConsortiumID, ids}, func(rows pgx.Rows) error {
			ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Member, error) { return scanMember(r) })
			for _, m := range ms {
				byID[m.ID] = m
			}
			return err
		})
	out := make([]*Member, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}
