package gateway

import (
	"context"

	"github.com/google/uuid"
	"github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
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

// ShopperOrder is fulfillment.ShopperOrder: an anonymous shopper follows its order by ID
// and the e-mail it was placed with; every miss (a malformed ID included) is null.
func (r *Resolver) ShopperOrder(ctx context.Context, args struct {
	ID    graphql.ID
	Email string
}) (*shopperOrderResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	f, err := fulfillmentSvc(r.svc)
	if err != nil {
		return nil, err
	}
	id, perr := parseID("id", args.ID, kindOrder)
	if perr != nil {
		id = uuid.Nil
	}
	o, ships, err := f.ShopperOrder(ctx, p, id, args.Email)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if o == nil {
		return nil, nil
	}
	return &shopperOrderResolver{&orderResolver{r, o}, ships}, nil
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
