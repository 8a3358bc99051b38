package gateway

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

// Global ID kinds of the catalog area. kindOffer ("Offer"), kindOfferVariant
// ("OfferVariant") and kindCategory ("Category") are declared in federation_resolvers.go,
// which references catalog objects too; one declaration each keeps the package building.
const (
	kindWarehouse         = "Warehouse"
	kindSupplierProfile   = "SupplierProfile" // keyed by the supplier's member id
	kindSourcingAgreement = "SourcingAgreement"
)

func init() {
	registerNode(kindOffer, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		o, err := loadOffer(ctx, r.svc, id)
		if o == nil || err != nil {
			return nil, orNotFound(err, "offer")
		}
		return &offerResolver{r, o}, nil
	})
	registerNode(kindOfferVariant, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		v, err := loadVariant(ctx, r.svc, id)
		if v == nil || err != nil {
			return nil, orNotFound(err, "offer variant")
		}
		return &variantResolver{r, v}, nil
	})
	registerNode(kindCategory, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		c, err := loadCategory(ctx, r.svc, id)
		if c == nil || err != nil {
			return nil, orNotFound(err, "category")
		}
		return &categoryResolver{r, c}, nil
	})
	registerNode(kindWarehouse, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		w, err := loadWarehouse(ctx, r.svc, id)
		if w == nil || err != nil {
			return nil, orNotFound(err, "warehouse")
		}
		return &warehouseResolver{w}, nil
	})
	registerNode(kindSupplierProfile, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		sp, err := loadSupplierProfile(ctx, r.svc, id)
		if sp == nil || err != nil {
			return nil, orNotFound(err, "supplier profile")
		}
		return &supplierProfileResolver{r, sp}, nil
	})
	registerNode(kindSourcingAgreement, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Catalog == nil {
			return nil, errNoCatalog
		}
		a, err := loadAgreement(ctx, r.svc, id)
		if a == nil || err != nil {
			return nil, orNotFound(err, "sourcing agreement")
		}
		return &agreementResolver{r, a}, nil
	})
}

var errNoCatalog = errors.New("gateway: catalog service not configured")

func (n *nodeResolver) ToOffer() (*offerResolver, bool) {
	v, ok := n.v.(*offerResolver)
	return v, ok
}
func (n *nodeResolver) ToOfferVariant() (*variantResolver, bool) {
	v, ok := n.v.(*variantResolver)
	return v, ok
}
func (n *nodeResolver) ToCategory() (*categoryResolver, bool) {
	v, ok := n.v.(*categoryResolver)
	return v, ok
}
func (n *nodeResolver) ToWarehouse() (*warehouseResolver, bool) {
	v, ok := n.v.(*warehouseResolver)
	return v, ok
}
func (n *nodeResolver) ToSupplierProfile() (*supplierProfileResolver, bool) {
	v, ok := n.v.(*supplierProfileResolver)
	return v, ok
}
func (n *nodeResolver) ToSourcingAgreement() (*agreementResolver, bool) {
	v, ok := n.v.(*agreementResolver)
	return v, ok
}

// catalogCaller is the authenticated caller of a catalog operation.
func (r *Resolver) catalogCaller(ctx context.Context) (tenants.Principal, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return p, err
	}
	if r.svc.Catalog == nil {
		return p, gqlError(ctx, errNoCatalog)
	}
	return p, nil
}

func gid(kind string, id uuid.UUID) graphql.ID { return graphql.ID(ids.Global(kind, id)) }

func optMember(ctx context.Context, r *Resolver, id uuid.UUID) (*memberResolver, error) {
	m, err := loadMember(ctx, r.svc, id)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if m == nil {
		return nil, nil
	}
	return &memberResolver{r, m}, nil
}

// --- categories and warehouses ---

type categoryResolver struct {
	r *Resolver
	c *catalog.Category
}

func (c *categoryResolver) ID() graphql.ID          { return gid(kindCategory, c.c.ID) }
func (c *categoryResolver) Handle() string          { return c.c.Handle }
func (c *categoryResolver) Name() string            { return c.c.Name }
func (c *categoryResolver) Path() string            { return c.c.Path }
func (c *categoryResolver) Depth() int32            { return int32(c.c.Depth()) }
func (c *categoryResolver) CreatedAt() graphql.Time { return graphql.Time{Time: c.c.CreatedAt} }
func (c *categoryResolver) Parent(ctx context.Context) (*categoryResolver, error) {
	if c.c.ParentID == nil {
		return nil, nil
	}
	p, err := loadCategory(ctx, c.r.svc, *c.c.ParentID)
	if err != nil || p == nil {
		return nil, gqlError(ctx, err)
	}
	return &categoryResolver{c.r, p}, nil
}
func (c *categoryResolver) Children(ctx context.Context) ([]*categoryResolver, error) {
	kids, err := loadCategoryChildren(ctx, c.r.svc, c.c.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*categoryResolver, len(kids))
	for i, k := range kids {
		out[i] = &categoryResolver{c.r, k}
	}
	return out, nil
}

type warehouseResolver struct{ w *catalog.Warehouse }

