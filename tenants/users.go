package tenants

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants/identity"
	"github.com/jackc/pgx/v5"
)

// People is the identity provider behind users and customer sign-up: Ory Kratos through
// *identity.Client. Kratos says who a person is; the users and customers rows here decide
// what the person may do (nothing in Kratos' metadata is trusted for roles).
type People interface {
	// CreatePerson returns the identity with e-mail email, creating it without
	// credentials (the person sets a password through a recovery link).
	CreatePerson(ctx context.Context, email, name string) (uuid.UUID, error)
	// Person returns an identity's traits.
	Person(ctx context.Context, identityID uuid.UUID) (*identity.Person, error)
	// RecoveryLink returns a one-time link with which the person sets a password.
	RecoveryLink(ctx context.Context, identityID uuid.UUID) (string, error)
	// RevokeSessions ends every session of the person.
	RevokeSessions(ctx context.Context, identityID uuid.UUID) error
}

// WithPeople returns a copy of s whose people features (users, customer sign-up) use p.
func (s *Service) WithPeople(p People) *Service {
	c := *s
	c.people = p
	return &c
}

// People returns the identity provider given to WithPeople (nil when none).
func (s *Service) People() People { return s.people }

// CodeUnavailable is the error code of people features without an identity service.
const CodeUnavailable = "UNAVAILABLE"

// ErrPeopleNotConfigured answers people features when no identity service is configured.
var ErrPeopleNotConfigured = apperr.Errorf(CodeUnavailable,
	"identity service not configured: set KRATOS_PUBLIC_URL and KRATOS_ADMIN_URL (API keys work without it)")

// peopleErr maps the identity provider's "not configured" to ErrPeopleNotConfigured.
func peopleErr(err error) error {
	if errors.Is(err, identity.ErrNotConfigured) {
		return ErrPeopleNotConfigured
	}
	return err
}

func (s *Service) requirePeople() error {
	if s.people == nil {
		return ErrPeopleNotConfigured
	}
	return nil
}

// User statuses.
const (
	UserInvited = "INVITED" // invited, has not signed in yet
	UserActive  = "ACTIVE"
	UserRemoved = "REMOVED" // can no longer sign in for this member
)

