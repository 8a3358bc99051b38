package gateway

import (
	"context"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

// Global ID kinds of the tenants area.
const (
	kindConsortium = "Consortium"
	kindMember     = "Member"
	kindStorefront = "Storefront"
	kindCustomer   = "Customer"
	kindAPIKey     = "ApiKey"
)

func init() {
	registerNode(kindMember, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		m, err := loadMember(ctx, r.svc, id)
		if m == nil || err != nil {
			return nil, orNotFound(err, "member")
		}
		return &memberResolver{r, m}, nil
	})
	registerNode(kindStorefront, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		s, err := loadStorefront(ctx, r.svc, id)
		if s == nil || err != nil {
			return nil, orNotFound(err, "storefront")
		}
		return &storefrontResolver{r, s}, nil
	})
	registerNode(kindConsortium, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		c, err := r.svc.Tenants.Consortium(ctx, principal(ctx))
		if err != nil || c.ID != id {
			return nil, orNotFound(err, "consortium")
		}
		return &consortiumResolver{c}, nil
	})
}

func orNotFound(err error, what string) error {
	if err != nil {
		return err
	}
	return apperr.NotFound(what)
}

func (n *nodeResolver) ToMember() (*memberResolver, bool) {
	v, ok := n.v.(*memberResolver)
	return v, ok
}
func (n *nodeResolver) ToStorefront() (*storefrontResolver, bool) {
	v, ok := n.v.(*storefrontResolver)
	return v, ok
}
func (n *nodeResolver) ToConsortium() (*consortiumResolver, bool) {
	v, ok := n.v.(*consortiumResolver)
	return v, ok
}
func (n *nodeResolver) ToCustomer() (*customerResolver, bool) {
	v, ok := n.v.(*customerResolver)
	return v, ok
}
func (n *nodeResolver) ToApiKey() (*apiKeyResolver, bool) {
	v, ok := n.v.(*apiKeyResolver)
	return v, ok
}

// --- viewer ---

type viewerResolver struct {
	r *Resolver
	p tenants.Principal
}

// Viewer tells the caller who it is.
func (r *Resolver) Viewer(ctx context.Context) (*viewerResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	return &viewerResolver{r, p}, nil
}

func (v *viewerResolver) Kind() string { return string(v.p.Kind) }
func (v *viewerResolver) Role() *string {
	if v.p.Role == "" {
		return nil
	}
	return &v.p.Role
}
func (v *viewerResolver) Consortium(ctx context.Context) (*consortiumResolver, error) {
	return v.r.Consortium(ctx)
}
func (v *viewerResolver) Member(ctx context.Context) (*memberResolver, error) {
	if v.p.Kind != tenants.KindMember {
		return nil, nil
	}
	m, err := loadMember(ctx, v.r.svc, v.p.MemberID)
	if err != nil || m == nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{v.r, m}, nil
}
func (v *viewerResolver) Storefront(ctx context.Context) (*storefrontResolver, error) {
	if v.p.StorefrontID == uuid.Nil {
		return nil, nil
	}
	s, err := loadStorefront(ctx, v.r.svc, v.p.StorefrontID)
	if err != nil || s == nil {
		return nil, gqlError(ctx, err)
	}
	return &storefrontResolver{v.r, s}, nil
}
func (v *viewerResolver) Customer(ctx context.Context) (*customerResolver, error) {
	if v.p.Kind != tenants.KindCustomer {
		return nil, nil
	}
	c, err := v.r.svc.Tenants.SignedInCustomer(ctx, v.p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &customerResolver{c}, nil
}
func (v *viewerResolver) ApiKey(ctx context.Context) (*apiKeyResolver, error) {
	if v.p.KeyID == uuid.Nil || !(v.p.IsOperator() || v.p.CanManage()) {
		return nil, nil
	}
	keys, err := v.r.svc.Tenants.APIKeys(ctx, v.p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	for _, k := range keys {
		if k.ID == v.p.KeyID {
			return &apiKeyResolver{v.r, k}, nil
		}
	}
	return nil, nil
}

// --- consortium ---

type consortiumResolver struct{ c *tenants.Consortium }

// Consortium is the caller's consortium.
func (r *Resolver) Consortium(ctx context.Context) (*consortiumResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	c, err := r.svc.Tenants.Consortium(ctx, p)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &consortiumResolver{c}, nil
}

func (c *consortiumResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindConsortium, c.c.ID)) }
func (c *consortiumResolver) Handle() string          { return c.c.Handle }
func (c *consortiumResolver) Name() string            { return c.c.Name }
func (c *consortiumResolver) Currency() string        { return c.c.Currency }
func (c *consortiumResolver) FeeBps() int32           { return int32(c.c.FeeBps) }
func (c *consortiumResolver) FeeBasis() string        { return c.c.FeeBasis }
func (c *consortiumResolver) CreatedAt() graphql.Time { return graphql.Time{Time: c.c.CreatedAt} }