func (w *warehouseResolver) ID() graphql.ID          { return gid(kindWarehouse, w.w.ID) }
func (w *warehouseResolver) Handle() string          { return w.w.Handle }
func (w *warehouseResolver) Name() string            { return w.w.Name }
func (w *warehouseResolver) Latitude() float64       { return w.w.Latitude }
func (w *warehouseResolver) Longitude() float64      { return w.w.Longitude }
func (w *warehouseResolver) Region() string          { return w.w.Region }
func (w *warehouseResolver) RegionsServed() []string { return w.w.RegionsServed }
func (w *warehouseResolver) HandlingDays() int32     { return int32(w.w.HandlingDays) }
func (w *warehouseResolver) Status() string          { return w.w.Status }
func (w *warehouseResolver) CreatedAt() graphql.Time { return graphql.Time{Time: w.w.CreatedAt} }

// Categories is the consortium's category tree.
func (r *Resolver) Categories(ctx context.Context) ([]*categoryResolver, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := r.svc.Catalog.Categories(ctx, p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*categoryResolver, len(cs))
	for i, c := range cs {
		out[i] = &categoryResolver{r, c}
	}
	return out, nil
}

// Warehouses lists the consortium's warehouses.
func (r *Resolver) Warehouses(ctx context.Context) ([]*warehouseResolver, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := r.svc.Catalog.Warehouses(ctx, p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*warehouseResolver, len(ws))
	for i, w := range ws {
		out[i] = &warehouseResolver{w}
	}
	return out, nil
}

// --- supplier profiles ---

type supplierProfileResolver struct {
	r  *Resolver
	sp *catalog.SupplierProfile
}

func (s *supplierProfileResolver) ID() graphql.ID          { return gid(kindSupplierProfile, s.sp.MemberID) }
func (s *supplierProfileResolver) AgreementRequired() bool { return s.sp.AgreementRequired }
func (s *supplierProfileResolver) ShowBrand() bool         { return s.sp.ShowBrand }
func (s *supplierProfileResolver) DisplayName() string     { return s.sp.DisplayName }
func (s *supplierProfileResolver) UpdatedAt() graphql.Time { return graphql.Time{Time: s.sp.UpdatedAt} }
func (s *supplierProfileResolver) Member(ctx context.Context) (*memberResolver, error) {
	return optMember(ctx, s.r, s.sp.MemberID)
}

// SupplierProfile returns a supplier's profile, the caller's own by default.
func (r *Resolver) SupplierProfile(ctx context.Context, args struct{ SupplierID *graphql.ID }) (*supplierProfileResolver, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := optID("supplierId", args.SupplierID, kindMember)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if id == uuid.Nil {
		id = p.OwnMemberID()
	}
	sp, err := loadSupplierProfile(ctx, r.svc, id)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if sp == nil {
		return nil, nil
	}
	return &supplierProfileResolver{r, sp}, nil
}

// --- offers ---

type attributeResolver struct{ a catalog.Attribute }

func (a attributeResolver) Key() string   { return a.a.Key }
func (a attributeResolver) Value() string { return a.a.Value }

func attributes(as []catalog.Attribute) []attributeResolver {
	out := make([]attributeResolver, len(as))
	for i, a := range as {
		out[i] = attributeResolver{a}
	}
	return out
}

type offerResolver struct {
	r *Resolver
	o *catalog.Offer
}

