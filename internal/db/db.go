// Package db opens the connection pool and runs each unit of work in one transaction
// whose first statement sets the caller's tenant scope for row-level security.
package db

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Roles written to app.role; the RLS policies in schema/migrations read them.
const (
	RoleOperator   = "operator"
	RoleMember     = "member"
	RoleStorefront = "storefront" // a storefront's back office (API key scoped to it)
	RoleShopper    = "shopper"    // anonymous visitor of one storefront
	RoleCustomer   = "customer"   // a signed-in customer of one storefront
	RoleSystem     = "system"     // workers and CLI acting for the whole consortium
)

// Scope is what the policies see of the caller. Zero fields are unset and match nothing.
type Scope struct {
	ConsortiumID uuid.UUID
	MemberID     uuid.UUID
	StorefrontID uuid.UUID
	CustomerID   uuid.UUID
	Role         string
}

func str(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

const setScopeSQL = `SELECT set_config('app.consortium_id', $1, true), set_config('app.member_id', $2, true),
	set_config('app.storefront_id', $3, true), set_config('app.customer_id', $4, true), set_config('app.role', $5, true)`

// Apply sets the scope on tx for the rest of the transaction.
func (s Scope) Apply(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, setScopeSQL, str(s.ConsortiumID), str(s.MemberID), str(s.StorefrontID), str(s.CustomerID), s.Role)
	return err
}

// Pool is the application's connection pool.
type Pool = pgxpool.Pool

// Open connects a pool to url with the given tracer (nil for none) and pings it.
func Open(ctx context.Context, url string, tracer pgx.QueryTracer) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	// Row-level security inflates plan cost estimates, which makes PostgreSQL JIT-compile
	// short OLTP queries (seconds of compile for milliseconds of work); our queries gain
	// nothing from JIT.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerUUID(c.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// InTx runs fn in one transaction scoped to s; fn's error rolls everything back, so an
// operation either happens whole or not at all.
func InTx(ctx context.Context, pool *pgxpool.Pool, s Scope, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := s.Apply(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// InReadTx is InTx for read-only work.
func InReadTx(ctx context.Context, pool *pgxpool.Pool, s Scope, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := s.Apply(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// IsUniqueViolation reports whether err is a unique violation on the named constraint
// (any constraint when name is "").
func IsUniqueViolation(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (name == "" || pe.ConstraintName == name)
}

// IsForeignKeyViolation reports whether err is a foreign key violation on the named
// constraint (any constraint when name is "").
func IsForeignKeyViolation(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503" && (name == "" || pe.ConstraintName == name)
}

// IsCheckViolation reports whether err is a check or RLS WITH CHECK violation.
func IsCheckViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23514" || pe.Code == "42501")
}

// QueryCounter is a pgx tracer that counts statements; tests use it to prove there is
// no N+1 and benchmarks report statements per request.
type QueryCounter struct{ n atomic.Int64 }

// TraceQueryStart implements pgx.QueryTracer.
func (c *QueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (c *QueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Count returns the number of statements so far.
func (c *QueryCounter) Count() int64 { return c.n.Load() }

// Reset sets the count to zero.
func (c *QueryCounter) Reset() { c.n.Store(0) }
