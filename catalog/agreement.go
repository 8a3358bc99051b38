package catalog

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Sourcing agreement statuses.
const (
	AgreementRequested = "REQUESTED"
	AgreementApproved  = "APPROVED"
	AgreementDeclined  = "DECLINED"
	AgreementRevoked   = "REVOKED"
)

// SourcingAgreement is a seller's access to a supplier's offers, with an optional
// negotiated discount off wholesale. While the supplier's profile says
// AgreementRequired, only sellers with an APPROVED agreement see its offers; the
// discount applies whenever the agreement is APPROVED.
type SourcingAgreement struct {
	ID          uuid.UUID
	SupplierID  uuid.UUID
	SellerID    uuid.UUID
	Status      string
	DiscountBps int
	Message     string // the seller's request note
	CreatedAt   time.Time
	DecidedAt   *time.Time
}

// Cursor is the agreement's position in a list (newest first).
func (a *SourcingAgreement) Cursor() string { return timeIDCursor(a.CreatedAt, a.ID) }

const agreementCols = `id, supplier_id, seller_id, status, discount_bps, message, created_at, decided_at`

func scanAgreement(row pgx.Row) (*SourcingAgreement, error) {
	var a SourcingAgreement
	err := row.Scan(&a.ID, &a.SupplierID, &a.SellerID, &a.Status, &a.DiscountBps, &a.Message, &a.CreatedAt, &a.DecidedAt)
	return &a, err
}

// MaxDiscountBps is the largest negotiated discount (99.99 %).
const MaxDiscountBps = 9999

// RequestAgreement asks supplierID for access to its offers on behalf of the caller (a
// seller member; not supplier-ops). A declined or revoked agreement can be requested
// again; a pending or approved one is a conflict.
func (s *Service) RequestAgreement(ctx context.Context, p tenants.Principal, supplierID uuid.UUID, message string) (*SourcingAgreement, error) {
	if !p.CanSell() {
		return nil, apperr.Forbidden("only a seller member may request a sourcing agreement")
	}
	if utf8.RuneCountInString(message) > 2000 {
		return nil, apperr.Invalid("message", "must be at most 2000 characters")
	}
	if supplierID == p.MemberID {
		return nil, apperr.Invalid("supplierId", "a member does not need an agreement with itself")
	}
	var a *SourcingAgreement
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var isSeller, isSupplier bool
		err := tx.QueryRow(ctx, `SELECT coalesce((SELECT is_seller FROM members WHERE consortium_id = $1 AND id = $2), false),
			  coalesce((SELECT is_supplier AND status = 'ACTIVE' FROM members WHERE consortium_id = $1 AND id = $3), false)`,
			p.ConsortiumID, p.MemberID, supplierID).Scan(&isSeller, &isSupplier)
		if err != nil {
			return err
		}
		if !isSeller {
			return apperr.Forbidden("only a seller member may request a sourcing agreement")
		}
		if !isSupplier {
			return apperr.Invalid("supplierId", "no such supplier")
		}
		a, err = scanAgreement(tx.QueryRow(ctx, `INSERT INTO sourcing_agreements AS a (consortium_id, supplier_id, seller_id, message)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (consortium_id, supplier_id, seller_id) DO UPDATE
			  SET status = 'REQUESTED', message = EXCLUDED.message, discount_bps = 0, created_at = now(), decided_at = NULL
			  WHERE a.status IN ('DECLINED', 'REVOKED')
			RETURNING `+agreementCols, p.ConsortiumID, supplierID, p.MemberID, message))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Conflict("supplierId", "an agreement with this supplier is already requested or approved")
		}
		return err
	})
	return a, err
}

// ApproveAgreement approves a pending agreement with the caller's supplier member (owner
// or admin), or changes the discount of an approved one.
func (s *Service) ApproveAgreement(ctx context.Context, p tenants.Principal, id uuid.UUID, discountBps int) (*SourcingAgreement, error) {
	if discountBps < 0 || discountBps > MaxDiscountBps {
		return nil, apperr.Invalid("discountBps", "must be between 0 and %d basis points", MaxDiscountBps)
	}
	return s.decide(ctx, p, id, true, AgreementApproved, []string{AgreementRequested, AgreementApproved}, discountBps)
}

// DeclineAgreement declines a pending agreement (supplier owner or admin).
func (s *Service) DeclineAgreement(ctx context.Context, p tenants.Principal, id uuid.UUID) (*SourcingAgreement, error) {
	return s.decide(ctx, p, id, true, AgreementDeclined, []string{AgreementRequested}, 0)
}