func (o *offerResolver) ID() graphql.ID                  { return gid(kindOffer, o.o.ID) }
func (o *offerResolver) Handle() string                  { return o.o.Handle }
func (o *offerResolver) Title() string                   { return o.o.Title }
func (o *offerResolver) Description() string             { return o.o.Description }
func (o *offerResolver) Brand() string                   { return o.o.Brand }
func (o *offerResolver) Images() []string                { return o.o.Images }
func (o *offerResolver) Attributes() []attributeResolver { return attributes(o.o.Attributes) }
func (o *offerResolver) Status() string                  { return o.o.Status }
func (o *offerResolver) Visibility() string              { return o.o.Visibility }
func (o *offerResolver) Version() int32                  { return int32(o.o.Version) }
func (o *offerResolver) CreatedAt() graphql.Time         { return graphql.Time{Time: o.o.CreatedAt} }
func (o *offerResolver) UpdatedAt() graphql.Time         { return graphql.Time{Time: o.o.UpdatedAt} }
func (o *offerResolver) Category(ctx context.Context) (*categoryResolver, error) {
	if o.o.CategoryID == nil {
		return nil, nil
	}
	c, err := loadCategory(ctx, o.r.svc, *o.o.CategoryID)
	if err != nil || c == nil {
		return nil, gqlError(ctx, err)
	}
	return &categoryResolver{o.r, c}, nil
}
func (o *offerResolver) AllowList(ctx context.Context) (*[]*memberResolver, error) {
	if o.o.AllowList == nil { // not the caller's to know
		return nil, nil
	}
	out := make([]*memberResolver, 0, len(o.o.AllowList))
	for _, id := range o.o.AllowList {
		m, err := optMember(ctx, o.r, id)
		if err != nil {
			return nil, err
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return &out, nil
}
func (o *offerResolver) Supplier(ctx context.Context) (*memberResolver, error) {
	return optMember(ctx, o.r, o.o.SupplierID)
}
func (o *offerResolver) SupplierProfile(ctx context.Context) (*supplierProfileResolver, error) {
	sp, err := loadSupplierProfile(ctx, o.r.svc, o.o.SupplierID)
	if err != nil || sp == nil {
		return nil, gqlError(ctx, err)
	}
	return &supplierProfileResolver{o.r, sp}, nil
}
func (o *offerResolver) Variants(ctx context.Context) ([]*variantResolver, error) {
	vs, err := loadOfferVariants(ctx, o.r.svc, o.o.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*variantResolver, len(vs))
	for i, v := range vs {
		out[i] = &variantResolver{o.r, v}
	}
	return out, nil
}

type priceTierResolver struct {
	t        catalog.Tier
	currency string
}

func (t priceTierResolver) MinQuantity() int32    { return int32(t.t.MinQuantity) }
func (t priceTierResolver) Price() *moneyResolver { return newMoney(t.t.Price, t.currency) }

type directShippingResolver struct {
	d        *catalog.DirectShipping
	currency string
}

func (d directShippingResolver) Latitude() float64   { return d.d.Latitude }
func (d directShippingResolver) Longitude() float64  { return d.d.Longitude }
func (d directShippingResolver) Region() string      { return d.d.Region }
func (d directShippingResolver) ShipsTo() []string   { return d.d.ShipsTo }
func (d directShippingResolver) LeadTimeDays() int32 { return int32(d.d.LeadTimeDays) }
func (d directShippingResolver) ShippingCost() *moneyResolver {
	return newMoney(d.d.ShippingCost, d.currency)
}

type variantResolver struct {
	r *Resolver
	v *catalog.Variant
}

func (v *variantResolver) ID() graphql.ID               { return gid(kindOfferVariant, v.v.ID) }
func (v *variantResolver) Sku() string                  { return v.v.SKU }
func (v *variantResolver) Options() []attributeResolver { return attributes(v.v.Options) }
func (v *variantResolver) WeightGrams() int32           { return int32(v.v.WeightGrams) }
func (v *variantResolver) DiscountBps() int32           { return int32(v.v.DiscountBps) }
func (v *variantResolver) Availability() string         { return v.v.Availability }
func (v *variantResolver) Quantity() int32              { return int32(v.v.Quantity) }
func (v *variantResolver) LeadTimeDays() int32          { return int32(v.v.LeadTimeDays) }
func (v *variantResolver) Status() string               { return v.v.Status }
func (v *variantResolver) Version() int32               { return int32(v.v.Version) }
func (v *variantResolver) CreatedAt() graphql.Time      { return graphql.Time{Time: v.v.CreatedAt} }
func (v *variantResolver) UpdatedAt() graphql.Time      { return graphql.Time{Time: v.v.UpdatedAt} }
func (v *variantResolver) WholesalePrice() *moneyResolver {
	return newMoney(v.v.EffectiveWholesale, v.v.Currency)
}
func (v *variantResolver) SuggestedRetailPrice() *moneyResolver {
	return newMoney(v.v.SuggestedRetail, v.v.Currency)
}
func (v *variantResolver) MinimumResalePrice() *moneyResolver {
	if v.v.MinimumResale == nil {
		return nil
	}
	return newMoney(*v.v.MinimumResale, v.v.Currency)
}
func (v *variantResolver) Gtin() *string {
	if v.v.GTIN == "" {
		return nil
	}
	return &v.v.GTIN
}
func (v *variantResolver) PriceTiers() []priceTierResolver {
	ts := v.v.EffectiveTiers()
	out := make([]priceTierResolver, len(ts))
	for i, t := range ts {
		out[i] = priceTierResolver{t, v.v.Currency}
	}
	return out
}
func (v *variantResolver) ShipsDirect() *directShippingResolver {
	if v.v.Direct == nil {
		return nil
	}
	return &directShippingResolver{v.v.Direct, v.v.Currency}
}
func (v *variantResolver) Warehouses(ctx context.Context) ([]*warehouseResolver, error) {
	out := make([]*warehouseResolver, 0, len(v.v.WarehouseIDs))
	for _, id := range v.v.WarehouseIDs {
		w, err := loadWarehouse(ctx, v.r.svc, id)
		if err != nil {
			return nil, gqlError(ctx, err)
		}
		if w != nil {
			out = append(out, &warehouseResolver{w})
		}
	}
	return out, nil
}
func (v *variantResolver) Offer(ctx context.Context) (*offerResolver, error) {
	o, err := loadOffer(ctx, v.r.svc, v.v.OfferID)
	if err != nil || o == nil {
		return nil, gqlError(ctx, err)
	}
	return &offerResolver{v.r, o}, nil
}

type offerConnection struct {
	r       *Resolver
	list    []*catalog.Offer
	hasNext bool
}

type offerEdge struct{ n *offerResolver }

func (e offerEdge) Cursor() string       { return e.n.o.Cursor() }
func (e offerEdge) Node() *offerResolver { return e.n }

func (c *offerConnection) Edges() []offerEdge {
	out := make([]offerEdge, len(c.list))
	for i, o := range c.list {
		out[i] = offerEdge{&offerResolver{c.r, o}}
	}
	return out
}
func (c *offerConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = c.list[n-1].Cursor()
	}
	return p
}

// Offer returns an offer the caller may see.
func (r *Resolver) Offer(ctx context.Context, args struct{ ID graphql.ID }) (*offerResolver, error) {
	if _, err := r.catalogCaller(ctx); err != nil {
		return nil, err
	}
	id, ok := ids.ParseKind(string(args.ID), kindOffer)
	if !ok {
		return nil, nil
	}
	o, err := loadOffer(ctx, r.svc, id)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if o == nil {
		return nil, nil
	}
	return &offerResolver{r, o}, nil
}

// Offers lists a supplier's offers (the caller's own by default).
func (r *Resolver) Offers(ctx context.Context, args struct {
	First      *int32
	After      *string
	Status     *string
	SupplierID *graphql.ID
}) (*offerConnection, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	sup, err := optID("supplierId", args.SupplierID, kindMember)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	f := catalog.OfferFilter{SupplierID: sup, Status: deref(args.Status)}
	if args.First != nil {
		f.First = int(*args.First)
	}
	f.After = deref(args.After)
	list, hasNext, err := r.svc.Catalog.Offers(ctx, p, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &offerConnection{r, list, hasNext}, nil
}

// OfferVariant returns one of the caller's own variants by SKU.
func (r *Resolver) OfferVariant(ctx context.Context, args struct{ Sku string }) (*variantResolver, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	v, err := r.svc.Catalog.VariantBySKU(ctx, p, args.Sku)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &variantResolver{r, v}, nil
}

// --- sourcing agreements ---

type agreementResolver struct {
	r *Resolver
	a *catalog.SourcingAgreement
}

func (a *agreementResolver) ID() graphql.ID          { return gid(kindSourcingAgreement, a.a.ID) }
func (a *agreementResolver) Status() string          { return a.a.Status }
func (a *agreementResolver) DiscountBps() int32      { return int32(a.a.DiscountBps) }
func (a *agreementResolver) Message() string         { return a.a.Message }
func (a *agreementResolver) CreatedAt() graphql.Time { return graphql.Time{Time: a.a.CreatedAt} }
func (a *agreementResolver) DecidedAt() *graphql.Time {
	if a.a.DecidedAt == nil {
		return nil
	}
	return &graphql.Time{Time: *a.a.DecidedAt}
}
func (a *agreementResolver) Supplier(ctx context.Context) (*memberResolver, error) {
	return optMember(ctx, a.r, a.a.SupplierID)
}
func (a *agreementResolver) Seller(ctx context.Context) (*memberResolver, error) {
	return optMember(ctx, a.r, a.a.SellerID)
}

type agreementConnection struct {
	r       *Resolver
	list    []*catalog.SourcingAgreement
	hasNext bool
}

type agreementEdge struct{ n *agreementResolver }

func (e agreementEdge) Cursor() string           { return e.n.a.Cursor() }
func (e agreementEdge) Node() *agreementResolver { return e.n }

func (c *agreementConnection) Edges() []agreementEdge {
	out := make([]agreementEdge, len(c.list))
	for i, a := range c.list {
		out[i] = agreementEdge{&agreementResolver{c.r, a}}
	}
	return out
}
func (c *agreementConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = c.list[n-1].Cursor()
	}
	return p
}

// SourcingAgreements lists the agreements the caller is party to.
func (r *Resolver) SourcingAgreements(ctx context.Context, args struct {
	First  *int32
	After  *string
	Status *string
}) (*agreementConnection, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	f := catalog.AgreementFilter{Status: deref(args.Status)}
	if args.First != nil {
		f.First = int(*args.First)
	}
	f.After = deref(args.After)
	list, hasNext, err := r.svc.Catalog.SourcingAgreements(ctx, p, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &agreementConnection{r, list, hasNext}, nil
}

// --- change log ---

type offerChangeResolver struct {
	r *Resolver
	c *catalog.OfferChange
}

func (c *offerChangeResolver) Version() int32          { return int32(c.c.Version) }
func (c *offerChangeResolver) Actor() string           { return c.c.Actor }
func (c *offerChangeResolver) ChangedAt() graphql.Time { return graphql.Time{Time: c.c.ChangedAt} }
func (c *offerChangeResolver) Changes() []fieldChangeResolver {
	fs := c.c.Fields()
	out := make([]fieldChangeResolver, len(fs))
	for i, f := range fs {
		out[i] = fieldChangeResolver{f, c.c.Changes[f]}
	}
	return out
}
func (c *offerChangeResolver) Variant(ctx context.Context) (*variantResolver, error) {
	if c.c.VariantID == nil {
		return nil, nil
	}
	v, err := loadVariant(ctx, c.r.svc, *c.c.VariantID)
	if err != nil || v == nil {
		return nil, gqlError(ctx, err)
	}
	return &variantResolver{c.r, v}, nil
}

type fieldChangeResolver struct {
	field string
	c     catalog.FieldChange
}

func (f fieldChangeResolver) Field() string { return f.field }
func (f fieldChangeResolver) Old() string   { return string(f.c.Old) }
func (f fieldChangeResolver) New() string   { return string(f.c.New) }

type offerChangeConnection struct {
	r       *Resolver
	list    []*catalog.OfferChange
	hasNext bool
}

type offerChangeEdge struct{ n *offerChangeResolver }

func (e offerChangeEdge) Cursor() string             { return e.n.c.Cursor() }
func (e offerChangeEdge) Node() *offerChangeResolver { return e.n }

func (c *offerChangeConnection) Edges() []offerChangeEdge {
	out := make([]offerChangeEdge, len(c.list))
	for i, x := range c.list {
		out[i] = offerChangeEdge{&offerChangeResolver{c.r, x}}
	}
	return out
}
func (c *offerChangeConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = c.list[n-1].Cursor()
	}
	return p
}

// OfferChanges is an offer's change log (its supplier and the operator).
func (r *Resolver) OfferChanges(ctx context.Context, args struct {
	OfferID graphql.ID
	First   *int32
	After   *string
}) (*offerChangeConnection, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("offerId", args.OfferID, kindOffer)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	pg := tenants.Page{After: deref(args.After)}
	if args.First != nil {
		pg.First = int(*args.First)
	}
	list, hasNext, err := r.svc.Catalog.OfferChanges(ctx, p, id, pg)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &offerChangeConnection{r, list, hasNext}, nil
}

// --- mutation inputs ---

type attributeInput struct{ Key, Value string }

type priceTierInput struct {
	MinQuantity int32
	Price       string
}

type directShippingInput struct {
	Latitude, Longitude float64
	Region              string
	ShipsTo             []string
	LeadTimeDays        int32
	ShippingCost        string
}

type offerVariantInput struct {
	Sku                  string
	Gtin                 *string
	Options              *[]attributeInput
	WeightGrams          *int32
	CurrencyCode         *string
	WholesalePrice       string
	PriceTiers           *[]priceTierInput
	SuggestedRetailPrice string
	MinimumResalePrice   *string
	Availability         string
	Quantity             *int32
	LeadTimeDays         *int32
	ShipsDirect          *directShippingInput
	Warehouses           *[]string
}

func toAttributes(in *[]attributeInput) []catalog.Attribute {
	if in == nil {
		return nil
	}
	out := make([]catalog.Attribute, len(*in))
	for i, a := range *in {
		out[i] = catalog.Attribute{Key: a.Key, Value: a.Value}
	}
	return out
}

// moneyParser reads decimal amounts in one currency, collecting errors by field.
type moneyParser struct {
	currency string
	errs     []error
}

func (m *moneyParser) parse(field, s string) int64 {
	v, err := money.Parse(s, m.currency)
	if err != nil {
		m.errs = append(m.errs, apperr.Invalid(field, "%s", err.Error()))
	}
	return v
}

func (m *moneyParser) opt(field string, s *string) *int64 {
	if s == nil {
		return nil
	}
	v := m.parse(field, *s)
	return &v
}

func (m *moneyParser) tiers(field string, in *[]priceTierInput) []catalog.Tier {
	if in == nil {
		return nil
	}
	out := make([]catalog.Tier, len(*in))
	for i, t := range *in {
		out[i] = catalog.Tier{MinQuantity: int(t.MinQuantity), Price: m.parse(field+"."+strconv.Itoa(i)+".price", t.Price)}
	}
	return out
}

func (m *moneyParser) direct(field string, in *directShippingInput) *catalog.DirectShipping {
	if in == nil {
		return nil
	}
	return &catalog.DirectShipping{Latitude: in.Latitude, Longitude: in.Longitude, Region: in.Region, ShipsTo: in.ShipsTo,
		LeadTimeDays: int(in.LeadTimeDays), ShippingCost: m.parse(field+".shippingCost", in.ShippingCost)}
}

// currencyOf is the currency amounts of a mutation are read in: the input's, else the
// consortium's (the domain rejects any other).
func (r *Resolver) currencyOf(ctx context.Context, p tenants.Principal, given *string) (string, error) {
	if given != nil {
		return *given, nil
	}
	if r.svc.Tenants == nil {
		return "", errors.New("gateway: tenants service not configured")
	}
	c, err := r.svc.Tenants.Consortium(ctx, p)
	if err != nil {
		return "", err
	}
	return c.Currency, nil
}

// toVariant converts a variant input; field prefixes error paths ("variants.0." or "").
func (m *moneyParser) toVariant(field string, in offerVariantInput) catalog.VariantCreate {
	v := catalog.VariantCreate{
		SKU: in.Sku, GTIN: deref(in.Gtin), Options: toAttributes(in.Options), Currency: deref(in.CurrencyCode),
		Prices: catalog.VariantPrices{
			Wholesale:       m.parse(field+"wholesalePrice", in.WholesalePrice),
			SuggestedRetail: m.parse(field+"suggestedRetailPrice", in.SuggestedRetailPrice),
			MinimumResale:   m.opt(field+"minimumResalePrice", in.MinimumResalePrice),
			Tiers:           m.tiers(field+"priceTiers", in.PriceTiers),
		},
		Availability: in.Availability, Direct: m.direct(field+"shipsDirect", in.ShipsDirect),
	}
	if in.WeightGrams != nil {
		v.WeightGrams = int(*in.WeightGrams)
	}
	if in.Quantity != nil {
		v.Quantity = int(*in.Quantity)
	}
	if in.LeadTimeDays != nil {
		v.LeadTimeDays = int(*in.LeadTimeDays)
	}
	if in.Warehouses != nil {
		v.Warehouses = *in.Warehouses
	}
	return v
}

// --- offer mutations ---

type offerPayload struct {
	r    *Resolver
	o    *catalog.Offer
	errs []userErrorResolver
}

func (p *offerPayload) Offer() *offerResolver {
	if p.o == nil {
		return nil
	}
	return &offerResolver{p.r, p.o}
}
func (p *offerPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) offerPayload(ctx context.Context, o *catalog.Offer, err error) (*offerPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		o = nil
	}
	return &offerPayload{r, o, errs}, nil
}

