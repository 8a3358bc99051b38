package gateway

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

// Global ID kinds of the federation area, and the catalog kinds it refers to.
const (
	kindListing        = "Listing"
	kindListingVariant = "ListingVariant"
	kindCollection     = "Collection"
	kindCustomerGroup  = "CustomerGroup"
	kindPricingRule    = "PricingRule"
	kindListingChange  = "ListingChange"
	kindOffer          = "Offer"
	kindOfferVariant   = "OfferVariant"
	kindCategory       = "Category"
)

func init() {
	registerNode(kindListing, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		l, err := loadListing(ctx, r.svc, id)
		if l == nil || err != nil {
			return nil, orNotFound(err, "listing")
		}
		return r.newListing(ctx, l)
	})
	registerNode(kindCollection, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		c, err := loadCollection(ctx, r.svc, id)
		if c == nil || err != nil {
			return nil, orNotFound(err, "collection")
		}
		return &collectionResolver{r, c}, nil
	})
	registerNode(kindCustomerGroup, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		g, err := loadCustomerGroup(ctx, r.svc, id)
		if g == nil || err != nil {
			return nil, orNotFound(err, "customer group")
		}
		return &customerGroupResolver{r, g}, nil
	})
}

func (n *nodeResolver) ToListing() (*listingResolver, bool) {
	v, ok := n.v.(*listingResolver)
	return v, ok
}
func (n *nodeResolver) ToListingVariant() (*listingVariantResolver, bool) {
	v, ok := n.v.(*listingVariantResolver)
	return v, ok
}
func (n *nodeResolver) ToCollection() (*collectionResolver, bool) {
	v, ok := n.v.(*collectionResolver)
	return v, ok
}
func (n *nodeResolver) ToCustomerGroup() (*customerGroupResolver, bool) {
	v, ok := n.v.(*customerGroupResolver)
	return v, ok
}
func (n *nodeResolver) ToPricingRule() (*pricingRuleResolver, bool) {
	v, ok := n.v.(*pricingRuleResolver)
	return v, ok
}

// sellerView reports whether the caller sees a storefront from the back office (its
// member, its storefront key) rather than as a shop window.
func sellerView(ctx context.Context) bool {
	k := principal(ctx).Kind
	return k == tenants.KindMember || k == tenants.KindStorefront
}

// memberView: only the member itself sees rules, catalog references and its own prices.
func memberView(ctx context.Context) bool { return principal(ctx).Kind == tenants.KindMember }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// storefrontCurrency is the currency of a storefront the caller may see.
func (r *Resolver) storefrontCurrency(ctx context.Context, id uuid.UUID) (string, error) {
	s, err := loadStorefront(ctx, r.svc, id)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", apperr.NotFound("storefront")
	}
	return s.Currency, nil
}

// --- listings ---

// listingResolver carries its variants, loaded when it is made (batched per request),
// and the caller's view, so that its fields resolve without goroutines: a page of 50
// listings would otherwise start hundreds.
type listingResolver struct {
	r      *Resolver
	l      *federation.Listing
	vs     []*federation.ListingVariant
	seller bool // the storefront's back office (member or storefront key)
	member bool // the member itself
}

// newListings makes resolvers for ls, loading their variants in one batch.
func (r *Resolver) newListings(ctx context.Context, ls []*federation.Listing) ([]*listingResolver, error) {
	out := make([]*listingResolver, len(ls))
	bySF := map[uuid.UUID][]int{}
	for i, l := range ls {
		out[i] = &listingResolver{r: r, l: l, seller: sellerView(ctx), member: memberView(ctx)}
		bySF[l.StorefrontID] = append(bySF[l.StorefrontID], i)
	}
	for sf, idx := range bySF {
		keys := make([]uuid.UUID, len(idx))
		for j, i := range idx {
			keys[j] = ls[i].ID
		}
		// A whole page is already one batch: query now rather than wait out the
		// loader's batching window, and leave the results in the loader for later use.
		vals, err := r.svc.Federation.VariantsOfListings(ctx, principal(ctx), sf, keys)
		if err != nil {
			return nil, err
		}
		l := listingVariantsLoader(ctx, r.svc, sf)
		for j, i := range idx {
			out[i].vs = vals[j]
			l.Prime(ctx, keys[j], vals[j])
		}
	}
	return out, nil
}

// newListing makes the resolver of one listing, its variants through the loader so that
// many such calls in one request (feed entries, nodes) are one batch.
func (r *Resolver) newListing(ctx context.Context, l *federation.Listing) (*listingResolver, error) {
	vs, err := loadListingVariants(ctx, r.svc, l.StorefrontID, l.ID)
	if err != nil {
		return nil, err
	}
	return &listingResolver{r: r, l: l, vs: vs, seller: sellerView(ctx), member: memberView(ctx)}, nil
}

func (l *listingResolver) ID() graphql.ID            { return graphql.ID(ids.Global(kindListing, l.l.ID)) }
func (l *listingResolver) Handle() string            { return l.l.Handle }
func (l *listingResolver) Title() string             { return l.l.Title }
func (l *listingResolver) Description() string       { return l.l.Description }
func (l *listingResolver) Images() []string          { return l.l.Images }
func (l *listingResolver) Brand() *string            { return nonEmpty(l.l.Brand) }
func (l *listingResolver) Vendor() *string           { return nonEmpty(l.l.Vendor) }
func (l *listingResolver) Status() string            { return l.l.Status }
func (l *listingResolver) PublishedAt() graphql.Time { return graphql.Time{Time: l.l.PublishedAt} }
func (l *listingResolver) Collection(ctx context.Context) (*collectionResolver, error) {
	if l.l.CollectionID == uuid.Nil {
		return nil, nil
	}
	c, err := loadCollection(ctx, l.r.svc, l.l.CollectionID)
	if err != nil || c == nil {
		return nil, gqlError(ctx, err)
	}
	return &collectionResolver{l.r, c}, nil
}
func (l *listingResolver) Variants() []*listingVariantResolver {
	out := make([]*listingVariantResolver, len(l.vs))
	for i, v := range l.vs {
		out[i] = &listingVariantResolver{v, l.seller, l.member}
	}
	return out
}

