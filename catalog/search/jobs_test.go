package search_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// recordingEnqueuer records what would be enqueued.
type recordingEnqueuer struct{ args []search.IndexOffers }

func (e *recordingEnqueuer) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	e.args = append(e.args, args.(search.IndexOffers))
	return &rivertype.JobInsertResult{}, nil
}

func TestEnqueueIndex(t *testing.T) {
	t.Parallel()
	cid := uuid.New()
	t.Run("OKSplitsLongLists", func(t *testing.T) {
		ids := make([]uuid.UUID, 2*search.MaxOffersPerJob+7)
		for i := range ids {
			ids[i] = uuid.New()
		}
		e := &recordingEnqueuer{}
		if err := search.EnqueueIndex(context.Background(), nil, e, cid, ids...); err != nil {
			t.Fatal(err)
		}
		if len(e.args) != 3 || len(e.args[0].OfferIDs) != search.MaxOffersPerJob || len(e.args[2].OfferIDs) != 7 ||
			e.args[2].OfferIDs[6] != ids[len(ids)-1] || e.args[1].ConsortiumID != cid {
			t.Errorf("jobs = %d (%+v)", len(e.args), e.args)
		}
	})
	t.Run("OKNothing", func(t *testing.T) {
		e := &recordingEnqueuer{}
		if err := search.EnqueueIndex(context.Background(), nil, e, cid); err != nil || len(e.args) != 0 {
			t.Errorf("err %v, jobs %d", err, len(e.args))
		}
	})
	t.Run("OKSupplier", func(t *testing.T) {
		e := &recordingEnqueuer{}
		sup := uuid.New()
		if err := search.EnqueueIndexSupplier(context.Background(), nil, e, cid, sup); err != nil {
			t.Fatal(err)
		}
		if len(e.args) != 1 || e.args[0].SupplierID != sup || len(e.args[0].OfferIDs) != 0 {
			t.Errorf("jobs = %+v", e.args)
		}
	})
}

// runJob starts a River client with the search worker over s, lets enqueue add jobs in
// one transaction, and waits until they are completed.
func runJob(t *testing.T, d *pgtest.DB, s search.Searcher, cid uuid.UUID, enqueue func(tx pgx.Tx, c *river.Client[pgx.Tx]) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := jobs.New(d.App, jobs.Options{Work: true, Registrations: []jobs.Registration{search.Jobs(s)}})
	if err != nil {
		t.Fatal(err)
	}
	events, stop := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer stop()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(context.Background()) }()
	scope := tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: cid}.Scope()
	if err := db.InTx(ctx, d.App, scope, func(tx pgx.Tx) error { return enqueue(tx, client) }); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Kind != river.EventKindJobCompleted {
			t.Fatalf("job %s: %v", ev.Kind, ev.Job.Errors)
		}
	case <-ctx.Done():
		t.Fatal("the index job did not complete")
	}
}

func TestIndexJob(t *testing.T) {
	t.Parallel()
	t.Run("OKIndexesTheChangedOffer", func(t *testing.T) {
		t.Parallel()
		d := pgtest.New(t)
		w := searchtest.NewWorld(t, d)
		s := search.NewPostgres(d.App)
		if _, err := s.Reindex(context.Background(), w.ConsortiumID); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Owner.Exec(context.Background(), `UPDATE offers SET title = 'Walnut Serving Board' WHERE id = $1`, w.Offers["board"]); err != nil {
			t.Fatal(err)
		}
		runJob(t, d, s, w.ConsortiumID, func(tx pgx.Tx, c *river.Client[pgx.Tx]) error {
			return search.EnqueueIndex(context.Background(), tx, c, w.ConsortiumID, w.Offers["board"])
		})
		res, err := s.Search(context.Background(), w.Member("shop1"), search.Query{Text: "walnut"})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].OfferID != w.Offers["board"] {
			t.Errorf("after the job: %+v, %v", res, err)
		}
	})
	t.Run("OKCallsTheBackend", func(t *testing.T) {
		t.Parallel()
		d := pgtest.New(t)
		f := &fakeSearcher{}
		cid, offer, sup := uuid.New(), uuid.New(), uuid.New()
		runJob(t, d, f, cid, func(tx pgx.Tx, c *river.Client[pgx.Tx]) error {
			_, err := c.InsertTx(context.Background(), tx, search.IndexOffers{ConsortiumID: cid, OfferIDs: []uuid.UUID{offer}, SupplierID: sup}, nil)
			return err
		})
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.indexed) != 1 || f.indexed[0] != offer || len(f.suppliers) != 1 || f.suppliers[0] != sup || f.cid != cid {
			t.Errorf("backend saw offers %v suppliers %v consortium %v", f.indexed, f.suppliers, f.cid)
		}
	})
}

// fakeSearcher records what the worker asks of the backend.
type fakeSearcher struct {
	mu                 sync.Mutex
	cid                uuid.UUID
	indexed, suppliers []uuid.UUID
}

func (f *fakeSearcher) Search(context.Context, tenants.Principal, search.Query) (*search.Result, error) {
	return &search.Result{}, nil
}
func (f *fakeSearcher) Index(_ context.Context, cid uuid.UUID, ids ...uuid.UUID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cid, f.indexed = cid, append(f.indexed, ids...)
	return nil
}
func (f *fakeSearcher) IndexSuppliers(_ context.Context, _ uuid.UUID, ids ...uuid.UUID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.suppliers = append(f.suppliers, ids...)
	return nil
}
func (f *fakeSearcher) Reindex(context.Context, uuid.UUID) (int, error) { return 0, nil }
func (f *fakeSearcher) Backend() string                                 { return "fake" }