// OfferCreate publishes an offer with its variants.
func (r *Resolver) OfferCreate(ctx context.Context, args struct {
	Input struct {
		Handle         *string
		Title          string
		Description    *string
		Brand          *string
		CategoryID     *graphql.ID
		Images         *[]string
		Attributes     *[]attributeInput
		Status         *string
		Visibility     *string
		AllowList      *[]string
		Variants       *[]offerVariantInput
		IdempotencyKey *string
	}
}) (*offerPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	catID, err := optID("categoryId", in.CategoryID, kindCategory)
	if err != nil {
		return r.offerPayload(ctx, nil, err)
	}
	oc := catalog.OfferCreate{Handle: deref(in.Handle), Title: in.Title, Description: deref(in.Description), Brand: deref(in.Brand),
		Attributes: toAttributes(in.Attributes), Status: deref(in.Status), Visibility: deref(in.Visibility), IdempotencyKey: deref(in.IdempotencyKey)}
	if catID != uuid.Nil {
		oc.CategoryID = &catID
	}
	if in.Images != nil {
		oc.Images = *in.Images
	}
	if in.AllowList != nil {
		oc.AllowList = *in.AllowList
	}
	if in.Variants != nil {
		var given *string
		for _, v := range *in.Variants {
			if v.CurrencyCode != nil {
				given = v.CurrencyCode
			}
		}
		currency, err := r.currencyOf(ctx, p, given)
		if err != nil {
			return r.offerPayload(ctx, nil, err)
		}
		m := &moneyParser{currency: currency}
		for i, v := range *in.Variants {
			oc.Variants = append(oc.Variants, m.toVariant("variants."+strconv.Itoa(i)+".", v))
		}
		if len(m.errs) > 0 {
			return r.offerPayload(ctx, nil, errors.Join(m.errs...))
		}
	}
	o, err := r.svc.Catalog.CreateOffer(ctx, p, oc)
	return r.offerPayload(ctx, o, err)
}

