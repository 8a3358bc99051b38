package search

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// IndexOffers is the job that brings the search index up to date for offers that changed
// (catalog's OffersChangedArgs, kind "catalog_offers_changed": catalog enqueues it without
// depending on this package). SupplierID set means every offer of the supplier: its
// profile or one of its agreements changed who may see them and at which price.
type IndexOffers = catalog.OffersChangedArgs

// MaxOffersPerJob bounds one job's offer list; EnqueueIndex splits longer lists.
const MaxOffersPerJob = 5000

// EnqueueIndex enqueues, in tx (the transaction of the change), the indexing of offers
// whose searchable content changed: title, brand, description, category, variants and
// their SKUs, GTINs, prices, availability and fulfilment, status, visibility or
// allow-list. Creating, updating, discontinuing and importing offers call it.
func EnqueueIndex(ctx context.Context, tx pgx.Tx, enq jobs.Enqueuer, consortiumID uuid.UUID, offerIDs ...uuid.UUID) error {
	for len(offerIDs) > 0 {
		n := min(len(offerIDs), MaxOffersPerJob)
		if _, err := enq.InsertTx(ctx, tx, IndexOffers{ConsortiumID: consortiumID, OfferIDs: offerIDs[:n]}, nil); err != nil {
			return fmt.Errorf("search: enqueue index: %w", err)
		}
		offerIDs = offerIDs[n:]
	}
	return nil
}

// EnqueueIndexSupplier enqueues, in tx, the re-indexing of everything that depends on a
// supplier's agreements and profile: an agreement approved, declined, revoked or its
// discount changed, or "agreement required" switched.
func EnqueueIndexSupplier(ctx context.Context, tx pgx.Tx, enq jobs.Enqueuer, consortiumID, supplierID uuid.UUID) error {
	if _, err := enq.InsertTx(ctx, tx, IndexOffers{ConsortiumID: consortiumID, SupplierID: supplierID}, nil); err != nil {
		return fmt.Errorf("search: enqueue supplier index: %w", err)
	}
	return nil
}

// Jobs registers the IndexOffers worker over s with a River client (jobs.New or
// jobs.Register).
func Jobs(s Searcher) jobs.Registration {
	return func(w *river.Workers, _ *[]*river.PeriodicJob) {
		river.AddWorker(w, &indexWorker{s: s})
	}
}

type indexWorker struct {
	river.WorkerDefaults[IndexOffers]
	s Searcher
}

// Work indexes the job's offers and suppliers; both are idempotent, so retries are safe.
func (w *indexWorker) Work(ctx context.Context, job *river.Job[IndexOffers]) error {
	a := job.Args
	if a.ConsortiumID == uuid.Nil {
		return fmt.Errorf("search: index job %d without consortium", job.ID)
	}
	if err := w.s.Index(ctx, a.ConsortiumID, a.OfferIDs...); err != nil {
		return err
	}
	if a.SupplierID != uuid.Nil {
		return w.s.IndexSuppliers(ctx, a.ConsortiumID, a.SupplierID)
	}
	return nil
}
