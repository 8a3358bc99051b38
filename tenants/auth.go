package tenants

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
)

var errBadKey = apperr.Errorf(apperr.EUNAUTHENTICATED, "invalid or revoked API key")

// Authenticate turns an API key secret into the principal it acts as. Revoked keys,
// keys of suspended members and of closed storefronts are UNAUTHENTICATED.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, "gm_") || len(secret) != 46 {
		return Principal{}, errBadKey
	}
	var (
		consortiumID, keyID    uuid.UUID
		memberID, storefrontID *uuid.UUID
		role                   string
		revoked                bool
		memberStatus, sfStatus *string
	)
	err := s.pool.QueryRow(ctx, `SELECT consortium_id, key_id, member_id, storefront_id, role, revoked, member_status, storefront_status
		FROM gm_api_key_auth($1)`, HashSecret(secret)).
		Scan(&consortiumID, &keyID, &memberID, &storefrontID, &role, &revoked, &memberStatus, &sfStatus)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, errBadKey
	} else if err != nil {
		return Principal{}, err
	}
	if revoked {
		return Principal{}, errBadKey
	}
	if memberStatus != nil && *memberStatus == MemberSuspended {
		return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED, "the member of this API key is suspended")
	}
	p := Principal{ConsortiumID: consortiumID, KeyID: keyID, Role: role}
	switch {
	case role == RoleOperator:
		p.Kind = KindOperator
	case storefrontID != nil:
		if sfStatus != nil && *sfStatus == "CLOSED" {
			return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED, "the storefront of this API key is closed")
		}
		p.Kind, p.MemberID, p.StorefrontID = KindStorefront, *memberID, *storefrontID
	default:
		p.Kind, p.MemberID = KindMember, *memberID
	}
	return p, nil
}

// ShopperOf returns the anonymous shopper principal of the storefront with handle. A
// storefront that is not ACTIVE, or whose member is suspended, is NOT_FOUND.
func (s *Service) ShopperOf(ctx context.Context, handle string) (Principal, error) {
	var sfID, consortiumID, memberID uuid.UUID
	var status, memberStatus string
	err := s.pool.QueryRow(ctx, `SELECT storefront_id, consortium_id, member_id, status, member_status FROM gm_storefront_by_handle($1)`, handle).
		Scan(&sfID, &consortiumID, &memberID, &status, &memberStatus)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (status != "ACTIVE" || memberStatus != MemberActive)) {
		return Principal{}, apperr.NotFound("storefront")
	} else if err != nil {
		return Principal{}, err
	}
	return Principal{Kind: KindShopper, ConsortiumID: consortiumID, MemberID: memberID, StorefrontID: sfID}, nil
}