// OfferUpdate changes one of the caller's offers.
func (r *Resolver) OfferUpdate(ctx context.Context, args struct {
	Input struct {
		ID            graphql.ID
		Title         *string
		Description   *string
		Brand         *string
		CategoryID    *graphql.ID
		ClearCategory *bool
		Images        *[]string
		Attributes    *[]attributeInput
		Status        *string
		Visibility    *string
		AllowList     *[]string
	}
}) (*offerPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	id, err := parseID("id", in.ID, kindOffer)
	if err != nil {
		return r.offerPayload(ctx, nil, err)
	}
	catID, err := optID("categoryId", in.CategoryID, kindCategory)
	if err != nil {
		return r.offerPayload(ctx, nil, err)
	}
	up := catalog.OfferUpdate{Title: in.Title, Description: in.Description, Brand: in.Brand, Images: in.Images,
		Status: in.Status, Visibility: in.Visibility, AllowList: in.AllowList}
	if catID != uuid.Nil {
		up.CategoryID = &catID
	} else if deref(in.ClearCategory) {
		none := uuid.Nil
		up.CategoryID = &none
	}
	if in.Attributes != nil {
		as := toAttributes(in.Attributes)
		up.Attributes = &as
	}
	o, err := r.svc.Catalog.UpdateOffer(ctx, p, id, up)
	return r.offerPayload(ctx, o, err)
}

