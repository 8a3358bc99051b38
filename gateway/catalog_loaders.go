package gateway

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
)

// Per-request loaders of the catalog area: a page of offers costs one statement per
// level (offers, variants, categories, warehouses, members), whatever its size. The
// catalog service re-checks visibility in every batch.

func loadOffer(ctx context.Context, svc Services, id uuid.UUID) (*catalog.Offer, error) {
	return loader(ctx, "offer", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.Offer, error) {
		return svc.Catalog.OffersByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadOfferVariants(ctx context.Context, svc Services, offerID uuid.UUID) ([]*catalog.Variant, error) {
	return loader(ctx, "offerVariants", func(ctx context.Context, ids []uuid.UUID) ([][]*catalog.Variant, error) {
		return svc.Catalog.VariantsByOfferIDs(ctx, principal(ctx), ids)
	}).Load(ctx, offerID)()
}

func loadVariant(ctx context.Context, svc Services, id uuid.UUID) (*catalog.Variant, error) {
	return loader(ctx, "offerVariant", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.Variant, error) {
		return svc.Catalog.VariantsByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadCategory(ctx context.Context, svc Services, id uuid.UUID) (*catalog.Category, error) {
	return loader(ctx, "category", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.Category, error) {
		return svc.Catalog.CategoriesByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadCategoryChildren(ctx context.Context, svc Services, id uuid.UUID) ([]*catalog.Category, error) {
	return loader(ctx, "categoryChildren", func(ctx context.Context, ids []uuid.UUID) ([][]*catalog.Category, error) {
		return svc.Catalog.CategoryChildren(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadWarehouse(ctx context.Context, svc Services, id uuid.UUID) (*catalog.Warehouse, error) {
	return loader(ctx, "warehouse", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.Warehouse, error) {
		return svc.Catalog.WarehousesByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadSupplierProfile(ctx context.Context, svc Services, memberID uuid.UUID) (*catalog.SupplierProfile, error) {
	return loader(ctx, "supplierProfile", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.SupplierProfile, error) {
		return svc.Catalog.SupplierProfilesByMemberIDs(ctx, principal(ctx), ids)
	}).Load(ctx, memberID)()
}

func loadAgreement(ctx context.Context, svc Services, id uuid.UUID) (*catalog.SourcingAgreement, error) {
	return loader(ctx, "sourcingAgreement", func(ctx context.Context, ids []uuid.UUID) ([]*catalog.SourcingAgreement, error) {
		return svc.Catalog.AgreementsByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}
