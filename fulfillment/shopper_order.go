package fulfillment

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// ShopperOrder lets the anonymous shopper who placed an order follow it (shoppers may
// not read orders; a cart's ID stops working once checked out). The order is read as the
// shopper's own storefront would read it and returned only when it is an anonymous order
// of that storefront and email matches the one it was placed with (case-insensitive):
// the order ID is a random UUID only the shopper was given, the e-mail something only
// the shopper knows. Any miss returns nil, the same as an unknown ID, so nothing can be
// probed. Lines lose their routing: who supplies is none of the shopper's business.
// Callers other than anonymous shoppers are refused (they read orders with Order).
func (s *Service) ShopperOrder(ctx context.Context, p tenants.Principal, id uuid.UUID, email string) (*Order, []Shipment, error) {
	if p.Kind != tenants.KindShopper {
		return nil, nil, apperr.Forbidden("shopperOrder is for anonymous shoppers (X-Storefront); others read orders with order(id)")
	}
	email = strings.TrimSpace(email)
	if id == uuid.Nil || email == "" {
		return nil, nil, nil
	}
	shop := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: p.ConsortiumID, MemberID: p.MemberID, StorefrontID: p.StorefrontID}
	o, err := s.Order(ctx, shop, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if o.StorefrontID != p.StorefrontID || o.CustomerID != uuid.Nil || !strings.EqualFold(o.Email, email) {
		return nil, nil, nil
	}
	ships, err := s.ShipmentsOfOrders(ctx, shop, []uuid.UUID{o.ID})
	if err != nil {
		return nil, nil, err
	}
	lines := make([]OrderLine, len(o.Lines))
	copy(lines, o.Lines)
	for i := range lines {
		lines[i].Routing = nil
	}
	o.Lines = lines
	return o, ships[0], nil
}
