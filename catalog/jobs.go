package catalog

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// OffersChangedArgs is the job enqueued, in the same transaction, whenever offers change
// in a way search documents reflect (content, prices, availability, status, visibility).
// The search package registers the worker for this kind. OfferIDs empty with SupplierID
// set means "every offer of the supplier": its profile or an agreement changed who may
// see them.
type OffersChangedArgs struct {
	ConsortiumID uuid.UUID   `json:"consortium_id"`
	OfferIDs     []uuid.UUID `json:"offer_ids,omitempty"`
	SupplierID   uuid.UUID   `json:"supplier_id,omitempty"`
}

// OffersChangedKind is the River kind of OffersChangedArgs.
const OffersChangedKind = "catalog_offers_changed"

// Kind implements river.JobArgs.
func (OffersChangedArgs) Kind() string { return OffersChangedKind }

// offersChanged enqueues the search update in tx; without an enqueuer (tests) it does
// nothing.
func (s *Service) offersChanged(ctx context.Context, tx pgx.Tx, args OffersChangedArgs) error {
	if s.jobs == nil || (len(args.OfferIDs) == 0 && args.SupplierID == uuid.Nil) {
		return nil
	}
	_, err := s.jobs.InsertTx(ctx, tx, args, &river.InsertOpts{MaxAttempts: 10})
	return err
}