// OfferDiscontinue discontinues one of the caller's offers.
func (r *Resolver) OfferDiscontinue(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*offerPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindOffer)
	if err != nil {
		return r.offerPayload(ctx, nil, err)
	}
	o, err := r.svc.Catalog.DiscontinueOffer(ctx, p, id)
	return r.offerPayload(ctx, o, err)
}

// --- variant mutations ---

type variantPayload struct {
	r    *Resolver
	v    *catalog.Variant
	errs []userErrorResolver
}

func (p *variantPayload) OfferVariant() *variantResolver {
	if p.v == nil {
		return nil
	}
	return &variantResolver{p.r, p.v}
}
func (p *variantPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) variantPayload(ctx context.Context, v *catalog.Variant, err error) (*variantPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		v = nil
	}
	return &variantPayload{r, v, errs}, nil
}

// OfferVariantCreate adds a variant to one of the caller's offers.
func (r *Resolver) OfferVariantCreate(ctx context.Context, args struct {
	Input struct {
		OfferID graphql.ID
		offerVariantInput
		IdempotencyKey *string
	}
}) (*variantPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	offerID, err := parseID("offerId", in.OfferID, kindOffer)
	if err != nil {
		return r.variantPayload(ctx, nil, err)
	}
	currency, err := r.currencyOf(ctx, p, in.CurrencyCode)
	if err != nil {
		return r.variantPayload(ctx, nil, err)
	}
	m := &moneyParser{currency: currency}
	vc := m.toVariant("", in.offerVariantInput)
	if len(m.errs) > 0 {
		return r.variantPayload(ctx, nil, errors.Join(m.errs...))
	}
	vc.IdempotencyKey = deref(in.IdempotencyKey)
	v, err := r.svc.Catalog.CreateVariant(ctx, p, offerID, vc)
	return r.variantPayload(ctx, v, err)
}

