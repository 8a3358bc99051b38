package catalog

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// SupplierProfile holds the settings a supplier manages itself. A supplier that never
// saved one has the defaults: no agreement required, brand shown, no display name.
type SupplierProfile struct {
	MemberID          uuid.UUID
	AgreementRequired bool   // sellers need an APPROVED SourcingAgreement to see its offers
	ShowBrand         bool   // storefronts may show who supplies
	DisplayName       string // shown to sellers instead of the legal name when set
	UpdatedAt         time.Time
}

// SupplierProfileUpdate changes the set fields of the caller's own profile.
type SupplierProfileUpdate struct {
	AgreementRequired *bool
	ShowBrand         *bool
	DisplayName       *string
}

// Validate checks the set fields.
func (in SupplierProfileUpdate) Validate() error {
	if in.DisplayName != nil && len([]rune(strings.TrimSpace(*in.DisplayName))) > 200 {
		return apperr.Invalid("displayName", "must be at most 200 characters")
	}
	return nil
}

const profileCols = `member_id, agreement_required, show_brand, display_name, updated_at`

func scanProfile(row pgx.Row) (*SupplierProfile, error) {
	var sp SupplierProfile
	err := row.Scan(&sp.MemberID, &sp.AgreementRequired, &sp.ShowBrand, &sp.DisplayName, &sp.UpdatedAt)
	return &sp, err
}

// UpdateSupplierProfile sets the caller's own supplier profile (member owner or admin of
// a supplier). Changing AgreementRequired changes who sees every offer of the supplier,
// so search is told to reindex them.
func (s *Service) UpdateSupplierProfile(ctx context.Context, p tenants.Principal, in SupplierProfileUpdate) (*SupplierProfile, error) {
	if err := p.RequireManager(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.DisplayName != nil {
		n := strings.TrimSpace(*in.DisplayName)
		in.DisplayName = &n
	}
	var sp *SupplierProfile
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		var before bool
		err := tx.QueryRow(ctx, `SELECT agreement_required FROM supplier_profiles WHERE consortium_id = $1 AND member_id = $2 FOR UPDATE`,
			p.ConsortiumID, p.MemberID).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		sp, err = scanProfile(tx.QueryRow(ctx, `INSERT INTO supplier_profiles AS sp (consortium_id, member_id, agreement_required, show_brand, display_name)
			VALUES ($1, $2, coalesce($3, false), coalesce($4, true), coalesce($5, ''))
			ON CONFLICT (consortium_id, member_id) DO UPDATE SET
			  agreement_required = coalesce($3, sp.agreement_required), show_brand = coalesce($4, sp.show_brand),
			  display_name = coalesce($5, sp.display_name), updated_at = now()
			RETURNING `+profileCols, p.ConsortiumID, p.MemberID, in.AgreementRequired, in.ShowBrand, in.DisplayName))
		if err != nil {
			return err
		}
		if sp.AgreementRequired != before {
			return s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, SupplierID: p.MemberID})
		}
		return nil
	})
	return sp, err
}

// SupplierProfile returns a supplier's profile (defaults when it never saved one).
// Visible to the operator and to members.
func (s *Service) SupplierProfile(ctx context.Context, p tenants.Principal, memberID uuid.UUID) (*SupplierProfile, error) {
	sps, err := s.SupplierProfilesByMemberIDs(ctx, p, []uuid.UUID{memberID})
	if err != nil {
		return nil, err
	}
	if sps[0] == nil {
		return nil, apperr.NotFound("supplier")
	}
	return sps[0], nil
}

// SupplierProfilesByMemberIDs returns the profiles of the supplier members among ids, in
// ids' order (nil for ids that are not visible suppliers): the loader's batch function.
func (s *Service) SupplierProfilesByMemberIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*SupplierProfile, error) {
	out := make([]*SupplierProfile, len(ids))
	if p.Kind != tenants.KindMember && !p.IsOperator() {
		return out, nil
	}
	byID := map[uuid.UUID]*SupplierProfile{}
	sps, err := readAll(ctx, s.pool, p, `SELECT m.id, coalesce(sp.agreement_required, false), coalesce(sp.show_brand, true),
		  coalesce(sp.display_name, ''), coalesce(sp.updated_at, m.updated_at)
		FROM members m LEFT JOIN supplier_profiles sp ON sp.consortium_id = m.consortium_id AND sp.member_id = m.id
		WHERE m.consortium_id = $1 AND m.id = ANY($2) AND m.is_supplier`, []any{p.ConsortiumID, ids},
		func(r pgx.CollectableRow) (*SupplierProfile, error) { return scanProfile(r) })
	for _, sp := range sps {
		byID[sp.MemberID] = sp
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}
