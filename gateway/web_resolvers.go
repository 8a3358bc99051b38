package gateway

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// ListingFacets counts the storefront's listings per brand and collection without a
// search text (storefront.search needs one), for the listing grid's filters.
func (s *storefrontResolver) ListingFacets(ctx context.Context, args struct {
	Collection *string
	Brand      *string
}) (*listingFacets, error) {
	f := federation.ListingFilter{Collection: deref(args.Collection), Brand: deref(args.Brand)}
	brands, colls, err := s.r.svc.Federation.ListingFacets(ctx, principal(ctx), s.s.ID, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := &listingFacets{brands: []facetValue{}, collections: []facetValue{}}
	for _, b := range brands {
		out.brands = append(out.brands, facetValue{b})
	}
	for _, c := range colls {
		out.collections = append(out.collections, facetValue{c})
	}
	return out, nil
}

// PaymentMethods tells the checkout page whether to offer a card.
func (s *storefrontResolver) PaymentMethods() []string {
	if s.r.svc.Payments != nil && s.r.svc.Payments.CardsEnabled() {
		return []string{"INVOICE", "CARD"}
	}
	return []string{"INVOICE"}
}

// StripePublishableKey is what Stripe.js needs to show the card form.
func (s *storefrontResolver) StripePublishableKey() *string {
	if s.r.svc.Payments == nil || s.r.svc.Payments.PublishableKey() == "" {
		return nil
	}
	k := s.r.svc.Payments.PublishableKey()
	return &k
}

// ShopperOrder lets the anonymous shopper who placed an order follow it. Shoppers may
// not read orders (a cart's ID stops working once checked out), so the order is read as
// the shopper's own storefront would read it, and shown only when the e-mail matches
// too: the order ID is a random UUID only the shopper was given, and the e-mail is
// something only the shopper knows. Lines lose their routing before they are shown.
func (r *Resolver) ShopperOrder(ctx context.Context, args struct {
	ID    graphql.ID
	Email string
}) (*shopperOrderResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.Kind != tenants.KindShopper {
		return nil, gqlError(ctx, apperr.Forbidden("shopperOrder is for anonymous shoppers (X-Storefront); others read orders with order(id)"))
	}
	f, err := fulfillmentSvc(r.svc)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.ID, kindOrder)
	email := strings.TrimSpace(args.Email)
	if err != nil || email == "" {
		return nil, nil
	}
	shop := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: p.ConsortiumID, MemberID: p.MemberID, StorefrontID: p.StorefrontID}
	o, err := f.Order(ctx, shop, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if o.StorefrontID != p.StorefrontID || o.CustomerID != uuid.Nil || !strings.EqualFold(o.Email, email) {
		return nil, nil // the same answer as an unknown ID: nothing to probe
	}
	ships, err := f.ShipmentsOfOrders(ctx, shop, []uuid.UUID{o.ID})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	lines := make([]fulfillment.OrderLine, len(o.Lines))
	copy(lines, o.Lines)
	for i := range lines {
		lines[i].Routing = nil // who supplies is none of the shopper's business
	}
	o.Lines = lines
	return &shopperOrderResolver{&orderResolver{r, o}, ships[0]}, nil
}

type shopperOrderResolver struct {
	o     *orderResolver
	ships []fulfillment.Shipment
}

func (s *shopperOrderResolver) ID() graphql.ID                   { return s.o.ID() }
func (s *shopperOrderResolver) Name() string                     { return s.o.Name() }
func (s *shopperOrderResolver) Status() string                   { return s.o.Status() }
func (s *shopperOrderResolver) Email() string                    { return s.o.Email() }
func (s *shopperOrderResolver) Subtotal() *moneyResolver         { return s.o.Subtotal() }
func (s *shopperOrderResolver) ShippingAddress() addressResolver { return s.o.ShippingAddress() }
func (s *shopperOrderResolver) Lines() []*orderLineResolver      { return s.o.Lines() }
func (s *shopperOrderResolver) CreatedAt() graphql.Time          { return s.o.CreatedAt() }
func (s *shopperOrderResolver) Shipments() []*shipmentResolver {
	out := make([]*shipmentResolver, len(s.ships))
	for i := range s.ships {
		out[i] = &shipmentResolver{s.ships[i], true}
	}
	return out
}
