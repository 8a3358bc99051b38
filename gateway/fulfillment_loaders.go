package gateway

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Per-request loaders of the fulfilment area: one query per batch, whatever the page.

func fulfillmentSvc(svc Services) (*fulfillment.Service, error) {
	if svc.Fulfillment == nil {
		return nil, apperr.Errorf(apperr.EINTERNAL, "fulfillment service not wired")
	}
	return svc.Fulfillment, nil
}

func loadOrder(ctx context.Context, svc Services, id uuid.UUID) (*fulfillment.Order, error) {
	return loader(ctx, "order", func(ctx context.Context, ids []uuid.UUID) ([]*fulfillment.Order, error) {
		f, err := fulfillmentSvc(svc)
		if err != nil {
			return nil, err
		}
		return f.OrdersByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadFulfillmentOrder(ctx context.Context, svc Services, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
	return loader(ctx, "fulfillmentOrder", func(ctx context.Context, ids []uuid.UUID) ([]*fulfillment.FulfillmentOrder, error) {
		f, err := fulfillmentSvc(svc)
		if err != nil {
			return nil, err
		}
		return f.FulfillmentOrdersByIDs(ctx, principal(ctx), ids)
	}).Load(ctx, id)()
}

func loadOrderFulfillmentOrders(ctx context.Context, svc Services, order uuid.UUID) ([]*fulfillment.FulfillmentOrder, error) {
	return loader(ctx, "orderFulfillmentOrders", func(ctx context.Context, ids []uuid.UUID) ([][]*fulfillment.FulfillmentOrder, error) {
		f, err := fulfillmentSvc(svc)
		if err != nil {
			return nil, err
		}
		return f.FulfillmentOrdersOfOrders(ctx, principal(ctx), ids)
	}).Load(ctx, order)()
}

func loadOrderShipments(ctx context.Context, svc Services, order uuid.UUID) ([]fulfillment.Shipment, error) {
	return loader(ctx, "orderShipments", func(ctx context.Context, ids []uuid.UUID) ([][]fulfillment.Shipment, error) {
		f, err := fulfillmentSvc(svc)
		if err != nil {
			return nil, err
		}
		return f.ShipmentsOfOrders(ctx, principal(ctx), ids)
	}).Load(ctx, order)()
}