// OfferVariantUpdate changes one of the caller's variants.
func (r *Resolver) OfferVariantUpdate(ctx context.Context, args struct {
	Input struct {
		ID                      graphql.ID
		Gtin                    *string
		Options                 *[]attributeInput
		WeightGrams             *int32
		CurrencyCode            *string
		WholesalePrice          *string
		PriceTiers              *[]priceTierInput
		SuggestedRetailPrice    *string
		MinimumResalePrice      *string
		ClearMinimumResalePrice *bool
		Availability            *string
		Quantity                *int32
		LeadTimeDays            *int32
		ShipsDirect             *directShippingInput
		StopShippingDirect      *bool
		Warehouses              *[]string
		Status                  *string
	}
}) (*variantPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	id, err := parseID("id", in.ID, kindOfferVariant)
	if err != nil {
		return r.variantPayload(ctx, nil, err)
	}
	up := catalog.VariantUpdate{GTIN: in.Gtin, Currency: in.CurrencyCode, Availability: in.Availability, Warehouses: in.Warehouses,
		Status: in.Status, ClearMinimumResale: deref(in.ClearMinimumResalePrice), NoDirect: deref(in.StopShippingDirect)}
	if in.Options != nil {
		as := toAttributes(in.Options)
		up.Options = &as
	}
	up.WeightGrams = intPtr(in.WeightGrams)
	up.Quantity = intPtr(in.Quantity)
	up.LeadTimeDays = intPtr(in.LeadTimeDays)
	if in.WholesalePrice != nil || in.SuggestedRetailPrice != nil || in.MinimumResalePrice != nil || in.PriceTiers != nil || in.ShipsDirect != nil {
		currency, err := r.currencyOf(ctx, p, in.CurrencyCode)
		if err != nil {
			return r.variantPayload(ctx, nil, err)
		}
		m := &moneyParser{currency: currency}
		up.Wholesale = m.opt("wholesalePrice", in.WholesalePrice)
		up.SuggestedRetail = m.opt("suggestedRetailPrice", in.SuggestedRetailPrice)
		up.MinimumResale = m.opt("minimumResalePrice", in.MinimumResalePrice)
		if in.PriceTiers != nil {
			ts := m.tiers("priceTiers", in.PriceTiers)
			up.Tiers = &ts
		}
		up.Direct = m.direct("shipsDirect", in.ShipsDirect)
		if len(m.errs) > 0 {
			return r.variantPayload(ctx, nil, errors.Join(m.errs...))
		}
	}
	v, err := r.svc.Catalog.UpdateVariant(ctx, p, id, up)
	return r.variantPayload(ctx, v, err)
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// OfferVariantDiscontinue discontinues one of the caller's variants.
func (r *Resolver) OfferVariantDiscontinue(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*variantPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindOfferVariant)
	if err != nil {
		return r.variantPayload(ctx, nil, err)
	}
	v, err := r.svc.Catalog.DiscontinueVariant(ctx, p, id)
	return r.variantPayload(ctx, v, err)
}

type availabilityResultResolver struct{ r catalog.AvailabilityResult }

func (a availabilityResultResolver) Sku() string   { return a.r.SKU }
func (a availabilityResultResolver) Changed() bool { return a.r.Changed }
func (a availabilityResultResolver) VariantID() *graphql.ID {
	if a.r.VariantID == uuid.Nil {
		return nil
	}
	id := gid(kindOfferVariant, a.r.VariantID)
	return &id
}
func (a availabilityResultResolver) Version() *int32 {
	if a.r.VariantID == uuid.Nil {
		return nil
	}
	v := int32(a.r.Version)
	return &v
}
func (a availabilityResultResolver) Error() *userErrorResolver {
	if a.r.Err == nil {
		return nil
	}
	return &userErrorResolver{a.r.Err}
}

type setAvailabilityPayload struct {
	results []availabilityResultResolver
	errs    []userErrorResolver
}

func (p *setAvailabilityPayload) Results() []availabilityResultResolver { return p.results }
func (p *setAvailabilityPayload) UserErrors() []userErrorResolver       { return p.errs }

// OfferVariantsSetAvailability declares the availability of up to 1,000 of the caller's
// SKUs in one statement.
func (r *Resolver) OfferVariantsSetAvailability(ctx context.Context, args struct {
	Input struct {
		Updates []struct {
			Sku          string
			Availability string
			Quantity     *int32
			LeadTimeDays *int32
		}
	}
}) (*setAvailabilityPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	ups := make([]catalog.AvailabilityUpdate, len(args.Input.Updates))
	for i, u := range args.Input.Updates {
		ups[i] = catalog.AvailabilityUpdate{SKU: u.Sku, Availability: u.Availability}
		if u.Quantity != nil {
			ups[i].Quantity = int(*u.Quantity)
		}
		if u.LeadTimeDays != nil {
			ups[i].LeadTimeDays = int(*u.LeadTimeDays)
		}
	}
	res, err := r.svc.Catalog.SetAvailability(ctx, p, ups)
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	out := &setAvailabilityPayload{results: make([]availabilityResultResolver, len(res)), errs: errs}
	for i, x := range res {
		out.results[i] = availabilityResultResolver{x}
	}
	return out, nil
}

// --- categories, warehouses, profiles ---

type categoryPayload struct {
	r    *Resolver
	c    *catalog.Category
	errs []userErrorResolver
}

func (p *categoryPayload) Category() *categoryResolver {
	if p.c == nil {
		return nil
	}
	return &categoryResolver{p.r, p.c}
}
func (p *categoryPayload) UserErrors() []userErrorResolver { return p.errs }

// CategoryCreate adds a category (operator).
func (r *Resolver) CategoryCreate(ctx context.Context, args struct {
	Input struct {
		ParentID       *graphql.ID
		Handle, Name   string
		IdempotencyKey *string
	}
}) (*categoryPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	cc := catalog.CategoryCreate{Handle: in.Handle, Name: in.Name, IdempotencyKey: deref(in.IdempotencyKey)}
	parent, err := optID("parentId", in.ParentID, kindCategory)
	var c *catalog.Category
	if err == nil {
		if parent != uuid.Nil {
			cc.ParentID = &parent
		}
		c, err = r.svc.Catalog.CreateCategory(ctx, p, cc)
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		c = nil
	}
	return &categoryPayload{r, c, errs}, nil
}

