package tenants

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/jackc/pgx/v5"
)

// OperatorSelector is the X-Member value that picks a person's operator account.
const OperatorSelector = "@operator"

// PersonPrincipal turns a signed-in person (a Kratos identity) into the principal of one
// of its accounts: an operator user or a member user that is not removed. member picks
// the account by member handle (OperatorSelector for the operator's); "" picks the only
// one. A person without an account, or whose member is suspended, is UNAUTHENTICATED.
// The first sign-in of an invited user makes it ACTIVE.
func (s *Service) PersonPrincipal(ctx context.Context, identityID uuid.UUID, member string) (Principal, error) {
	type account struct {
		consortiumID, userID uuid.UUID
		memberID             *uuid.UUID
		handle, memberStatus *string
		role                 string
	}
	rows, err := s.pool.Query(ctx, `SELECT consortium_id, user_id, member_id, member_handle, role, member_status FROM gm_user_by_identity($1)`, identityID)
	if err != nil {
		return Principal{}, err
	}
	accounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account, error) {
		var a account
		err := r.Scan(&a.consortiumID, &a.userID, &a.memberID, &a.handle, &a.role, &a.memberStatus)
		return a, err
	})
	if err != nil {
		return Principal{}, err
	}
	label := func(a account) string {
		if a.handle == nil {
			return OperatorSelector
		}
		return *a.handle
	}
	var picked []account
	for _, a := range accounts {
		if member == "" || label(a) == member {
			picked = append(picked, a)
		}
	}
	switch {
	case len(accounts) == 0:
		return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED,
			"this person has no Guildmart account: ask a member's owner or admin for an invitation, or send X-Storefront: <handle> to shop as a customer")
	case len(picked) == 0:
		return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED, "this person is not a user of member %q", member)
	case len(picked) > 1:
		labels := make([]string, len(picked))
		for i, a := range picked {
			labels[i] = label(a)
		}
		return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED,
			"this person has several accounts: send X-Member with one of %s", strings.Join(labels, ", "))
	}
	a := picked[0]
	if a.memberID == nil {
		return Principal{Kind: KindOperator, ConsortiumID: a.consortiumID, Role: RoleOperator, UserID: a.userID, IdentityID: identityID}, nil
	}
	if a.memberStatus != nil && *a.memberStatus == MemberSuspended {
		return Principal{}, apperr.Errorf(apperr.EUNAUTHENTICATED, "the member of this user is suspended")
	}
	return Principal{Kind: KindMember, ConsortiumID: a.consortiumID, MemberID: *a.memberID, Role: a.role,
		UserID: a.userID, IdentityID: identityID}, nil
}

// CustomerPrincipal turns a signed-in person at the storefront with handle into its
// customer there or, when it has not signed up at that storefront yet, a shopper that
// carries the identity (it may call SignUpCustomer). A storefront that is not ACTIVE, or
// whose member is suspended, is NOT_FOUND, as for ShopperOf.
func (s *Service) CustomerPrincipal(ctx context.Context, handle string, identityID uuid.UUID) (Principal, error) {
	var sfID, consortiumID, memberID uuid.UUID
	var customerID *uuid.UUID
	var status, memberStatus string
	err := s.pool.QueryRow(ctx, `SELECT storefront_id, consortium_id, member_id, customer_id, status, member_status FROM gm_customer_by_identity($1, $2)`,
		handle, identityID).Scan(&sfID, &consortiumID, &memberID, &customerID, &status, &memberStatus)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (status != "ACTIVE" || memberStatus != MemberActive)) {
		return Principal{}, apperr.NotFound("storefront")
	} else if err != nil {
		return Principal{}, err
	}
	p := Principal{Kind: KindShopper, ConsortiumID: consortiumID, MemberID: memberID, StorefrontID: sfID, IdentityID: identityID}
	if customerID != nil {
		p.Kind, p.CustomerID = KindCustomer, *customerID
	}
	return p, nil
}