type listingOption struct {
	name   string
	values []string
}

func (o listingOption) Name() string     { return o.name }
func (o listingOption) Values() []string { return o.values }

func (l *listingResolver) Options() []listingOption {
	vs := l.vs
	out := []listingOption{}
	pos := map[string]int{}
	seen := map[string]bool{}
	for _, v := range vs {
		for _, o := range v.Options {
			i, ok := pos[o.Key]
			if !ok {
				i = len(out)
				pos[o.Key] = i
				out = append(out, listingOption{name: o.Key})
			}
			if k := o.Key + "\x00" + o.Value; !seen[k] {
				seen[k] = true
				out[i].values = append(out[i].values, o.Value)
			}
		}
	}
	return out
}

type priceRange struct{ min, max *moneyResolver }

func (p *priceRange) Min() *moneyResolver { return p.min }
func (p *priceRange) Max() *moneyResolver { return p.max }

func (l *listingResolver) PriceRange() *priceRange {
	var lo, hi *federation.ListingVariant
	for _, v := range l.vs {
		if v.Status != federation.StatusActive && v.Status != federation.StatusOutOfStock {
			continue
		}
		if lo == nil || v.Price < lo.Price {
			lo = v
		}
		if hi == nil || v.Price > hi.Price {
			hi = v
		}
	}
	if lo == nil {
		return nil
	}
	return &priceRange{newMoney(lo.Price, lo.Currency), newMoney(hi.Price, hi.Currency)}
}
func (l *listingResolver) OfferId() *graphql.ID {
	if !l.member {
		return nil
	}
	id := graphql.ID(ids.Global(kindOffer, l.l.OfferID))
	return &id
}
func (l *listingResolver) PricingRule(ctx context.Context) (*pricingRuleResolver, error) {
	if !l.member || l.l.RuleID == uuid.Nil {
		return nil, nil
	}
	return l.r.ruleByID(ctx, l.l.StorefrontID, l.l.RuleID)
}
func (l *listingResolver) TitleOverride() *string {
	if !l.seller {
		return nil
	}
	return l.l.TitleOverride
}
func (l *listingResolver) DescriptionOverride() *string {
	if !l.seller {
		return nil
	}
	return l.l.DescriptionOverride
}

type listingVariantResolver struct {
	v              *federation.ListingVariant
	seller, member bool
}

type selectedOption struct{ name, value string }

func (o selectedOption) Name() string  { return o.name }
func (o selectedOption) Value() string { return o.value }

func (v *listingVariantResolver) ID() graphql.ID {
	return graphql.ID(ids.Global(kindListingVariant, v.v.ID))
}
func (v *listingVariantResolver) SelectedOptions() []selectedOption {
	out := make([]selectedOption, len(v.v.Options))
	for i, o := range v.v.Options {
		out[i] = selectedOption{o.Key, o.Value}
	}
	return out
}
func (v *listingVariantResolver) Price() *moneyResolver { return newMoney(v.v.Price, v.v.Currency) }
func (v *listingVariantResolver) CompareAt() *moneyResolver {
	if v.v.CompareAt == nil {
		return nil
	}
	return newMoney(*v.v.CompareAt, v.v.Currency)
}
func (v *listingVariantResolver) Availability() string { return v.v.StockLevel }
func (v *listingVariantResolver) AvailableForSale() bool {
	return federation.Sellable(v.v.Status)
}
func (v *listingVariantResolver) Status() string { return v.v.Status }
func (v *listingVariantResolver) StatusReason() *string {
	if !v.seller {
		return nil
	}
	return nonEmpty(v.v.Reason)
}
func (v *listingVariantResolver) FixedPrice() *moneyResolver {
	if !v.member || v.v.FixedPrice == nil {
		return nil
	}
	return newMoney(*v.v.FixedPrice, v.v.Currency)
}
func (v *listingVariantResolver) OfferVariantId() *graphql.ID {
	if !v.member {
		return nil
	}
	id := graphql.ID(ids.Global(kindOfferVariant, v.v.VariantID))
	return &id
}

type listingConnection struct {
	page  *federation.ListingPage
	nodes []*listingResolver
}

type listingEdge struct {
	cursor string
	node   *listingResolver
}

func (e listingEdge) Cursor() string         { return e.cursor }
func (e listingEdge) Node() *listingResolver { return e.node }

func (c *listingConnection) Edges() []listingEdge {
	out := make([]listingEdge, len(c.page.Listings))
	for i := range c.page.Listings {
		out[i] = listingEdge{c.page.Cursors[i], c.nodes[i]}
	}
	return out
}
func (c *listingConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Cursors); n > 0 {
		p.end = c.page.Cursors[n-1]
	}
	return p
}

// --- storefront fields ---

type listingsArgs struct {
	First      *int32
	After      *string
	Collection *string
	Category   *string
	Brand      *string
	Sort       *string
	Status     *string
}

