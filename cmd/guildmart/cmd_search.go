package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const searchUsage = "search: usage: guildmart search reindex [--consortium HANDLE]"

// searcher is the process's search backend (PostgreSQL, or Meilisearch when MEILI_URL is
// set), set once the app is wired; the IndexOffers worker is registered before and
// reaches it through lazySearcher.
var searcher atomic.Pointer[searchBox]

type searchBox struct{ s search.Searcher }

func init() {
	jobs.Register(search.Jobs(lazySearcher{}))
	wireHooks = append(wireHooks, func(_ context.Context, env *Env, a *app) error {
		s := search.Open(a.pool, env.Config.MeiliURL, env.Config.MeiliKey)
		searcher.Store(&searchBox{s})
		a.svc.Search = s
		return nil
	})
	register("search", "search index: search reindex [--consortium HANDLE] rebuilds it from the catalog", func(ctx context.Context, env *Env) error {
		if len(env.Args) == 0 || env.Args[0] != "reindex" {
			return errors.New(searchUsage)
		}
		fs := flag.NewFlagSet("search reindex", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		consortium := fs.String("consortium", "", "consortium handle (default: every consortium)")
		if err := fs.Parse(env.Args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errors.New(searchUsage)
		}
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		pool, err := openPool(ctx, dbs.AppURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		return reindex(ctx, env, pool, search.Open(pool, env.Config.MeiliURL, env.Config.MeiliKey), *consortium)
	})
}

// reindex rebuilds the index of one consortium (by handle) or of all of them.
func reindex(ctx context.Context, env *Env, pool *pgxpool.Pool, s search.Searcher, handle string) error {
	rows, err := pool.Query(ctx, `SELECT consortium_id, handle FROM gm_consortium_by_handle($1)`, handle)
	if err != nil {
		return err
	}
	type consortium struct {
		ID     uuid.UUID
		Handle string
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[consortium])
	if err != nil {
		return err
	}
	if len(cs) == 0 && handle != "" {
		return fmt.Errorf("no consortium %q", handle)
	}
	for _, c := range cs {
		start := time.Now()
		n, err := s.Reindex(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("reindex %s: %w", c.Handle, err)
		}
		fmt.Fprintf(env.Stdout, "%s: %d searchable offers indexed (%s) in %s\n", c.Handle, n, s.Backend(), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// lazySearcher is the searcher of the wired app, for workers registered before it exists.
type lazySearcher struct{}

func (lazySearcher) get() (search.Searcher, error) {
	if b := searcher.Load(); b != nil {
		return b.s, nil
	}
	return nil, errors.New("search backend not wired yet")
}

func (l lazySearcher) Search(ctx context.Context, p tenants.Principal, q search.Query) (*search.Result, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.Search(ctx, p, q)
}

func (l lazySearcher) Index(ctx context.Context, consortiumID uuid.UUID, offerIDs ...uuid.UUID) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Index(ctx, consortiumID, offerIDs...)
}

func (l lazySearcher) IndexSuppliers(ctx context.Context, consortiumID uuid.UUID, supplierIDs ...uuid.UUID) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.IndexSuppliers(ctx, consortiumID, supplierIDs...)
}

func (l lazySearcher) Reindex(ctx context.Context, consortiumID uuid.UUID) (int, error) {
	s, err := l.get()
	if err != nil {
		return 0, err
	}
	return s.Reindex(ctx, consortiumID)
}

func (l lazySearcher) Backend() string {
	if s, err := l.get(); err == nil {
		return s.Backend()
	}
	return "unwired"
}