// RevokeAgreement ends a pending or approved agreement: the supplier revokes it, or the
// seller cancels it (owner or admin of either). The seller loses access to the
// supplier's offers at once when the supplier requires agreements.
func (s *Service) RevokeAgreement(ctx context.Context, p tenants.Principal, id uuid.UUID) (*SourcingAgreement, error) {
	return s.decide(ctx, p, id, false, AgreementRevoked, []string{AgreementRequested, AgreementApproved}, -1)
}

// decide moves an agreement the caller is party to (only as supplier when
// supplierOnly) from one of from to to; discountBps < 0 keeps the discount.
func (s *Service) decide(ctx context.Context, p tenants.Principal, id uuid.UUID, supplierOnly bool, to string, from []string, discountBps int) (*SourcingAgreement, error) {
	if err := p.RequireManager(); err != nil {
		return nil, err
	}
	var a *SourcingAgreement
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		cur, err := scanAgreement(tx.QueryRow(ctx, `SELECT `+agreementCols+` FROM sourcing_agreements
			WHERE consortium_id = $1 AND id = $2 AND (supplier_id = $3 OR seller_id = $3) FOR UPDATE`, p.ConsortiumID, id, p.MemberID))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("sourcing agreement")
		} else if err != nil {
			return err
		}
		if supplierOnly && cur.SupplierID != p.MemberID {
			return apperr.Forbidden("only the supplier decides on a sourcing agreement")
		}
		if !oneOf(cur.Status, from...) {
			return apperr.Conflict("id", "the agreement is %s and cannot become %s", cur.Status, to)
		}
		a, err = scanAgreement(tx.QueryRow(ctx, `UPDATE sourcing_agreements SET status = $3,
			  discount_bps = CASE WHEN $4 < 0 THEN discount_bps ELSE $4 END, decided_at = now()
			WHERE consortium_id = $1 AND id = $2 RETURNING `+agreementCols, p.ConsortiumID, id, to, discountBps))
		if err != nil {
			return err
		}
		// What the seller sees (entitlement, effective prices) changed for every offer of
		// the supplier.
		return s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, SupplierID: cur.SupplierID})
	})
	return a, err
}

// AgreementFilter narrows SourcingAgreements.
type AgreementFilter struct {
	Status string // "" for all
	tenants.Page
}

// SourcingAgreements lists the agreements the caller is party to (as supplier or
// seller), newest first; the operator sees all of its consortium.
func (s *Service) SourcingAgreements(ctx context.Context, p tenants.Principal, f AgreementFilter) (as []*SourcingAgreement, hasNext bool, err error) {
	if p.Kind != tenants.KindMember && !p.IsOperator() {
		return nil, false, apperr.Forbidden("only members and the operator see sourcing agreements")
	}
	afterT, afterID := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Max
	if f.After != "" {
		if afterT, afterID, err = parseTimeIDCursor(f.After); err != nil {
			return nil, false, err
		}
	}
	limit := f.Limit()
	v := viewerOf(p)
	as, err = readAll(ctx, s.pool, p, `SELECT `+agreementCols+` FROM sourcing_agreements
		WHERE consortium_id = $1 AND ($2::text IN ('operator', 'system') OR $3::uuid IN (supplier_id, seller_id))
		  AND ($4 = '' OR status = $4) AND (created_at, id) < ($5, $6)
		ORDER BY created_at DESC, id DESC LIMIT $7`, v.args(f.Status, afterT, afterID, limit+1), func(r pgx.CollectableRow) (*SourcingAgreement, error) { return scanAgreement(r) })
	if len(as) > limit {
		as, hasNext = as[:limit], true
	}
	return as, hasNext, err
}

// AgreementsByIDs returns the agreements among ids the caller is party to, in ids'
// order (nil otherwise).
func (s *Service) AgreementsByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*SourcingAgreement, error) {
	byID := map[uuid.UUID]*SourcingAgreement{}
	v := viewerOf(p)
	as, err := readAll(ctx, s.pool, p, `SELECT `+agreementCols+` FROM sourcing_agreements
		WHERE consortium_id = $1 AND ($2::text IN ('operator', 'system') OR $3::uuid IN (supplier_id, seller_id)) AND id = ANY($4)`,
		v.args(ids), func(r pgx.CollectableRow) (*SourcingAgreement, error) { return scanAgreement(r) })
	for _, a := range as {
		byID[a.ID] = a
	}
	out := make([]*SourcingAgreement, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}
