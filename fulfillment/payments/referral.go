package payments

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Referral is a storefront's referral share: the referrer (a member who brought the
// storefront's customers) earns ShareBps of the margin of every line sold there,
// posted to its REFERRAL account when the order is placed.
type Referral struct {
	StorefrontID uuid.UUID
	ReferrerID   uuid.UUID
	ShareBps     int
}

// SetReferral sets the referral share of one of the caller's storefronts (owner or admin
// of the seller); referrer uuid.Nil removes it. It applies to orders placed from now on.
func (s *Service) SetReferral(ctx context.Context, p tenants.Principal, storefrontID, referrerID uuid.UUID, shareBps int) (*Referral, error) {
	if err := p.Require(tenants.FamilyPayouts); err != nil {
		return nil, err
	}
	var errs []error
	if referrerID != uuid.Nil && (shareBps < 1 || shareBps > 10000) {
		errs = append(errs, apperr.Invalid("shareBps", "must be between 1 and 10000 basis points of the margin"))
	}
	if referrerID == p.MemberID {
		errs = append(errs, apperr.Invalid("referrerId", "a seller cannot refer its own storefront"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out *Referral
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var own bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM storefronts WHERE consortium_id = $1 AND id = $2 AND member_id = $3)`,
			p.ConsortiumID, storefrontID, p.MemberID).Scan(&own); err != nil {
			return err
		}
		if !own {
			return apperr.NotFound("storefront")
		}
		if referrerID == uuid.Nil {
			_, err := tx.Exec(ctx, `DELETE FROM storefront_referrals WHERE storefront_id = $1`, storefrontID)
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE consortium_id = $1 AND id = $2 AND status = 'ACTIVE')`,
			p.ConsortiumID, referrerID).Scan(&active); err != nil {
			return err
		}
		if !active {
			return apperr.Invalid("referrerId", "is not an active member of the consortium")
		}
		_, err := tx.Exec(ctx, `INSERT INTO storefront_referrals (storefront_id, consortium_id, member_id, referrer_id, share_bps)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (storefront_id) DO UPDATE SET referrer_id = excluded.referrer_id, share_bps = excluded.share_bps, updated_at = now()`,
			storefrontID, p.ConsortiumID, p.MemberID, referrerID, shareBps)
		out = &Referral{StorefrontID: storefrontID, ReferrerID: referrerID, ShareBps: shareBps}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