// --- members ---

type memberResolver struct {
	r *Resolver
	m *tenants.Member
}

func (m *memberResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindMember, m.m.ID)) }
func (m *memberResolver) Handle() string          { return m.m.Handle }
func (m *memberResolver) LegalName() string       { return m.m.LegalName }
func (m *memberResolver) IsSupplier() bool        { return m.m.IsSupplier }
func (m *memberResolver) IsSeller() bool          { return m.m.IsSeller }
func (m *memberResolver) Status() string          { return m.m.Status }
func (m *memberResolver) CreatedAt() graphql.Time { return graphql.Time{Time: m.m.CreatedAt} }
func (m *memberResolver) Storefronts(ctx context.Context) ([]*storefrontResolver, error) {
	list, err := loadMemberStorefronts(ctx, m.r.svc, m.m.ID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*storefrontResolver, len(list))
	for i, s := range list {
		out[i] = &storefrontResolver{m.r, s}
	}
	return out, nil
}

type memberConnection struct {
	r       *Resolver
	list    []*tenants.Member
	hasNext bool
}

func (c *memberConnection) Edges() []memberEdge {
	out := make([]memberEdge, len(c.list))
	for i, m := range c.list {
		out[i] = memberEdge{&memberResolver{c.r, m}}
	}
	return out
}
func (c *memberConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = encodeCursor(c.list[n-1].Handle)
	}
	return p
}

type memberEdge struct{ n *memberResolver }

func (e memberEdge) Cursor() string        { return encodeCursor(e.n.m.Handle) }
func (e memberEdge) Node() *memberResolver { return e.n }

// Members lists the consortium's members.
func (r *Resolver) Members(ctx context.Context, args struct {
	First  *int32
	After  *string
	Status *string
}) (*memberConnection, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if !p.IsOperator() && !p.IsMember() {
		return nil, gqlError(ctx, apperr.Forbidden("only the operator and members see the member directory"))
	}
	pg, err := pageArgs(args.First, args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	f := tenants.MemberFilter{Page: pg}
	if args.Status != nil {
		f.Status = *args.Status
	}
	list, hasNext, err := r.svc.Tenants.FindMembers(ctx, p, f)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &memberConnection{r, list, hasNext}, nil
}

// Member finds a member by handle.
func (r *Resolver) Member(ctx context.Context, args struct{ Handle string }) (*memberResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if !p.IsOperator() && !p.IsMember() {
		return nil, nil
	}
	m, err := r.svc.Tenants.MemberByHandle(ctx, p, args.Handle)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{r, m}, nil
}

type memberPayload struct {
	r    *Resolver
	m    *tenants.Member
	errs []userErrorResolver
}

func (p *memberPayload) Member() *memberResolver {
	if p.m == nil {
		return nil
	}
	return &memberResolver{p.r, p.m}
}
func (p *memberPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) memberPayload(ctx context.Context, m *tenants.Member, err error) (*memberPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		m = nil
	}
	return &memberPayload{r, m, errs}, nil
}

// MemberInvite admits a member.
func (r *Resolver) MemberInvite(ctx context.Context, args struct {
	Input struct {
		Handle, LegalName    string
		IsSupplier, IsSeller bool
		IdempotencyKey       *string
	}
}) (*memberPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	m, err := r.svc.Tenants.InviteMember(ctx, p, tenants.MemberInvite{Handle: in.Handle, LegalName: in.LegalName,
		IsSupplier: in.IsSupplier, IsSeller: in.IsSeller, IdempotencyKey: deref(in.IdempotencyKey)})
	return r.memberPayload(ctx, m, err)
}

type memberIDInput struct{ Input struct{ ID graphql.ID } }

// MemberActivate activates a member.
func (r *Resolver) MemberActivate(ctx context.Context, args memberIDInput) (*memberPayload, error) {
	return r.memberStatus(ctx, args, r.svc.Tenants.ActivateMember)
}

// MemberSuspend suspends a member.
func (r *Resolver) MemberSuspend(ctx context.Context, args memberIDInput) (*memberPayload, error) {
	return r.memberStatus(ctx, args, r.svc.Tenants.SuspendMember)
}

func (r *Resolver) memberStatus(ctx context.Context, args memberIDInput,
	f func(context.Context, tenants.Principal, uuid.UUID) (*tenants.Member, error)) (*memberPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindMember)
	if err != nil {
		return r.memberPayload(ctx, nil, err)
	}
	m, err := f(ctx, p, id)
	return r.memberPayload(ctx, m, err)
}

// --- storefronts ---

type storefrontResolver struct {
	r *Resolver
	s *tenants.Storefront
}

