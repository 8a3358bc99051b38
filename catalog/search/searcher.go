package search

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/tenants"
)

// Searcher is the catalog search. Both backends behave the same; searchtest.TestSearcher
// is the contract every implementation runs.
type Searcher interface {
	// Search returns one page of the offers p may source that match q, with the total
	// count and facet counts over everything that matches (never over what p may not
	// see). Members see entitled offers and their own; the operator sees every active
	// offer of its consortium; storefront, shopper and customer principals are refused.
	// Bad input is an *apperr.Error naming the field.
	Search(ctx context.Context, p tenants.Principal, q Query) (*Result, error)

	// Index brings the index up to date for the given offers of one consortium: offers
	// that are searchable are (re)written, the others (draft, discontinued, no active
	// variant, deleted) are removed. It is idempotent; IndexOffers jobs call it.
	Index(ctx context.Context, consortiumID uuid.UUID, offerIDs ...uuid.UUID) error

	// IndexSuppliers brings up to date whatever depends on these suppliers' agreements
	// and profile (agreement required, approvals, revocations, discounts) for all their
	// offers. A backend that reads those live at query time has nothing to do.
	IndexSuppliers(ctx context.Context, consortiumID uuid.UUID, supplierIDs ...uuid.UUID) error

	// Reindex rebuilds the whole consortium's index from the catalog and returns the
	// number of searchable offers; `guildmart search reindex` calls it.
	Reindex(ctx context.Context, consortiumID uuid.UUID) (int, error)

	// Backend names the implementation ("postgres", "meilisearch").
	Backend() string
}
