package gateway

import (
	"context"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

const kindUser = "User"

func init() {
	registerNode(kindUser, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		u, err := r.svc.Tenants.UserByID(ctx, principal(ctx), id)
		if err != nil {
			return nil, err
		}
		return &userResolver{r, u}, nil
	})
}

func (n *nodeResolver) ToUser() (*userResolver, bool) {
	v, ok := n.v.(*userResolver)
	return v, ok
}

// --- viewer ---

// User is the signed-in person's own account.
func (v *viewerResolver) User(ctx context.Context) (*userResolver, error) {
	if v.p.UserID == uuid.Nil {
		return nil, nil
	}
	u, err := v.r.svc.Tenants.UserByID(ctx, v.p, v.p.UserID)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &userResolver{v.r, u}, nil
}

// SignedIn tells whether the caller came with a Kratos session.
func (v *viewerResolver) SignedIn() bool { return v.p.IdentityID != uuid.Nil }

// --- users ---

type userResolver struct {
	r *Resolver
	u *tenants.User
}

func (u *userResolver) ID() graphql.ID          { return graphql.ID(ids.Global(kindUser, u.u.ID)) }
func (u *userResolver) Email() string           { return u.u.Email }
func (u *userResolver) Name() string            { return u.u.Name }
func (u *userResolver) Role() string            { return u.u.Role }
func (u *userResolver) Status() string          { return u.u.Status }
func (u *userResolver) CreatedAt() graphql.Time { return graphql.Time{Time: u.u.CreatedAt} }
func (u *userResolver) Member(ctx context.Context) (*memberResolver, error) {
	if u.u.MemberID == uuid.Nil {
		return nil, nil
	}
	m, err := loadMember(ctx, u.r.svc, u.u.MemberID)
	if err != nil || m == nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{u.r, m}, nil
}

type userConnection struct {
	r       *Resolver
	list    []*tenants.User
	hasNext bool
}

type userEdge struct{ n *userResolver }

func (e userEdge) Cursor() string      { return encodeCursor(e.n.u.Email) }
func (e userEdge) Node() *userResolver { return e.n }

func (c *userConnection) Edges() []userEdge {
	out := make([]userEdge, len(c.list))
	for i, u := range c.list {
		out[i] = userEdge{&userResolver{c.r, u}}
	}
	return out
}
func (c *userConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = encodeCursor(c.list[n-1].Email)
	}
	return p
}

type userListArgs struct {
	Status *string
	First  *int32
	After  *string
}

// MemberUsers lists a member's users.
func (r *Resolver) MemberUsers(ctx context.Context, args struct {
	MemberID *graphql.ID
	Status   *string
	First    *int32
	After    *string
}) (*userConnection, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	memberID, err := optID("memberId", args.MemberID, kindMember)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if p.IsOperator() && memberID == uuid.Nil {
		// Without memberId the operator would list its own users: that is operatorUsers.
		return nil, gqlError(ctx, invalidMemberID())
	}
	return r.findUsers(ctx, p, memberID, userListArgs{args.Status, args.First, args.After})
}

// OperatorUsers lists the operator's users.
func (r *Resolver) OperatorUsers(ctx context.Context, args userListArgs) (*userConnection, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.RequireOperator(); err != nil {
		return nil, gqlError(ctx, err)
	}
	return r.findUsers(ctx, p, uuid.Nil, args)
}

func (r *Resolver) findUsers(ctx context.Context, p tenants.Principal, memberID uuid.UUID, args userListArgs) (*userConnection, error) {
	pg, err := pageArgs(args.First, args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	list, hasNext, err := r.svc.Tenants.FindUsers(ctx, p, tenants.UserFilter{MemberID: memberID, Status: deref(args.Status), Page: pg})
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &userConnection{r, list, hasNext}, nil
}

type userInvitePayload struct {
	user *userResolver
	link *string
	errs []userErrorResolver
}

func (p *userInvitePayload) User() *userResolver             { return p.user }
func (p *userInvitePayload) RecoveryLink() *string           { return p.link }
func (p *userInvitePayload) UserErrors() []userErrorResolver { return p.errs }

// MemberUserInvite invites a person to work for a member.
func (r *Resolver) MemberUserInvite(ctx context.Context, args struct {
	Input struct {
		MemberID    *graphql.ID
		Email, Role string
		Name        *string
	}
}) (*userInvitePayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	memberID, err := optID("memberId", in.MemberID, kindMember)
	if err == nil && p.IsOperator() && memberID == uuid.Nil {
		err = invalidMemberID()
	}
	return r.inviteUser(ctx, p, tenants.UserInvite{MemberID: memberID, Email: in.Email, Name: deref(in.Name), Role: in.Role}, err)
}

// OperatorUserInvite invites a person to work for the operator.
func (r *Resolver) OperatorUserInvite(ctx context.Context, args struct {
	Input struct {
		Email string
		Name  *string
	}
}) (*userInvitePayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.RequireOperator(); err != nil {
		return nil, gqlError(ctx, err)
	}
	return r.inviteUser(ctx, p, tenants.UserInvite{Email: args.Input.Email, Name: deref(args.Input.Name), Role: tenants.RoleOperator}, nil)
}

func (r *Resolver) inviteUser(ctx context.Context, p tenants.Principal, in tenants.UserInvite, err error) (*userInvitePayload, error) {
	var u *tenants.User
	var link string
	if err == nil {
		u, link, err = r.svc.Tenants.InviteUser(ctx, p, in)
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &userInvitePayload{errs: errs}, nil
	}
	logger(ctx).Info("user invited", "user_id", u.ID, "role", u.Role)
	return &userInvitePayload{user: &userResolver{r, u}, link: &link, errs: errs}, nil
}

func invalidMemberID() error {
	return apperr.Invalid("memberId", "is required for the operator")
}

type userPayload struct {
	user *userResolver
	errs []userErrorResolver
}

func (p *userPayload) User() *userResolver             { return p.user }
func (p *userPayload) UserErrors() []userErrorResolver { return p.errs }

// MemberUserRemove removes a user and ends the person's sessions.
func (r *Resolver) MemberUserRemove(ctx context.Context, args struct{ Input struct{ ID graphql.ID } }) (*userPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID("id", args.Input.ID, kindUser)
	var u *tenants.User
	if err == nil {
		u, err = r.svc.Tenants.RemoveUser(ctx, p, id)
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &userPayload{errs: errs}, nil
	}
	return &userPayload{user: &userResolver{r, u}, errs: errs}, nil
}

// --- customers ---

// CustomerSignUp makes the signed-in person a customer of the X-Storefront storefront.
func (r *Resolver) CustomerSignUp(ctx context.Context, args struct {
	Input struct{ Name, Company, Kind *string }
}) (*customerPayload, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	c, err := r.svc.Tenants.SignUpCustomer(ctx, p, tenants.CustomerSignUp{Name: deref(in.Name), Company: deref(in.Company), Kind: deref(in.Kind)})
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		c = nil
	}
	return &customerPayload{c, errs}, nil
}
