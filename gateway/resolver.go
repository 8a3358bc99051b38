package gateway

import (
	"context"
	"encoding/base64"
	"sync"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

// Resolver is the root resolver; each area adds its fields' methods in its own file.
type Resolver struct {
	svc Services
}

// nodeFetcher loads the node of one kind by UUID, as the resolver of its GraphQL type.
type nodeFetcher func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error)

var (
	nodeMu       sync.Mutex
	nodeFetchers = map[string]nodeFetcher{}
)

// registerNode makes node(id:) resolve global IDs of kind; areas call it from init.
func registerNode(kind string, f nodeFetcher) {
	nodeMu.Lock()
	defer nodeMu.Unlock()
	nodeFetchers[kind] = f
}

// nodeResolver wraps the resolver of a concrete type; areas add To<Type> methods.
type nodeResolver struct{ v any }

func (n *nodeResolver) ID() graphql.ID {
	if i, ok := n.v.(interface{ ID() graphql.ID }); ok {
		return i.ID()
	}
	return ""
}

// Node resolves any global ID the caller may see; unknown, malformed and invisible IDs
// are all null, so existence never leaks across tenants.
func (r *Resolver) Node(ctx context.Context, args struct{ ID graphql.ID }) (*nodeResolver, error) {
	if _, err := authenticated(ctx); err != nil {
		return nil, err
	}
	kind, id, ok := ids.Parse(string(args.ID))
	if !ok {
		return nil, nil
	}
	nodeMu.Lock()
	f := nodeFetchers[kind]
	nodeMu.Unlock()
	if f == nil {
		return nil, nil
	}
	v, err := f(ctx, r, id)
	if apperr.Code(err) == apperr.ENOTFOUND || apperr.Code(err) == apperr.EFORBIDDEN {
		return nil, nil
	}
	if err != nil || v == nil {
		return nil, gqlError(ctx, err)
	}
	return &nodeResolver{v: v}, nil
}

// Noop is the placeholder root mutation field.
func (r *Resolver) Noop() *bool { return nil }

// parseID reads a global ID of kind from an argument, as a userError-able error.
func parseID(field string, gid graphql.ID, kind string) (uuid.UUID, error) {
	id, ok := ids.ParseKind(string(gid), kind)
	if !ok {
		return uuid.Nil, apperr.Invalid(field, "is not a valid %s ID", kind)
	}
	return id, nil
}

// optID parses an optional global ID (uuid.Nil when absent).
func optID(field string, gid *graphql.ID, kind string) (uuid.UUID, error) {
	if gid == nil {
		return uuid.Nil, nil
	}
	return parseID(field, *gid, kind)
}

// moneyResolver is the Money type.
type moneyResolver struct{ m money.Money }

func newMoney(amount int64, currency string) *moneyResolver {
	return &moneyResolver{money.Money{Amount: amount, Currency: currency}}
}
func (m *moneyResolver) Amount() string       { return m.m.String() }
func (m *moneyResolver) CurrencyCode() string { return m.m.Currency }

// pageInfo is the Relay PageInfo type.
type pageInfo struct {
	hasNext bool
	end     string
}

func (p pageInfo) HasNextPage() bool { return p.hasNext }
func (p pageInfo) EndCursor() *string {
	if p.end == "" {
		return nil
	}
	return &p.end
}

// Cursors are opaque: base64url of the keyset value.
func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCursor(c *string) (string, error) {
	if c == nil || *c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*c)
	if err != nil {
		return "", apperr.Invalid("after", "is not a valid cursor")
	}
	return string(b), nil
}

func pageArgs(first *int32, after *string) (tenants.Page, error) {
	p := tenants.Page{}
	if first != nil {
		if *first < 0 {
			return p, apperr.Invalid("first", "must not be negative")
		}
		p.First = int(*first)
	}
	a, err := decodeCursor(after)
	p.After = a
	return p, err
}
