package gateway

import (
	"context"

	"github.com/google/uuid"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/guildmart/guildmart/federation"
)

// Per-request loaders of the federation area: a page of listings costs one query for the
// listings and one per loader below, whatever its size.

func loadListing(ctx context.Context, svc Services, id uuid.UUID) (*federation.Listing, error) {
	return loader(ctx, "listing", func(ctx context.Context, ids []uuid.UUID) ([]*federation.Listing, error) {
		return svc.Federation.ListingsByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

// loadListingVariants batches per storefront (the variants' key leads with it).
func loadListingVariants(ctx context.Context, svc Services, storefront, listing uuid.UUID) ([]*federation.ListingVariant, error) {
	return listingVariantsLoader(ctx, svc, storefront).Load(ctx, listing)()
}

func listingVariantsLoader(ctx context.Context, svc Services, storefront uuid.UUID) *dataloader.Loader[uuid.UUID, []*federation.ListingVariant] {
	return loader(ctx, "listingVariants:"+storefront.String(), func(ctx context.Context, ids []uuid.UUID) ([][]*federation.ListingVariant, error) {
		return svc.Federation.VariantsOfListings(ctx, principal(ctx), storefront, ids)
	})
}

func loadCollection(ctx context.Context, svc Services, id uuid.UUID) (*federation.Collection, error) {
	return collectionLoader(ctx, svc).Load(ctx, id)()
}

func collectionLoader(ctx context.Context, svc Services) *dataloader.Loader[uuid.UUID, *federation.Collection] {
	return loader(ctx, "collection", func(ctx context.Context, ids []uuid.UUID) ([]*federation.Collection, error) {
		return svc.Federation.CollectionsByIDs(ctx, principal(ctx), ids)
	})
}

func loadPricingRule(ctx context.Context, svc Services, id uuid.UUID) (*federation.Rule, error) {
	return loader(ctx, "pricingRule", func(ctx context.Context, ids []uuid.UUID) ([]*federation.Rule, error) {
		return svc.Federation.RulesByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadCustomerGroup(ctx context.Context, svc Services, id uuid.UUID) (*federation.CustomerGroup, error) {
	return loader(ctx, "customerGroup", func(ctx context.Context, ids []uuid.UUID) ([]*federation.CustomerGroup, error) {
		return svc.Federation.CustomerGroupsByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}