type warehousePayload struct {
	w    *catalog.Warehouse
	errs []userErrorResolver
}

func (p *warehousePayload) Warehouse() *warehouseResolver {
	if p.w == nil {
		return nil
	}
	return &warehouseResolver{p.w}
}
func (p *warehousePayload) UserErrors() []userErrorResolver { return p.errs }

// WarehouseCreate adds a warehouse (operator).
func (r *Resolver) WarehouseCreate(ctx context.Context, args struct {
	Input struct {
		Handle, Name        string
		Latitude, Longitude float64
		Region              string
		RegionsServed       *[]string
		HandlingDays        *int32
		IdempotencyKey      *string
	}
}) (*warehousePayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	wc := catalog.WarehouseCreate{Handle: in.Handle, Name: in.Name, Latitude: in.Latitude, Longitude: in.Longitude, Region: in.Region,
		HandlingDays: 1, IdempotencyKey: deref(in.IdempotencyKey)}
	if in.RegionsServed != nil {
		wc.RegionsServed = *in.RegionsServed
	}
	if in.HandlingDays != nil {
		wc.HandlingDays = int(*in.HandlingDays)
	}
	w, err := r.svc.Catalog.CreateWarehouse(ctx, p, wc)
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		w = nil
	}
	return &warehousePayload{w, errs}, nil
}

type supplierProfilePayload struct {
	r    *Resolver
	sp   *catalog.SupplierProfile
	errs []userErrorResolver
}

func (p *supplierProfilePayload) SupplierProfile() *supplierProfileResolver {
	if p.sp == nil {
		return nil
	}
	return &supplierProfileResolver{p.r, p.sp}
}
func (p *supplierProfilePayload) UserErrors() []userErrorResolver { return p.errs }

// SupplierProfileUpdate changes the caller's supplier profile.
func (r *Resolver) SupplierProfileUpdate(ctx context.Context, args struct {
	Input struct {
		AgreementRequired *bool
		ShowBrand         *bool
		DisplayName       *string
	}
}) (*supplierProfilePayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	sp, err := r.svc.Catalog.UpdateSupplierProfile(ctx, p, catalog.SupplierProfileUpdate{
		AgreementRequired: in.AgreementRequired, ShowBrand: in.ShowBrand, DisplayName: in.DisplayName})
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		sp = nil
	}
	return &supplierProfilePayload{r, sp, errs}, nil
}

// --- sourcing agreement mutations ---

type agreementPayload struct {
	r    *Resolver
	a    *catalog.SourcingAgreement
	errs []userErrorResolver
}

func (p *agreementPayload) SourcingAgreement() *agreementResolver {
	if p.a == nil {
		return nil
	}
	return &agreementResolver{p.r, p.a}
}
func (p *agreementPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) agreementPayload(ctx context.Context, a *catalog.SourcingAgreement, err error) (*agreementPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		a = nil
	}
	return &agreementPayload{r, a, errs}, nil
}

// SourcingAgreementRequest asks a supplier for access to its offers.
func (r *Resolver) SourcingAgreementRequest(ctx context.Context, args struct {
	Input struct {
		SupplierID graphql.ID
		Message    *string
	}
}) (*agreementPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	sup, err := parseID("supplierId", args.Input.SupplierID, kindMember)
	if err != nil {
		return r.agreementPayload(ctx, nil, err)
	}
	a, err := r.svc.Catalog.RequestAgreement(ctx, p, sup, deref(args.Input.Message))
	return r.agreementPayload(ctx, a, err)
}

// SourcingAgreementApprove approves a request (supplier).
func (r *Resolver) SourcingAgreementApprove(ctx context.Context, args struct {
	Input struct {
		ID          graphql.ID
		DiscountBps *int32
	}
}) (*agreementPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindSourcingAgreement)
	if err != nil {
		return r.agreementPayload(ctx, nil, err)
	}
	bps := 0
	if args.Input.DiscountBps != nil {
		bps = int(*args.Input.DiscountBps)
	}
	a, err := r.svc.Catalog.ApproveAgreement(ctx, p, id, bps)
	return r.agreementPayload(ctx, a, err)
}

type agreementIDInput struct{ Input struct{ ID graphql.ID } }

// SourcingAgreementDecline declines a request (supplier).
func (r *Resolver) SourcingAgreementDecline(ctx context.Context, args agreementIDInput) (*agreementPayload, error) {
	return r.agreementAction(ctx, args, func(s *catalog.Service) func(context.Context, tenants.Principal, uuid.UUID) (*catalog.SourcingAgreement, error) {
		return s.DeclineAgreement
	})
}

// SourcingAgreementRevoke ends an agreement (either party).
func (r *Resolver) SourcingAgreementRevoke(ctx context.Context, args agreementIDInput) (*agreementPayload, error) {
	return r.agreementAction(ctx, args, func(s *catalog.Service) func(context.Context, tenants.Principal, uuid.UUID) (*catalog.SourcingAgreement, error) {
		return s.RevokeAgreement
	})
}

func (r *Resolver) agreementAction(ctx context.Context, args agreementIDInput,
	f func(*catalog.Service) func(context.Context, tenants.Principal, uuid.UUID) (*catalog.SourcingAgreement, error)) (*agreementPayload, error) {
	p, err := r.catalogCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindSourcingAgreement)
	if err != nil {
		return r.agreementPayload(ctx, nil, err)
	}
	a, err := f(r.svc.Catalog)(ctx, p, id)
	return r.agreementPayload(ctx, a, err)
}
