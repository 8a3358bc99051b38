package tenants

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// APIKey is a machine credential. Its secret is shown once, at creation; only a SHA-256
// hash is stored.
type APIKey struct {
	ID           uuid.UUID
	Name         string
	Prefix       string
	Role         string
	MemberID     uuid.UUID
	StorefrontID uuid.UUID
	CreatedAt    time.Time
	RevokedAt    *time.Time
	LastUsedAt   *time.Time
}

// APIKeyCreate is the input of CreateAPIKey. An operator creates OPERATOR keys; a member
// owner or admin creates keys for its member (role ADMIN, STAFF or SUPPLIER_OPS; OWNER
// only by an owner) or, with StorefrontID, a STOREFRONT key for one of its storefronts.
type APIKeyCreate struct {
	Name         string
	Role         string
	StorefrontID uuid.UUID
}

const keyAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// newSecret returns "gm_" and 43 random characters (about 250 bits).
func newSecret() (string, error) {
	b := make([]byte, 43)
	max := big.NewInt(int64(len(keyAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = keyAlphabet[n.Int64()]
	}
	return "gm_" + string(b), nil
}

// HashSecret is how secrets are stored and looked up.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

const apiKeyCols = `id, name, prefix, role, coalesce(member_id, '00000000-0000-0000-0000-000000000000'), coalesce(storefront_id, '00000000-0000-0000-0000-000000000000'), created_at, revoked_at, last_used_at`

func scanAPIKey(row pgx.Row) (*APIKey, error) {
	var k APIKey
	err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.Role, &k.MemberID, &k.StorefrontID, &k.CreatedAt, &k.RevokedAt, &k.LastUsedAt)
	return &k, err
}

// CreateAPIKey makes a key and returns it with its secret, which is never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, p Principal, in APIKeyCreate) (*APIKey, string, error) {
	if len([]rune(in.Name)) > 200 {
		return nil, "", apperr.Invalid("name", "must be at most 200 characters")
	}
	var memberID, storefrontID *uuid.UUID
	switch {
	case p.IsOperator():
		if in.Role == "" {
			in.Role = RoleOperator
		}
		if in.Role != RoleOperator || in.StorefrontID != uuid.Nil {
			return nil, "", apperr.Invalid("role", "the operator creates OPERATOR keys; members create their own keys")
		}
	case p.Kind == KindMember:
		if err := p.RequireManager(); err != nil {
			return nil, "", err
		}
		memberID = &p.MemberID
		if in.StorefrontID != uuid.Nil {
			if in.Role != "" && in.Role != RoleStorefront {
				return nil, "", apperr.Invalid("role", "a key for a storefront has role STOREFRONT")
			}
			in.Role, storefrontID = RoleStorefront, &in.StorefrontID
		} else {
			if in.Role == "" {
				in.Role = RoleStaff
			}
			if err := oneOf("role", in.Role, []string{RoleOwner, RoleAdmin, RoleStaff, RoleSupplierOps}); err != nil {
				return nil, "", err
			}
			if in.Role == RoleOwner && p.Role != RoleOwner {
				return nil, "", apperr.Forbidden("only an owner may create OWNER keys")
			}
		}
	default:
		return nil, "", apperr.Forbidden("only the operator or a member owner or admin may create API keys")
	}
	secret, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	var k *APIKey
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if storefrontID != nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM storefronts WHERE consortium_id = $1 AND id = $2 AND member_id = $3)`,
				p.ConsortiumID, *storefrontID, p.MemberID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return apperr.NotFound("storefront")
			}
		}
		var err error
		k, err = scanAPIKey(tx.QueryRow(ctx, `INSERT INTO api_keys (consortium_id, member_id, storefront_id, role, name, prefix, secret_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+apiKeyCols,
			p.ConsortiumID, memberID, storefrontID, in.Role, in.Name, secret[:10], HashSecret(secret)))
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// RevokeAPIKey revokes a key the caller manages; using it afterwards is UNAUTHENTICATED.
func (s *Service) RevokeAPIKey(ctx context.Context, p Principal, id uuid.UUID) (*APIKey, error) {
	if !p.IsOperator() {
		if err := p.RequireManager(); err != nil {
			return nil, err
		}
	}
	var k *APIKey
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		k, err = scanAPIKey(tx.QueryRow(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
			WHERE consortium_id = $1 AND id = $2 AND (member_id = $3 OR ($4 AND member_id IS NULL)) RETURNING `+apiKeyCols,
			p.ConsortiumID, id, nullID(p.MemberID, p.Kind == KindMember), p.IsOperator()))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("API key")
	}
	return k, err
}

// APIKeys lists the keys the caller manages, newest first.
func (s *Service) APIKeys(ctx context.Context, p Principal) ([]*APIKey, error) {
	if !p.IsOperator() && !p.CanManage() {
		return nil, apperr.Forbidden("only the operator or a member owner or admin may list API keys")
	}
	var ks []*APIKey
	err := db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+apiKeyCols+` FROM api_keys
			WHERE consortium_id = $1 AND (member_id = $2 OR ($3 AND member_id IS NULL)) ORDER BY created_at DESC`,
			p.ConsortiumID, nullID(p.MemberID, p.Kind == KindMember), p.IsOperator())
		if err != nil {
			return err
		}
		ks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*APIKey, error) { return scanAPIKey(r) })
		return err
	})
	return ks, err
}