// User is a person working for the operator (MemberID is uuid.Nil, role OPERATOR) or
// for a member (role OWNER, ADMIN, STAFF or SUPPLIER_OPS).
type User struct {
	ID           uuid.UUID
	ConsortiumID uuid.UUID
	MemberID     uuid.UUID
	Email        string
	Name         string
	Role         string
	Status       string
	IdentityID   uuid.UUID
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MemberRoles are the roles of a member's users.
var MemberRoles = []string{RoleOwner, RoleAdmin, RoleStaff, RoleSupplierOps}

// UserInvite is the input of InviteUser. A member owner or admin invites into its own
// member; the operator invites operator users (MemberID uuid.Nil, Role OPERATOR or "")
// or, with MemberID, a member's user (e.g. its first owner).
type UserInvite struct {
	MemberID uuid.UUID
	Email    string
	Name     string
	Role     string
}

// Validate checks the input and normalizes the e-mail.
func (in *UserInvite) Validate() error {
	email, emailErr := NormalizeEmail("email", in.Email)
	in.Email, in.Name = email, strings.TrimSpace(in.Name)
	var nameErr, roleErr error
	if len([]rune(in.Name)) > 200 {
		nameErr = apperr.Invalid("name", "must be at most 200 characters")
	}
	if in.MemberID == uuid.Nil {
		if in.Role != RoleOperator {
			roleErr = apperr.Invalid("role", "an operator user has role OPERATOR")
		}
	} else {
		roleErr = oneOf("role", in.Role, MemberRoles)
	}
	return errors.Join(emailErr, nameErr, roleErr)
}

const userCols = `id, consortium_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'), email, name, role, status,
	coalesce(identity_id, '00000000-0000-0000-0000-000000000000'), created_at, updated_at`

func scanUser(row pgx.Row) (*User, error) {
	var u User
	err := row.Scan(&u.ID, &u.ConsortiumID, &u.MemberID, &u.Email, &u.Name, &u.Role, &u.Status, &u.IdentityID, &u.CreatedAt, &u.UpdatedAt)
	return &u, err
}

// userFilter is the application-level wall beside RLS: $2 the member (NULL for the
// operator, who manages every user of its consortium).
const userFilter = `($2::uuid IS NULL OR member_id = $2)`

// InviteUser creates the person at the identity provider (or finds the one with that
// e-mail) and the user row, and returns the user with a one-time recovery link through
// which the person sets a password. Inviting again someone who has not signed in yet (or
// was removed) renews the invitation and returns a fresh link; an active user is a
// conflict. OWNER users are invited only by owners (or the operator).
func (s *Service) InviteUser(ctx context.Context, p Principal, in UserInvite) (*User, string, error) {
	if err := p.Require(FamilyUsers); err != nil {
		return nil, "", err
	}
	if p.Kind == KindMember {
		if in.MemberID != uuid.Nil && in.MemberID != p.MemberID {
			return nil, "", apperr.NotFound("member")
		}
		in.MemberID = p.MemberID
		if in.Role == RoleOwner && p.Role != RoleOwner {
			return nil, "", apperr.Forbidden("only an owner may invite owners")
		}
	} else if in.MemberID == uuid.Nil && in.Role == "" {
		in.Role = RoleOperator
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	if err := s.requirePeople(); err != nil {
		return nil, "", err
	}
	// Check what can fail here before creating anything at the identity provider.
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if in.MemberID != uuid.Nil {
			var status string
			err := tx.QueryRow(ctx, `SELECT status FROM members WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, in.MemberID).Scan(&status)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.NotFound("member")
			} else if err != nil {
				return err
			}
			if status == MemberSuspended {
				return apperr.Forbidden("the member is suspended")
			}
		}
		cur, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users
			WHERE consortium_id = $1 AND member_id IS NOT DISTINCT FROM $2 AND lower(email) = lower($3)`,
			p.ConsortiumID, nullID(in.MemberID, in.MemberID != uuid.Nil), in.Email))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		return checkReinvite(p, cur)
	})
	if err != nil {
		return nil, "", err
	}
	identityID, err := s.people.CreatePerson(ctx, in.Email, in.Name)
	if err != nil {
		return nil, "", peopleErr(err)
	}
	var u *User
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		// A pending or removed invitation is renewed in place (the e-mail is unique per
		// member); an active user is left alone (no row: checked below).
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users AS u (consortium_id, member_id, email, name, role, identity_id)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (consortium_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(email)) DO UPDATE
			   SET name = EXCLUDED.name, role = EXCLUDED.role, identity_id = EXCLUDED.identity_id, status = 'INVITED', updated_at = now()
			 WHERE u.status <> 'ACTIVE' AND (u.role <> 'OWNER' OR $7)
			RETURNING `+userCols, p.ConsortiumID, nullID(in.MemberID, in.MemberID != uuid.Nil), in.Email, in.Name, in.Role, identityID,
			p.IsOperator() || p.Role == RoleOwner))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Conflict("email", "%s is already an active user here", in.Email)
		}
		return err
	})
	if db.IsUniqueViolation(err, "users_identity_key") {
		return nil, "", apperr.Conflict("email", "this person is already a user here under another e-mail")
	}
	if err != nil {
		return nil, "", err
	}
	link, err := s.people.RecoveryLink(ctx, identityID)
	if err != nil {
		// The user exists; inviting again returns a new link.
		return u, "", peopleErr(err)
	}
	return u, link, nil
}

// checkReinvite decides whether an existing user row may be invited again by p.
func checkReinvite(p Principal, cur *User) error {
	if cur.Status == UserActive {
		return apperr.Conflict("email", "%s is already an active user here", cur.Email)
	}
	if cur.Role == RoleOwner && p.Kind == KindMember && p.Role != RoleOwner {
		return apperr.Forbidden("only an owner may renew an owner's invitation")
	}
	return nil
}

// RemoveUser marks a user REMOVED and ends every session of the person at the identity
// provider, so the person's current sessions stop working at once (its other accounts
// included: it signs in again). Removing a removed user does it again. Members remove
// their own users (owners only by owners); the operator removes any user of its
// consortium. Nobody removes themselves.
func (s *Service) RemoveUser(ctx context.Context, p Principal, id uuid.UUID) (*User, error) {
	if err := p.Require(FamilyUsers); err != nil {
		return nil, err
	}
	if p.UserID != uuid.Nil && p.UserID == id {
		return nil, apperr.Forbidden("you cannot remove yourself; ask another owner or admin")
	}
	var u *User
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		cur, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE consortium_id = $1 AND `+userFilter+` AND id = $3 FOR UPDATE`,
			p.ConsortiumID, nullID(p.MemberID, p.Kind == KindMember), id))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("user")
		} else if err != nil {
			return err
		}
		if cur.Role == RoleOwner && p.Kind == KindMember && p.Role != RoleOwner {
			return apperr.Forbidden("only an owner may remove an owner")
		}
		if u, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET status = 'REMOVED', updated_at = now()
			WHERE consortium_id = $1 AND id = $2 RETURNING `+userCols, p.ConsortiumID, id)); err != nil {
			return err
		}
		// Revoke before committing: if the identity provider fails, nothing changes and
		// the caller retries. (Sign-in also ignores removed users, so a session that
		// slipped through would map to nothing.)
		if u.IdentityID == uuid.Nil || s.people == nil {
			return nil
		}
		if err := s.people.RevokeSessions(ctx, u.IdentityID); err != nil && !errors.Is(err, identity.ErrNotConfigured) {
			return err
		}
		return nil
	})
	return u, err
}

// UserFilter narrows FindUsers.
type UserFilter struct {
	// MemberID is the member whose users to list: a member's own (uuid.Nil means its
	// own); for the operator, uuid.Nil lists operator users.
	MemberID uuid.UUID
	Status   string // "" for all
	Page
}

// FindUsers lists users by e-mail, a page at a time (member owners and admins, the
// operator).
func (s *Service) FindUsers(ctx context.Context, p Principal, f UserFilter) (us []*User, hasNext bool, err error) {
	if err := p.Require(FamilyUsers); err != nil {
		return nil, false, err
	}
	if p.Kind == KindMember {
		if f.MemberID != uuid.Nil && f.MemberID != p.MemberID {
			return nil, false, apperr.NotFound("member")
		}
		f.MemberID = p.MemberID
	}
	if f.Status != "" {
		if err := oneOf("status", f.Status, []string{UserInvited, UserActive, UserRemoved}); err != nil {
			return nil, false, err
		}
	}
	limit := f.Limit()
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userCols+` FROM users
			WHERE consortium_id = $1 AND member_id IS NOT DISTINCT FROM $2 AND ($3 = '' OR status = $3) AND lower(email) > $4
			ORDER BY lower(email) LIMIT $5`,
			p.ConsortiumID, nullID(f.MemberID, f.MemberID != uuid.Nil), f.Status, strings.ToLower(f.After), limit+1)
		if err != nil {
			return err
		}
		us, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*User, error) { return scanUser(r) })
		return err
	})
	if len(us) > limit {
		us, hasNext = us[:limit], true
	}
	return us, hasNext, err
}

// UserByID returns a user the caller manages, or the signed-in caller itself.
func (s *Service) UserByID(ctx context.Context, p Principal, id uuid.UUID) (*User, error) {
	self := p.UserID != uuid.Nil && p.UserID == id
	if !self {
		if err := p.Require(FamilyUsers); err != nil {
			return nil, apperr.NotFound("user")
		}
	}
	var u *User
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE consortium_id = $1 AND `+userFilter+` AND id = $3`,
			p.ConsortiumID, nullID(p.MemberID, p.Kind == KindMember), id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("user")
	}
	return u, err
}
