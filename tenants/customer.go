package tenants

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// Customer is a shop or consumer of exactly one storefront.
type Customer struct {
	ID           uuid.UUID
	StorefrontID uuid.UUID
	Email        string
	Name         string
	Company      string
	Kind         string // CONSUMER or BUSINESS
	CreatedAt    time.Time
}

// CustomerCreate is the input of CreateCustomer.
type CustomerCreate struct {
	StorefrontID uuid.UUID // required for a member; implied for storefront principals
	Email        string
	Name         string
	Company      string
	Kind         string // default CONSUMER
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input and normalizes the e-mail.
func (in *CustomerCreate) Validate() error {
	if in.Kind == "" {
		in.Kind = "CONSUMER"
	}
	email, emailErr := NormalizeEmail("email", in.Email)
	in.Email = email
	var errs = []error{emailErr, oneOf("kind", in.Kind, []string{"CONSUMER", "BUSINESS"})}
	if len([]rune(in.Name)) > 200 {
		errs = append(errs, apperr.Invalid("name", "must be at most 200 characters"))
	}
	if len([]rune(in.Company)) > 200 {
		errs = append(errs, apperr.Invalid("company", "must be at most 200 characters"))
	}
	if in.Kind == "BUSINESS" && strings.TrimSpace(in.Company) == "" {
		errs = append(errs, apperr.Invalid("company", "a business customer needs a company name"))
	}
	return errors.Join(errs...)
}

const customerCols = `id, storefront_id, email, name, company, kind, created_at`

func scanCustomer(row pgx.Row) (*Customer, error) {
	var c Customer
	err := row.Scan(&c.ID, &c.StorefrontID, &c.Email, &c.Name, &c.Company, &c.Kind, &c.CreatedAt)
	return &c, err
}

// customerStorefront decides which storefront a customer operation is about: a
// storefront principal's own, or one of the calling member's.
func customerStorefront(p Principal, requested uuid.UUID) (uuid.UUID, error) {
	switch p.Kind {
	case KindStorefront:
		if requested != uuid.Nil && requested != p.StorefrontID {
			return uuid.Nil, apperr.NotFound("storefront")
		}
		return p.StorefrontID, nil
	case KindMember:
		if !p.CanSell() {
			return uuid.Nil, apperr.Forbidden("supplier-ops users cannot manage customers")
		}
		if requested == uuid.Nil {
			return uuid.Nil, apperr.Invalid("storefrontId", "is required")
		}
		return requested, nil
	}
	return uuid.Nil, apperr.Forbidden("only a storefront or its member may manage customers")
}

// CreateCustomer adds a customer to a storefront. E-mails are unique per storefront only.
func (s *Service) CreateCustomer(ctx context.Context, p Principal, in CustomerCreate) (*Customer, error) {
	sfID, err := customerStorefront(p, in.StorefrontID)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c *Customer
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var memberID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT member_id FROM storefronts WHERE consortium_id = $1 AND id = $2 AND `+storefrontFilter,
			p.ConsortiumID, sfID, p.OwnMemberID(), p.StorefrontID, false).Scan(&memberID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("storefront")
		} else if err != nil {
			return err
		}
		id, replay, err := db.Idempotent(ctx, tx, p.Scope(), "customerCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			var err error
			c, err = scanCustomer(tx.QueryRow(ctx, `INSERT INTO customers (storefront_id, consortium_id, member_id, email, name, company, kind)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+customerCols, sfID, p.ConsortiumID, memberID, in.Email, in.Name, in.Company, in.Kind))
			return c.ID, err
		})
		if err == nil && replay {
			c, err = scanCustomer(tx.QueryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE storefront_id = $1 AND id = $2`, sfID, id))
		}
		return err
	})
	if db.IsUniqueViolation(err, "customers_email_key") {
		return nil, apperr.Conflict("email", "this storefront already has a customer with that e-mail")
	}
	return c, err
}

// FindCustomers lists a storefront's customers by e-mail, a page at a time.
func (s *Service) FindCustomers(ctx context.Context, p Principal, storefrontID uuid.UUID, pg Page) (cs []*Customer, hasNext bool, err error) {
	sfID, err := customerStorefront(p, storefrontID)
	if err != nil {
		return nil, false, err
	}
	limit := pg.Limit()
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM storefronts WHERE consortium_id = $1 AND id = $2 AND `+storefrontFilter+`)`,
			p.ConsortiumID, sfID, p.OwnMemberID(), p.StorefrontID, false).Scan(&mine); err != nil {
			return err
		}
		if !mine {
			return apperr.NotFound("storefront")
		}
		rows, err := tx.Query(ctx, `SELECT `+customerCols+` FROM customers
			WHERE storefront_id = $1 AND consortium_id = $2 AND ($3::uuid IS NULL OR member_id = $3) AND lower(email) > $4
			ORDER BY lower(email) LIMIT $5`, sfID, p.ConsortiumID, nullID(p.MemberID, p.Kind == KindMember), strings.ToLower(pg.After), limit+1)
		if err != nil {
			return err
		}
		cs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Customer, error) { return scanCustomer(r) })
		return err
	})
	if len(cs) > limit {
		cs, hasNext = cs[:limit], true
	}
	return cs, hasNext, err
}

func nullID(id uuid.UUID, use bool) *uuid.UUID {
	if !use {
		return nil
	}
	return &id
}
