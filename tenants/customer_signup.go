package tenants

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// CustomerSignUp is the input of SignUpCustomer. The e-mail is the person's, from the
// identity provider, never from the client.
type CustomerSignUp struct {
	Name    string // default: the person's name
	Company string
	Kind    string // CONSUMER (default) or BUSINESS
}

// SignUpCustomer makes the signed-in person (a shopper carrying an identity: session plus
// X-Storefront) a customer of that storefront, linked to its identity. The same person at
// two storefronts is two customers. A customer the storefront created earlier with the
// same e-mail is claimed only when the person has verified that address; otherwise the
// e-mail is a conflict. Signing up again returns the customer.
func (s *Service) SignUpCustomer(ctx context.Context, p Principal, in CustomerSignUp) (*Customer, error) {
	switch {
	case p.IdentityID == uuid.Nil || (p.Kind != KindShopper && p.Kind != KindCustomer):
		return nil, apperr.Forbidden("sign in (Ory Kratos session) and send X-Storefront: <handle> to sign up as a customer")
	case p.Kind == KindCustomer:
		return s.SignedInCustomer(ctx, p)
	}
	if err := s.requirePeople(); err != nil {
		return nil, err
	}
	person, err := s.people.Person(ctx, p.IdentityID)
	if err != nil {
		return nil, peopleErr(err)
	}
	if in.Name == "" {
		in.Name = person.Name
	}
	cc := CustomerCreate{Email: person.Email, Name: in.Name, Company: in.Company, Kind: in.Kind}
	if err := cc.Validate(); err != nil {
		return nil, err
	}
	// The storefront's scope, not the shopper's: sign-up must see an earlier customer with
	// the same e-mail, which a shopper cannot read. Only the rows of this storefront and
	// this identity are touched.
	sf := Principal{Kind: KindStorefront, ConsortiumID: p.ConsortiumID, MemberID: p.MemberID, StorefrontID: p.StorefrontID}
	var c *Customer
	err = db.InTx(ctx, s.pool, sf.Scope(), func(tx pgx.Tx) error {
		var linked *uuid.UUID
		var id uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id, identity_id FROM customers WHERE storefront_id = $1 AND consortium_id = $2 AND lower(email) = lower($3) FOR UPDATE`,
			p.StorefrontID, p.ConsortiumID, cc.Email).Scan(&id, &linked)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			c, err = scanCustomer(tx.QueryRow(ctx, `INSERT INTO customers (storefront_id, consortium_id, member_id, email, name, company, kind, identity_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+customerCols,
				p.StorefrontID, p.ConsortiumID, p.MemberID, cc.Email, cc.Name, cc.Company, cc.Kind, p.IdentityID))
			return err
		case err != nil:
			return err
		case linked != nil && *linked == p.IdentityID:
		case linked != nil:
			return apperr.Conflict("email", "this storefront already has a customer with e-mail %s", cc.Email)
		case !person.EmailVerified:
			return apperr.Conflict("email", "this storefront already has a customer with e-mail %s: verify the address (Ory Kratos verification flow) to take it over", cc.Email)
		default:
			if _, err := tx.Exec(ctx, `UPDATE customers SET identity_id = $3, updated_at = now() WHERE storefront_id = $1 AND id = $2`,
				p.StorefrontID, id, p.IdentityID); err != nil {
				return err
			}
		}
		c, err = scanCustomer(tx.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE storefront_id = $1 AND id = $2`, p.StorefrontID, id))
		return err
	})
	if db.IsUniqueViolation(err, "customers_identity_key") || db.IsUniqueViolation(err, "customers_email_key") {
		return nil, apperr.Conflict("email", "this storefront already has a customer with e-mail %s", cc.Email)
	}
	return c, err
}

// SignedInCustomer returns the customer a customer principal is.
func (s *Service) SignedInCustomer(ctx context.Context, p Principal) (*Customer, error) {
	if p.Kind != KindCustomer {
		return nil, apperr.NotFound("customer")
	}
	var c *Customer
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		c, err = scanCustomer(tx.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE storefront_id = $1 AND id = $2 AND consortium_id = $3`,
			p.StorefrontID, p.CustomerID, p.ConsortiumID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("customer")
	}
	return c, err
}