func (s *storefrontResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindStorefront, s.s.ID)) }
func (s *storefrontResolver) Handle() string          { return s.s.Handle }
func (s *storefrontResolver) Name() string            { return s.s.Name }
func (s *storefrontResolver) Currency() string        { return s.s.Currency }
func (s *storefrontResolver) RoutingPolicy() string   { return s.s.RoutingPolicy }
func (s *storefrontResolver) Status() string          { return s.s.Status }
func (s *storefrontResolver) CreatedAt() graphql.Time { return graphql.Time{Time: s.s.CreatedAt} }
func (s *storefrontResolver) Member(ctx context.Context) (*memberResolver, error) {
	p := principal(ctx)
	if !p.IsOperator() && p.OwnMemberID() != s.s.MemberID {
		return nil, nil // shoppers and storefront keys do not learn who runs the storefront
	}
	m, err := loadMember(ctx, s.r.svc, s.s.MemberID)
	if err != nil || m == nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{s.r, m}, nil
}

// Storefront finds a storefront by handle.
func (r *Resolver) Storefront(ctx context.Context, args struct{ Handle string }) (*storefrontResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	s, err := r.svc.Tenants.StorefrontByHandle(ctx, p, args.Handle)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &storefrontResolver{r, s}, nil
}

type storefrontPayload struct {
	r    *Resolver
	s    *tenants.Storefront
	errs []userErrorResolver
}

func (p *storefrontPayload) Storefront() *storefrontResolver {
	if p.s == nil {
		return nil
	}
	return &storefrontResolver{p.r, p.s}
}
func (p *storefrontPayload) UserErrors() []userErrorResolver { return p.errs }

func (r *Resolver) storefrontPayload(ctx context.Context, s *tenants.Storefront, err error) (*storefrontPayload, error) {
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		s = nil
	}
	return &storefrontPayload{r, s, errs}, nil
}

// StorefrontCreate opens a storefront.
func (r *Resolver) StorefrontCreate(ctx context.Context, args struct {
	Input struct {
		Handle, Name   string
		Currency       *string
		RoutingPolicy  *string
		IdempotencyKey *string
	}
}) (*storefrontPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	s, err := r.svc.Tenants.CreateStorefront(ctx, p, tenants.StorefrontCreate{Handle: in.Handle, Name: in.Name,
		Currency: deref(in.Currency), RoutingPolicy: deref(in.RoutingPolicy), IdempotencyKey: deref(in.IdempotencyKey)})
	return r.storefrontPayload(ctx, s, err)
}

// StorefrontUpdate changes a storefront.
func (r *Resolver) StorefrontUpdate(ctx context.Context, args struct {
	Input struct {
		ID            graphql.ID
		Name          *string
		RoutingPolicy *string
		Status        *string
	}
}) (*storefrontPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindStorefront)
	if err != nil {
		return r.storefrontPayload(ctx, nil, err)
	}
	in := args.Input
	s, err := r.svc.Tenants.UpdateStorefront(ctx, p, id, tenants.StorefrontUpdate{Name: in.Name, RoutingPolicy: in.RoutingPolicy, Status: in.Status})
	return r.storefrontPayload(ctx, s, err)
}

// --- customers ---

type customerResolver struct{ c *tenants.Customer }

func (c *customerResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindCustomer, c.c.ID)) }
func (c *customerResolver) Email() string           { return c.c.Email }
func (c *customerResolver) Name() string            { return c.c.Name }
func (c *customerResolver) Company() string         { return c.c.Company }
func (c *customerResolver) Kind() string            { return c.c.Kind }
func (c *customerResolver) CreatedAt() graphql.Time { return graphql.Time{Time: c.c.CreatedAt} }

type customerConnection struct {
	list    []*tenants.Customer
	hasNext bool
}

type customerEdge struct{ n *customerResolver }

func (e customerEdge) Cursor() string          { return encodeCursor(e.n.c.Email) }
func (e customerEdge) Node() *customerResolver { return e.n }

func (c *customerConnection) Edges() []customerEdge {
	out := make([]customerEdge, len(c.list))
	for i, x := range c.list {
		out[i] = customerEdge{&customerResolver{x}}
	}
	return out
}
func (c *customerConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = encodeCursor(c.list[n-1].Email)
	}
	return p
}

