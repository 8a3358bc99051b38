package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/guildmart/guildmart/tenants"
)

// loaderSet holds one request's loaders, created on first use. Being per request, they
// are per principal: a batch never mixes callers, and the domain re-checks visibility.
type loaderSet struct {
	mu  sync.Mutex
	m   map[string]any
	svc Services
}

func withLoaders(ctx context.Context, svc Services) context.Context {
	return context.WithValue(ctx, loadersKey, &loaderSet{m: map[string]any{}, svc: svc})
}

// batchFunc returns one value per key, in key order (zero value where not visible).
type batchFunc[K comparable, V any] func(ctx context.Context, keys []K) ([]V, error)

// loader returns the request's loader called name, creating it with batch.
func loader[K comparable, V any](ctx context.Context, name string, batch batchFunc[K, V]) *dataloader.Loader[K, V] {
	ls, _ := ctx.Value(loadersKey).(*loaderSet)
	if ls == nil {
		ls = &loaderSet{m: map[string]any{}}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l, ok := ls.m[name].(*dataloader.Loader[K, V]); ok {
		return l
	}
	l := dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		vals, err := batch(ctx, keys)
		out := make([]*dataloader.Result[V], len(keys))
		for i := range keys {
			r := &dataloader.Result[V]{Error: err}
			if err == nil {
				r.Data = vals[i]
			}
			out[i] = r
		}
		return out
	}, dataloader.WithWait[K, V](3*time.Millisecond), dataloader.WithBatchCapacity[K, V](1000))
	ls.m[name] = l
	return l
}

func loadMember(ctx context.Context, svc Services, id uuid.UUID) (*tenants.Member, error) {
	return loader(ctx, "member", func(ctx context.Context, ids []uuid.UUID) ([]*tenants.Member, error) {
		return svc.Tenants.MembersByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadStorefront(ctx context.Context, svc Services, id uuid.UUID) (*tenants.Storefront, error) {
	return loader(ctx, "storefront", func(ctx context.Context, ids []uuid.UUID) ([]*tenants.Storefront, error) {
		return svc.Tenants.StorefrontsByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadMemberStorefronts(ctx context.Context, svc Services, memberID uuid.UUID) ([]*tenants.Storefront, error) {
	return loader(ctx, "memberStorefronts", func(ctx context.Context, ids []uuid.UUID) ([][]*tenants.Storefront, error) {
		return svc.Tenants.StorefrontsOfMembers(ctx, principal(ctx), ids)
	}).Load(ctx, memberID)()
}