// Listings is a page of the storefront's listings.
func (s *storefrontResolver) Listings(ctx context.Context, args listingsArgs) (*listingConnection, error) {
	f := federation.ListingFilter{After: deref(args.After), Collection: deref(args.Collection), Category: deref(args.Category),
		Brand: deref(args.Brand), Sort: deref(args.Sort), Status: deref(args.Status)}
	if args.First != nil {
		f.First = int(*args.First)
	}
	page, err := s.r.svc.Federation.Listings(ctx, principal(ctx), s.s.ID, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	s.r.primeCollections(ctx, page.Listings)
	nodes, err := s.r.newListings(ctx, page.Listings)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &listingConnection{page, nodes}, nil
}

// primeCollections queues the page's collections in their loader at once, so they are
// one batch however the executor schedules the listing fields.
func (r *Resolver) primeCollections(ctx context.Context, ls []*federation.Listing) {
	var colls []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, l := range ls {
		if l.CollectionID != uuid.Nil && !seen[l.CollectionID] {
			seen[l.CollectionID] = true
			colls = append(colls, l.CollectionID)
		}
	}
	if len(colls) > 0 {
		collectionLoader(ctx, r.svc).LoadMany(ctx, colls)
	}
}

// Listing finds a listing of the storefront by handle.
func (s *storefrontResolver) Listing(ctx context.Context, args struct{ Handle string }) (*listingResolver, error) {
	l, err := s.r.svc.Federation.ListingByHandle(ctx, principal(ctx), s.s.ID, args.Handle)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	lr, err := s.r.newListing(ctx, l)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return lr, nil
}

type facetValue struct{ f federation.Facet }

func (f facetValue) Value() string { return f.f.Value }
func (f facetValue) Count() int32  { return int32(f.f.Count) }

type listingFacets struct{ brands, collections []facetValue }

func (f *listingFacets) Brands() []facetValue      { return f.brands }
func (f *listingFacets) Collections() []facetValue { return f.collections }

type listingSearch struct {
	listingConnection
	facets *listingFacets
}

func (s *listingSearch) Facets() *listingFacets { return s.facets }

// Search runs a full-text search over the storefront's listings.
func (s *storefrontResolver) Search(ctx context.Context, args struct {
	Query      string
	First      *int32
	After      *string
	Collection *string
	Brand      *string
}) (*listingSearch, error) {
	p := principal(ctx)
	f := federation.ListingFilter{Query: args.Query, After: deref(args.After), Collection: deref(args.Collection), Brand: deref(args.Brand)}
	if args.First != nil {
		f.First = int(*args.First)
	}
	if f.Query == "" {
		return nil, gqlError(ctx, apperr.Invalid("query", "must not be empty"))
	}
	page, err := s.r.svc.Federation.Listings(ctx, p, s.s.ID, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	s.r.primeCollections(ctx, page.Listings)
	nodes, err := s.r.newListings(ctx, page.Listings)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	brands, colls, err := s.r.svc.Federation.ListingFacets(ctx, p, s.s.ID, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := &listingSearch{listingConnection{page, nodes}, &listingFacets{}}
	for _, b := range brands {
		out.facets.brands = append(out.facets.brands, facetValue{b})
	}
	for _, c := range colls {
		out.facets.collections = append(out.facets.collections, facetValue{c})
	}
	if out.facets.brands == nil {
		out.facets.brands = []facetValue{}
	}
	if out.facets.collections == nil {
		out.facets.collections = []facetValue{}
	}
	return out, nil
}

// Collections lists the storefront's collections.
func (s *storefrontResolver) Collections(ctx context.Context) ([]*collectionResolver, error) {
	cs, err := s.r.svc.Federation.Collections(ctx, principal(ctx), s.s.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*collectionResolver, len(cs))
	for i, c := range cs {
		out[i] = &collectionResolver{s.r, c}
	}
	return out, nil
}

// PricingRule is the storefront's default rule (seller only).
func (s *storefrontResolver) PricingRule(ctx context.Context) (*pricingRuleResolver, error) {
	rule, err := s.r.svc.Federation.StorefrontRule(ctx, principal(ctx), s.s.ID)
	if err != nil || rule == nil {
		return nil, gqlError(ctx, err)
	}
	return &pricingRuleResolver{rule, s.s.Currency}, nil
}

// CustomerGroups lists the storefront's customer groups (seller, storefront key).
func (s *storefrontResolver) CustomerGroups(ctx context.Context) ([]*customerGroupResolver, error) {
	if !sellerView(ctx) {
		return []*customerGroupResolver{}, nil
	}
	gs, err := s.r.svc.Federation.CustomerGroups(ctx, principal(ctx), s.s.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*customerGroupResolver, len(gs))
	for i, g := range gs {
		out[i] = &customerGroupResolver{s.r, g}
	}
	return out, nil
}

// CustomerGroup is the signed-in customer's group.
func (s *storefrontResolver) CustomerGroup(ctx context.Context) (*customerGroupResolver, error) {
	p := principal(ctx)
	if p.StorefrontID != s.s.ID {
		return nil, nil
	}
	g, err := s.r.svc.Federation.CustomerGroupOf(ctx, p)
	if err != nil || g == nil {
		return nil, gqlError(ctx, err)
	}
	return &customerGroupResolver{s.r, g}, nil
}

type listingChangeResolver struct {
	r        *Resolver
	c        *federation.ListingChange
	currency string
}

func (c *listingChangeResolver) ID() graphql.ID {
	return graphql.ID(encodeCursor(kindListingChange + ":" + strconv.FormatInt(c.c.ID, 10)))
}
func (c *listingChangeResolver) Listing(ctx context.Context) (*listingResolver, error) {
	l, err := loadListing(ctx, c.r.svc, c.c.ListingID)
	if err != nil || l == nil {
		return nil, gqlError(ctx, err)
	}
	lr, err := c.r.newListing(ctx, l)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return lr, nil
}
func (c *listingChangeResolver) ListingVariantId() graphql.ID {
	return graphql.ID(ids.Global(kindListingVariant, c.c.ListingVariantID))
}
func (c *listingChangeResolver) OldPrice() *moneyResolver {
	if c.c.OldPrice == nil {
		return nil
	}
	return newMoney(*c.c.OldPrice, c.currency)
}
func (c *listingChangeResolver) NewPrice() *moneyResolver { return newMoney(c.c.NewPrice, c.currency) }
func (c *listingChangeResolver) OldStatus() *string       { return nonEmpty(c.c.OldStatus) }
func (c *listingChangeResolver) NewStatus() string        { return c.c.NewStatus }
func (c *listingChangeResolver) Reason() *string          { return nonEmpty(c.c.Reason) }
func (c *listingChangeResolver) At() graphql.Time         { return graphql.Time{Time: c.c.At} }

type listingChangeEdge struct{ n *listingChangeResolver }

func (e listingChangeEdge) Cursor() string               { return encodeCursor(strconv.FormatInt(e.n.c.ID, 10)) }
func (e listingChangeEdge) Node() *listingChangeResolver { return e.n }

type listingChangeConnection struct {
	edges   []listingChangeEdge
	hasNext bool
}

func (c *listingChangeConnection) Edges() []listingChangeEdge { return c.edges }
func (c *listingChangeConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.edges); n > 0 {
		p.end = c.edges[n-1].Cursor()
	}
	return p
}

// ListingChanges is the seller's feed of price and status changes.
func (s *storefrontResolver) ListingChanges(ctx context.Context, args struct {
	First *int32
	After *string
}) (*listingChangeConnection, error) {
	if !sellerView(ctx) {
		return &listingChangeConnection{edges: []listingChangeEdge{}}, nil
	}
	after, err := decodeCursor(args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	var afterID int64
	if after != "" {
		if afterID, err = strconv.ParseInt(after, 10, 64); err != nil {
			return nil, gqlError(ctx, apperr.Invalid("after", "is not a valid cursor"))
		}
	}
	first := 0
	if args.First != nil {
		first = int(*args.First)
	}
	page, err := s.r.svc.Federation.ListingChanges(ctx, principal(ctx), s.s.ID, first, afterID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := &listingChangeConnection{hasNext: page.HasNext, edges: make([]listingChangeEdge, len(page.Changes))}
	for i, c := range page.Changes {
		out.edges[i] = listingChangeEdge{&listingChangeResolver{s.r, c, s.s.Currency}}
	}
	return out, nil
}

// --- collections, rules, groups ---

type collectionResolver struct {
	r *Resolver
	c *federation.Collection
}

func (c *collectionResolver) ID() graphql.ID      { return graphql.ID(ids.Global(kindCollection, c.c.ID)) }
func (c *collectionResolver) Handle() string      { return c.c.Handle }
func (c *collectionResolver) Title() string       { return c.c.Title }
func (c *collectionResolver) Description() string { return c.c.Description }
func (c *collectionResolver) PricingRule(ctx context.Context) (*pricingRuleResolver, error) {
	if !memberView(ctx) || c.c.RuleID == uuid.Nil {
		return nil, nil
	}
	return c.r.ruleByID(ctx, c.c.StorefrontID, c.c.RuleID)
}

type pricingRuleResolver struct {
	rule     *federation.Rule
	currency string
}

func (r *Resolver) ruleByID(ctx context.Context, storefront, id uuid.UUID) (*pricingRuleResolver, error) {
	rule, err := loadPricingRule(ctx, r.svc, id)
	if err != nil || rule == nil {
		return nil, gqlError(ctx, err)
	}
	cur, err := r.storefrontCurrency(ctx, storefront)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &pricingRuleResolver{rule, cur}, nil
}

func (p *pricingRuleResolver) ID() graphql.ID {
	return graphql.ID(ids.Global(kindPricingRule, p.rule.ID))
}
func (p *pricingRuleResolver) Kind() string           { return p.rule.Kind }
func (p *pricingRuleResolver) MarkupBps() int32       { return int32(p.rule.PercentBps) }
func (p *pricingRuleResolver) Amount() *moneyResolver { return newMoney(p.rule.Amount, p.currency) }
func (p *pricingRuleResolver) Rounding() string       { return p.rule.Rounding }
func (p *pricingRuleResolver) BasisQuantity() int32   { return int32(p.rule.BasisQuantity) }
func (p *pricingRuleResolver) MinMarginBps() *int32 {
	if p.rule.MinMarginBps == nil {
		return nil
	}
	v := int32(*p.rule.MinMarginBps)
	return &v
}
func (p *pricingRuleResolver) ClampToFloor() bool { return p.rule.ClampToFloor }

type customerGroupResolver struct {
	r *Resolver
	g *federation.CustomerGroup
}

type groupTier struct{ t federation.GroupTier }

func (t groupTier) MinQuantity() int32 { return int32(t.t.MinQuantity) }
func (t groupTier) DiscountBps() int32 { return int32(t.t.DiscountBps) }

func (g *customerGroupResolver) ID() graphql.ID {
	return graphql.ID(ids.Global(kindCustomerGroup, g.g.ID))
}
func (g *customerGroupResolver) Name() string { return g.g.Name }
func (g *customerGroupResolver) MinOrderValue(ctx context.Context) (*moneyResolver, error) {
	cur, err := g.r.storefrontCurrency(ctx, g.g.StorefrontID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return newMoney(g.g.MinOrderValue, cur), nil
}
func (g *customerGroupResolver) PaymentTermsDays() int32 { return int32(g.g.PaymentTermsDays) }
func (g *customerGroupResolver) QuantityTiers() []groupTier {
	out := make([]groupTier, len(g.g.Tiers))
	for i, t := range g.g.Tiers {
		out[i] = groupTier{t}
	}
	return out
}
func (g *customerGroupResolver) PricingRule(ctx context.Context) (*pricingRuleResolver, error) {
	if !memberView(ctx) || g.g.RuleID == uuid.Nil {
		return nil, nil
	}
	return g.r.ruleByID(ctx, g.g.StorefrontID, g.g.RuleID)
}

// --- mutations ---

type ruleInput struct {
	Kind          string
	MarkupBps     *int32
	Amount        *string
	Rounding      *string
	BasisQuantity *int32
	MinMarginBps  *int32
	ClampToFloor  *bool
}

func (in *ruleInput) rule(field, currency string) (*federation.Rule, error) {
	if in == nil {
		return nil, nil
	}
	r := &federation.Rule{Kind: in.Kind, Rounding: deref(in.Rounding), ClampToFloor: deref(in.ClampToFloor)}
	if in.MarkupBps != nil {
		r.PercentBps = int(*in.MarkupBps)
	}
	if in.BasisQuantity != nil {
		r.BasisQuantity = int(*in.BasisQuantity)
	}
	if in.MinMarginBps != nil {
		m := int(*in.MinMarginBps)
		r.MinMarginBps = &m
	}
	if in.Amount != nil {
		a, err := parseAmount(field+".amount", *in.Amount, currency)
		if err != nil {
			return nil, err
		}
		r.Amount = a
	}
	return r, nil
}

func parseAmount(field, s, currency string) (int64, error) {
	a, err := money.Parse(s, currency)
	if err != nil {
		return 0, apperr.Invalid(field, "%v", err)
	}
	if a < 0 {
		return 0, apperr.Invalid(field, "must not be negative")
	}
	return a, nil
}

type variantPriceInput struct {
	VariantID graphql.ID
	Price     string
}

func variantPrices(in *[]variantPriceInput, currency string) ([]federation.VariantPrice, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]federation.VariantPrice, len(*in))
	for i, vp := range *in {
		f := fmt.Sprintf("variantPrices.%d", i)
		id, err := parseID(f+".variantId", vp.VariantID, kindOfferVariant)
		if err != nil {
			return nil, err
		}
		p, err := parseAmount(f+".price", vp.Price, currency)
		if err != nil {
			return nil, err
		}
		out[i] = federation.VariantPrice{VariantID: id, Price: p}
	}
	return out, nil
}

func parseIDs(field string, gids []graphql.ID, kind string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(gids))
	for i, g := range gids {
		id, err := parseID(fmt.Sprintf("%s.%d", field, i), g, kind)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

type listingPayload struct {
	r    *Resolver
	l    *federation.Listing
	errs []userErrorResolver
}

func (p *listingPayload) Listing(ctx context.Context) (*listingResolver, error) {
	if p.l == nil {
		return nil, nil
	}
	lr, err := p.r.newListing(ctx, p.l)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return lr, nil
}
func (p *listingPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) listingPayload(ctx context.Context, l *federation.Listing, err error) (*listingPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		l = nil
	}
	return &listingPayload{r, l, errs}, nil
}

// ListingPublish republishes one offer into a storefront.
func (r *Resolver) ListingPublish(ctx context.Context, args struct {
	Input struct {
		StorefrontID   graphql.ID
		OfferID        graphql.ID
		VariantIDs     *[]graphql.ID
		Handle         *string
		Title          *string
		Description    *string
		CollectionID   *graphql.ID
		PricingRule    *ruleInput
		VariantPrices  *[]variantPriceInput
		IdempotencyKey *string
	}
}) (*listingPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	l, err := func() (*federation.Listing, error) {
		in := args.Input
		sf, err := parseID("storefrontId", in.StorefrontID, kindStorefront)
		if err != nil {
			return nil, err
		}
		offer, err := parseID("offerId", in.OfferID, kindOffer)
		if err != nil {
			return nil, err
		}
		coll, err := optID("collectionId", in.CollectionID, kindCollection)
		if err != nil {
			return nil, err
		}
		var variants []uuid.UUID
		if in.VariantIDs != nil {
			if variants, err = parseIDs("variantIds", *in.VariantIDs, kindOfferVariant); err != nil {
				return nil, err
			}
		}
		cur, err := r.storefrontCurrency(ctx, sf)
		if err != nil {
			return nil, err
		}
		rule, err := in.PricingRule.rule("pricingRule", cur)
		if err != nil {
			return nil, err
		}
		prices, err := variantPrices(in.VariantPrices, cur)
		if err != nil {
			return nil, err
		}
		return r.svc.Federation.PublishListing(ctx, p, federation.PublishInput{StorefrontID: sf, OfferID: offer, VariantIDs: variants,
			Handle: deref(in.Handle), Title: in.Title, Description: in.Description, CollectionID: coll, Rule: rule, Prices: prices,
			IdempotencyKey: deref(in.IdempotencyKey)})
	}()
	return r.listingPayload(ctx, l, err)
}

type listingsBulkPayload struct {
	count, skipped int
	ids            []uuid.UUID
	errs           []userErrorResolver
}

func (p *listingsBulkPayload) Count() int32   { return int32(p.count) }
func (p *listingsBulkPayload) Skipped() int32 { return int32(p.skipped) }
func (p *listingsBulkPayload) ListingIds() []graphql.ID {
	out := make([]graphql.ID, len(p.ids))
	for i, id := range p.ids {
		out[i] = graphql.ID(ids.Global(kindListing, id))
	}
	return out
}
func (p *listingsBulkPayload) UserErrors() []userErrorResolver { return p.errs }

func bulkPayload(ctx context.Context, res *listingsBulkPayload, err error) (*listingsBulkPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 || res == nil {
		return &listingsBulkPayload{errs: errs}, nil
	}
	res.errs = errs
	return res, nil
}

// ListingsPublishBulk republishes up to 1,000 offers at once.
func (r *Resolver) ListingsPublishBulk(ctx context.Context, args struct {
	Input struct {
		StorefrontID graphql.ID
		OfferIDs     *[]graphql.ID
		Match        *struct {
			SupplierID *graphql.ID
			CategoryID *graphql.ID
			Brand      *string
			Query      *string
		}
		CollectionID *graphql.ID
		PricingRule  *ruleInput
	}
}) (*listingsBulkPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	res, err := func() (*listingsBulkPayload, error) {
		in := args.Input
		sf, err := parseID("storefrontId", in.StorefrontID, kindStorefront)
		if err != nil {
			return nil, err
		}
		coll, err := optID("collectionId", in.CollectionID, kindCollection)
		if err != nil {
			return nil, err
		}
		bi := federation.BulkPublishInput{StorefrontID: sf, CollectionID: coll}
		if in.OfferIDs != nil {
			if len(*in.OfferIDs) > federation.MaxBulk {
				return nil, apperr.Invalid("offerIds", "at most %d offers per call", federation.MaxBulk)
			}
			if bi.OfferIDs, err = parseIDs("offerIds", *in.OfferIDs, kindOffer); err != nil {
				return nil, err
			}
		}
		if m := in.Match; m != nil {
			f := &federation.OfferFilter{Brand: deref(m.Brand), Query: deref(m.Query)}
			if f.SupplierID, err = optID("match.supplierId", m.SupplierID, kindMember); err != nil {
				return nil, err
			}
			if f.CategoryID, err = optID("match.categoryId", m.CategoryID, kindCategory); err != nil {
				return nil, err
			}
			bi.Filter = f
		}
		cur, err := r.storefrontCurrency(ctx, sf)
		if err != nil {
			return nil, err
		}
		if bi.Rule, err = in.PricingRule.rule("pricingRule", cur); err != nil {
			return nil, err
		}
		out, err := r.svc.Federation.PublishListings(ctx, p, bi)
		if err != nil {
			return nil, err
		}
		return &listingsBulkPayload{count: len(out.ListingIDs), skipped: out.Skipped, ids: out.ListingIDs}, nil
	}()
	return bulkPayload(ctx, res, err)
}

// ListingUpdate changes a listing.
func (r *Resolver) ListingUpdate(ctx context.Context, args struct {
	Input struct {
		ID               graphql.ID
		Handle           *string
		Title            *string
		Description      *string
		CollectionID     *graphql.ID
		ClearCollection  *bool
		PricingRule      *ruleInput
		ClearPricingRule *bool
		VariantPrices    *[]variantPriceInput
		Status           *string
	}
}) (*listingPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	l, err := func() (*federation.Listing, error) {
		in := args.Input
		id, err := parseID("id", in.ID, kindListing)
		if err != nil {
			return nil, err
		}
		cur, err := r.listingCurrency(ctx, id)
		if err != nil {
			return nil, err
		}
		up := federation.ListingUpdate{Handle: in.Handle, Title: in.Title, Description: in.Description,
			ClearRule: deref(in.ClearPricingRule), Status: in.Status}
		if in.CollectionID != nil {
			c, err := parseID("collectionId", *in.CollectionID, kindCollection)
			if err != nil {
				return nil, err
			}
			up.CollectionID = &c
		} else if deref(in.ClearCollection) {
			up.CollectionID = &uuid.Nil
		}
		if up.Rule, err = in.PricingRule.rule("pricingRule", cur); err != nil {
			return nil, err
		}
		if up.Prices, err = variantPrices(in.VariantPrices, cur); err != nil {
			return nil, err
		}
		return r.svc.Federation.UpdateListing(ctx, p, id, up)
	}()
	return r.listingPayload(ctx, l, err)
}

// listingCurrency is the currency of the storefront of a listing the caller sees.
func (r *Resolver) listingCurrency(ctx context.Context, id uuid.UUID) (string, error) {
	l, err := loadListing(ctx, r.svc, id)
	if err != nil {
		return "", err
	}
	if l == nil {
		return "", apperr.NotFound("listing")
	}
	return r.storefrontCurrency(ctx, l.StorefrontID)
}

// ListingUnpublish takes a listing off sale.
func (r *Resolver) ListingUnpublish(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*listingPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindListing)
	var l *federation.Listing
	if err == nil {
		if _, err = r.svc.Federation.UnpublishListings(ctx, p, []uuid.UUID{id}); err == nil {
			var ls []*federation.Listing
			ls, err = r.svc.Federation.ListingsByIDs(ctx, p, []uuid.UUID{id})
			if err == nil {
				l = ls[0]
			}
		}
	}
	return r.listingPayload(ctx, l, err)
}

// ListingsUnpublishBulk takes up to 1,000 listings off sale.
func (r *Resolver) ListingsUnpublishBulk(ctx context.Context, args struct{ Input struct{ IDs []graphql.ID } }) (*listingsBulkPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	res, err := func() (*listingsBulkPayload, error) {
		if len(args.Input.IDs) > federation.MaxBulk {
			return nil, apperr.Invalid("ids", "at most %d listings per call", federation.MaxBulk)
		}
		list, err := parseIDs("ids", args.Input.IDs, kindListing)
		if err != nil {
			return nil, err
		}
		n, err := r.svc.Federation.UnpublishListings(ctx, p, list)
		if err != nil {
			return nil, err
		}
		return &listingsBulkPayload{count: n, ids: list}, nil
	}()
	return bulkPayload(ctx, res, err)
}

type pricingRuleSetPayload struct {
	rule *pricingRuleResolver
	held *int32
	errs []userErrorResolver
}

func (p *pricingRuleSetPayload) PricingRule() *pricingRuleResolver { return p.rule }
func (p *pricingRuleSetPayload) HeldCount() *int32                 { return p.held }
func (p *pricingRuleSetPayload) UserErrors() []userErrorResolver   { return p.errs }

var ruleTargets = map[string]string{kindStorefront: federation.TargetStorefront, kindCollection: federation.TargetCollection,
	kindListing: federation.TargetListing, kindCustomerGroup: federation.TargetCustomerGroup}

// PricingRuleSet sets or clears the rule of a storefront, collection, listing or group.
func (r *Resolver) PricingRuleSet(ctx context.Context, args struct {
	Input struct {
		Target graphql.ID
		Rule   *ruleInput
	}
}) (*pricingRuleSetPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	var cur string
	res, err := func() (*federation.RuleResult, error) {
		kind, id, ok := ids.Parse(string(args.Input.Target))
		target, known := ruleTargets[kind]
		if !ok || !known {
			return nil, apperr.Invalid("target", "must be a Storefront, Collection, Listing or CustomerGroup ID")
		}
		var sf uuid.UUID
		switch target {
		case federation.TargetStorefront:
			sf = id
		case federation.TargetListing:
			l, err := loadListing(ctx, r.svc, id)
			if err != nil || l == nil {
				return nil, orNotFound(err, "listing")
			}
			sf = l.StorefrontID
		case federation.TargetCollection:
			c, err := loadCollection(ctx, r.svc, id)
			if err != nil || c == nil {
				return nil, orNotFound(err, "collection")
			}
			sf = c.StorefrontID
		case federation.TargetCustomerGroup:
			g, err := loadCustomerGroup(ctx, r.svc, id)
			if err != nil || g == nil {
				return nil, orNotFound(err, "customer group")
			}
			sf = g.StorefrontID
		}
		var err error
		if cur, err = r.storefrontCurrency(ctx, sf); err != nil {
			return nil, err
		}
		rule, err := args.Input.Rule.rule("rule", cur)
		if err != nil {
			return nil, err
		}
		return r.svc.Federation.SetPricingRule(ctx, p, federation.RuleTarget{Kind: target, ID: id}, rule)
	}()
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	out := &pricingRuleSetPayload{errs: errs}
	if res != nil && len(errs) == 0 {
		held := int32(res.HeldCount)
		out.held = &held
		if res.Rule != nil {
			out.rule = &pricingRuleResolver{res.Rule, cur}
		}
	}
	return out, nil
}

type collectionPayload struct {
	c    *collectionResolver
	errs []userErrorResolver
}

func (p *collectionPayload) Collection() *collectionResolver { return p.c }
func (p *collectionPayload) UserErrors() []userErrorResolver { return p.errs }

// CollectionCreate adds a collection to a storefront.
func (r *Resolver) CollectionCreate(ctx context.Context, args struct {
	Input struct {
		StorefrontID graphql.ID
		Handle       string
		Title        string
		Description  *string
	}
}) (*collectionPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	sf, err := parseID("storefrontId", args.Input.StorefrontID, kindStorefront)
	var c *federation.Collection
	if err == nil {
		c, err = r.svc.Federation.CreateCollection(ctx, p, federation.CollectionCreate{StorefrontID: sf, Handle: args.Input.Handle,
			Title: args.Input.Title, Description: deref(args.Input.Description)})
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	out := &collectionPayload{errs: errs}
	if c != nil && len(errs) == 0 {
		out.c = &collectionResolver{r, c}
	}
	return out, nil
}

type customerGroupPayload struct {
	g    *customerGroupResolver
	errs []userErrorResolver
}

func (p *customerGroupPayload) CustomerGroup() *customerGroupResolver { return p.g }
func (p *customerGroupPayload) UserErrors() []userErrorResolver       { return p.errs }

func (r *Resolver) groupPayload(ctx context.Context, g *federation.CustomerGroup, err error) (*customerGroupPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	out := &customerGroupPayload{errs: errs}
	if g != nil && len(errs) == 0 {
		out.g = &customerGroupResolver{r, g}
	}
	return out, nil
}

type groupTierInput struct {
	MinQuantity int32
	DiscountBps int32
}

func groupFields(in *federation.GroupInput, minOrder *string, terms *int32, tiers *[]groupTierInput, currency string) error {
	if minOrder != nil {
		a, err := parseAmount("minOrderValue", *minOrder, currency)
		if err != nil {
			return err
		}
		in.MinOrderValue = &a
	}
	if terms != nil {
		t := int(*terms)
		in.PaymentTermsDays = &t
	}
	if tiers != nil {
		ts := make([]federation.GroupTier, len(*tiers))
		for i, t := range *tiers {
			ts[i] = federation.GroupTier{MinQuantity: int(t.MinQuantity), DiscountBps: int(t.DiscountBps)}
		}
		in.Tiers = &ts
	}
	return nil
}

// CustomerGroupCreate adds a customer group to a storefront.
func (r *Resolver) CustomerGroupCreate(ctx context.Context, args struct {
	Input struct {
		StorefrontID     graphql.ID
		Name             string
		MinOrderValue    *string
		PaymentTermsDays *int32
		QuantityTiers    *[]groupTierInput
		PricingRule      *ruleInput
	}
}) (*customerGroupPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	g, err := func() (*federation.CustomerGroup, error) {
		in := args.Input
		sf, err := parseID("storefrontId", in.StorefrontID, kindStorefront)
		if err != nil {
			return nil, err
		}
		cur, err := r.storefrontCurrency(ctx, sf)
		if err != nil {
			return nil, err
		}
		gi := federation.GroupInput{StorefrontID: sf, Name: &in.Name}
		if err := groupFields(&gi, in.MinOrderValue, in.PaymentTermsDays, in.QuantityTiers, cur); err != nil {
			return nil, err
		}
		if gi.Rule, err = in.PricingRule.rule("pricingRule", cur); err != nil {
			return nil, err
		}
		return r.svc.Federation.CreateCustomerGroup(ctx, p, gi)
	}()
	return r.groupPayload(ctx, g, err)
}

// CustomerGroupUpdate changes a customer group.
func (r *Resolver) CustomerGroupUpdate(ctx context.Context, args struct {
	Input struct {
		ID               graphql.ID
		Name             *string
		MinOrderValue    *string
		PaymentTermsDays *int32
		QuantityTiers    *[]groupTierInput
	}
}) (*customerGroupPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	g, err := func() (*federation.CustomerGroup, error) {
		in := args.Input
		id, err := parseID("id", in.ID, kindCustomerGroup)
		if err != nil {
			return nil, err
		}
		cur := ""
		if in.MinOrderValue != nil {
			g, err := loadCustomerGroup(ctx, r.svc, id)
			if err != nil || g == nil {
				return nil, orNotFound(err, "customer group")
			}
			if cur, err = r.storefrontCurrency(ctx, g.StorefrontID); err != nil {
				return nil, err
			}
		}
		gi := federation.GroupInput{Name: in.Name}
		if err := groupFields(&gi, in.MinOrderValue, in.PaymentTermsDays, in.QuantityTiers, cur); err != nil {
			return nil, err
		}
		return r.svc.Federation.UpdateCustomerGroup(ctx, p, id, gi)
	}()
	return r.groupPayload(ctx, g, err)
}

// CustomerGroupAssign puts a customer into a group (or none).
func (r *Resolver) CustomerGroupAssign(ctx context.Context, args struct {
	Input struct {
		CustomerID      graphql.ID
		CustomerGroupID *graphql.ID
	}
}) (*customerGroupPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	g, err := func() (*federation.CustomerGroup, error) {
		cust, err := parseID("customerId", args.Input.CustomerID, kindCustomer)
		if err != nil {
			return nil, err
		}
		group, err := optID("customerGroupId", args.Input.CustomerGroupID, kindCustomerGroup)
		if err != nil {
			return nil, err
		}
		if _, err := r.svc.Federation.AssignCustomerGroup(ctx, p, cust, group); err != nil || group == uuid.Nil {
			return nil, err
		}
		gs, err := r.svc.Federation.CustomerGroupsByIDs(ctx, p, []uuid.UUID{group})
		if err != nil {
			return nil, err
		}
		return gs[0], nil
	}()
	return r.groupPayload(ctx, g, err)
}

// CustomerGroupPricesSet sets entries of a group's price list.
func (r *Resolver) CustomerGroupPricesSet(ctx context.Context, args struct {
	Input struct {
		CustomerGroupID graphql.ID
		Prices          []struct {
			ListingVariantID graphql.ID
			Price            string
		}
	}
}) (*customerGroupPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	g, err := func() (*federation.CustomerGroup, error) {
		id, err := parseID("customerGroupId", args.Input.CustomerGroupID, kindCustomerGroup)
		if err != nil {
			return nil, err
		}
		if len(args.Input.Prices) > federation.MaxBulk {
			return nil, apperr.Invalid("prices", "at most %d prices per call", federation.MaxBulk)
		}
		g, err := loadCustomerGroup(ctx, r.svc, id)
		if err != nil || g == nil {
			return nil, orNotFound(err, "customer group")
		}
		cur, err := r.storefrontCurrency(ctx, g.StorefrontID)
		if err != nil {
			return nil, err
		}
		prices := make([]federation.GroupPrice, len(args.Input.Prices))
		for i, gp := range args.Input.Prices {
			f := fmt.Sprintf("prices.%d", i)
			lv, err := parseID(f+".listingVariantId", gp.ListingVariantID, kindListingVariant)
			if err != nil {
				return nil, err
			}
			a, err := parseAmount(f+".price", gp.Price, cur)
			if err != nil {
				return nil, err
			}
			prices[i] = federation.GroupPrice{ListingVariantID: lv, Price: a}
		}
		return r.svc.Federation.SetGroupPrices(ctx, p, id, prices)
	}()
	return r.groupPayload(ctx, g, err)
}