// Customers lists a storefront's customers.
func (r *Resolver) Customers(ctx context.Context, args struct {
	StorefrontID *graphql.ID
	First        *int32
	After        *string
}) (*customerConnection, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	sfID, err := optID("storefrontId", args.StorefrontID, kindStorefront)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	pg, err := pageArgs(args.First, args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	list, hasNext, err := r.svc.Tenants.FindCustomers(ctx, p, sfID, pg)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &customerConnection{list, hasNext}, nil
}

type customerPayload struct {
	c    *tenants.Customer
	errs []userErrorResolver
}

func (p *customerPayload) Customer() *customerResolver {
	if p.c == nil {
		return nil
	}
	return &customerResolver{p.c}
}
func (p *customerPayload) UserErrors() []userErrorResolver { return p.errs }

// CustomerCreate adds a customer to a storefront.
func (r *Resolver) CustomerCreate(ctx context.Context, args struct {
	Input struct {
		StorefrontID   *graphql.ID
		Email          string
		Name, Company  *string
		Kind           *string
		IdempotencyKey *string
	}
}) (*customerPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	sfID, err := optID("storefrontId", in.StorefrontID, kindStorefront)
	var c *tenants.Customer
	if err == nil {
		c, err = r.svc.Tenants.CreateCustomer(ctx, p, tenants.CustomerCreate{StorefrontID: sfID, Email: in.Email,
			Name: deref(in.Name), Company: deref(in.Company), Kind: deref(in.Kind), IdempotencyKey: deref(in.IdempotencyKey)})
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		c = nil
	}
	return &customerPayload{c, errs}, nil
}

// --- API keys ---

type apiKeyResolver struct {
	r *Resolver
	k *tenants.APIKey
}

func (k *apiKeyResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindAPIKey, k.k.ID)) }
func (k *apiKeyResolver) Name() string            { return k.k.Name }
func (k *apiKeyResolver) Prefix() string          { return k.k.Prefix }
func (k *apiKeyResolver) Role() string            { return k.k.Role }
func (k *apiKeyResolver) CreatedAt() graphql.Time { return graphql.Time{Time: k.k.CreatedAt} }
func (k *apiKeyResolver) RevokedAt() *graphql.Time {
	if k.k.RevokedAt == nil {
		return nil
	}
	return &graphql.Time{Time: *k.k.RevokedAt}
}
func (k *apiKeyResolver) LastUsedAt() *graphql.Time {
	if k.k.LastUsedAt == nil {
		return nil
	}
	return &graphql.Time{Time: *k.k.LastUsedAt}
}
func (k *apiKeyResolver) Storefront(ctx context.Context) (*storefrontResolver, error) {
	if k.k.StorefrontID == uuid.Nil {
		return nil, nil
	}
	s, err := loadStorefront(ctx, k.r.svc, k.k.StorefrontID)
	if err != nil || s == nil {
		return nil, gqlError(ctx, err)
	}
	return &storefrontResolver{k.r, s}, nil
}

// ApiKeys lists the keys the caller manages.
func (r *Resolver) ApiKeys(ctx context.Context) ([]*apiKeyResolver, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := r.svc.Tenants.APIKeys(ctx, p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*apiKeyResolver, len(keys))
	for i, k := range keys {
		out[i] = &apiKeyResolver{r, k}
	}
	return out, nil
}

type apiKeyCreatePayload struct {
	key    *apiKeyResolver
	secret *string
	errs   []userErrorResolver
}

func (p *apiKeyCreatePayload) ApiKey() *apiKeyResolver         { return p.key }
func (p *apiKeyCreatePayload) Secret() *string                 { return p.secret }
func (p *apiKeyCreatePayload) UserErrors() []userErrorResolver { return p.errs }

// ApiKeyCreate makes an API key and returns its secret once.
func (r *Resolver) ApiKeyCreate(ctx context.Context, args struct {
	Input struct {
		Name         *string
		Role         *string
		StorefrontID *graphql.ID
	}
}) (*apiKeyCreatePayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	sfID, err := optID("storefrontId", args.Input.StorefrontID, kindStorefront)
	var k *tenants.APIKey
	var secret string
	if err == nil {
		k, secret, err = r.svc.Tenants.CreateAPIKey(ctx, p, tenants.APIKeyCreate{Name: deref(args.Input.Name), Role: deref(args.Input.Role), StorefrontID: sfID})
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &apiKeyCreatePayload{errs: errs}, nil
	}
	return &apiKeyCreatePayload{key: &apiKeyResolver{r, k}, secret: &secret, errs: errs}, nil
}

type apiKeyPayload struct {
	key  *apiKeyResolver
	errs []userErrorResolver
}

func (p *apiKeyPayload) ApiKey() *apiKeyResolver         { return p.key }
func (p *apiKeyPayload) UserErrors() []userErrorResolver { return p.errs }

// ApiKeyRevoke revokes an API key.
func (r *Resolver) ApiKeyRevoke(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*apiKeyPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindAPIKey)
	var k *tenants.APIKey
	if err == nil {
		k, err = r.svc.Tenants.RevokeAPIKey(ctx, p, id)
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return &apiKeyPayload{errs: errs}, nil
	}
	return &apiKeyPayload{key: &apiKeyResolver{r, k}, errs: errs}, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
