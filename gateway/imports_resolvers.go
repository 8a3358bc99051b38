package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

// The bulk import area: importJob, importJobs, offersImport (schema/imports.graphql).

const kindImportJob = imports.GlobalKind

var errNoImports = errors.New("gateway: imports service not configured")

func init() {
	registerNode(kindImportJob, func(ctx context.Context, r *Resolver, id uuid.UUID) (any, error) {
		if r.svc.Imports == nil {
			return nil, errNoImports
		}
		j, err := r.svc.Imports.Job(ctx, principal(ctx), id)
		if err != nil {
			return nil, err
		}
		return &importJobResolver{r, j}, nil
	})
}

func (n *nodeResolver) ToImportJob() (*importJobResolver, bool) {
	v, ok := n.v.(*importJobResolver)
	return v, ok
}

func (r *Resolver) importsCaller(ctx context.Context) (tenants.Principal, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return p, err
	}
	if r.svc.Imports == nil {
		return p, gqlError(ctx, errNoImports)
	}
	return p, nil
}

// importsPage reads first/after; the service's cursors are opaque already.
func importsPage(first *int32, after *string) (tenants.Page, error) {
	pg := tenants.Page{After: deref(after)}
	if first != nil {
		if *first < 0 {
			return pg, apperr.Invalid("first", "must not be negative")
		}
		pg.First = int(*first)
	}
	return pg, nil
}

type importJobResolver struct {
	r *Resolver
	j *imports.Job
}

func (j *importJobResolver) ID() graphql.ID   { return graphql.ID(ids.Global(kindImportJob, j.j.ID)) }
func (j *importJobResolver) Format() string   { return j.j.Format }
func (j *importJobResolver) Status() string   { return j.j.Status }
func (j *importJobResolver) TotalRows() int32 { return int32(j.j.TotalRows) }
func (j *importJobResolver) Processed() int32 { return int32(j.j.Processed) }
func (j *importJobResolver) Created() int32   { return int32(j.j.Created) }
func (j *importJobResolver) Updated() int32   { return int32(j.j.Updated) }
func (j *importJobResolver) Failed() int32    { return int32(j.j.Failed) }
func (j *importJobResolver) Progress() float64 {
	return j.j.Progress()
}
func (j *importJobResolver) Error() *string {
	if j.j.Error == "" {
		return nil
	}
	return &j.j.Error
}
func (j *importJobResolver) CreatedAt() graphql.Time { return graphql.Time{Time: j.j.CreatedAt} }
func (j *importJobResolver) StartedAt() *graphql.Time {
	if j.j.StartedAt == nil {
		return nil
	}
	return &graphql.Time{Time: *j.j.StartedAt}
}
func (j *importJobResolver) FinishedAt() *graphql.Time {
	if j.j.FinishedAt == nil {
		return nil
	}
	return &graphql.Time{Time: *j.j.FinishedAt}
}

func (j *importJobResolver) Supplier(ctx context.Context) (*memberResolver, error) {
	m, err := loadMember(ctx, j.r.svc, j.j.SupplierID)
	if err != nil || m == nil {
		return nil, gqlError(ctx, err)
	}
	return &memberResolver{j.r, m}, nil
}

// importErrorsKey is one job's errors page, batched across the jobs of a list.
type importErrorsKey struct {
	job   uuid.UUID
	first int
	after string
}

func (j *importJobResolver) Errors(ctx context.Context, args struct {
	First *int32
	After *string
}) (*importErrorConnection, error) {
	pg, err := importsPage(args.First, args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	svc := j.r.svc.Imports
	page, err := loader(ctx, "importErrors", func(ctx context.Context, keys []importErrorsKey) ([]imports.JobErrors, error) {
		// One query per distinct page request (normally one for the whole list).
		out := make([]imports.JobErrors, len(keys))
		groups := map[tenants.Page][]int{}
		for i, k := range keys {
			p := tenants.Page{First: k.first, After: k.after}
			groups[p] = append(groups[p], i)
		}
		for p, idx := range groups {
			jobIDs := make([]uuid.UUID, len(idx))
			for n, i := range idx {
				jobIDs[n] = keys[i].job
			}
			res, err := svc.ErrorsOfJobs(ctx, principal(ctx), jobIDs, p)
			if err != nil {
				return nil, err
			}
			for n, i := range idx {
				out[i] = res[n]
			}
		}
		return out, nil
	}).Load(ctx, importErrorsKey{j.j.ID, pg.First, pg.After})()
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &importErrorConnection{page}, nil
}

type importErrorResolver struct{ e imports.RowError }

func (e importErrorResolver) Row() int32 { return int32(e.e.Row) }
func (e importErrorResolver) Field() *string {
	if e.e.Field == "" {
		return nil
	}
	return &e.e.Field
}
func (e importErrorResolver) Message() string { return e.e.Message }

type importErrorEdge struct{ e imports.RowError }

func (e importErrorEdge) Cursor() string            { return imports.ErrorCursor(e.e) }
func (e importErrorEdge) Node() importErrorResolver { return importErrorResolver(e) }

type importErrorConnection struct{ page imports.JobErrors }

func (c *importErrorConnection) Edges() []importErrorEdge {
	out := make([]importErrorEdge, len(c.page.Errors))
	for i, e := range c.page.Errors {
		out[i] = importErrorEdge{e}
	}
	return out
}
func (c *importErrorConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.page.HasNext}
	if n := len(c.page.Errors); n > 0 {
		p.end = imports.ErrorCursor(c.page.Errors[n-1])
	}
	return p
}

type importJobEdge struct{ n *importJobResolver }

func (e importJobEdge) Cursor() string           { return imports.JobCursor(e.n.j) }
func (e importJobEdge) Node() *importJobResolver { return e.n }

type importJobConnection struct {
	r       *Resolver
	list    []*imports.Job
	hasNext bool
}

func (c *importJobConnection) Edges() []importJobEdge {
	out := make([]importJobEdge, len(c.list))
	for i, j := range c.list {
		out[i] = importJobEdge{&importJobResolver{c.r, j}}
	}
	return out
}
func (c *importJobConnection) PageInfo() pageInfo {
	p := pageInfo{hasNext: c.hasNext}
	if n := len(c.list); n > 0 {
		p.end = imports.JobCursor(c.list[n-1])
	}
	return p
}

// ImportJob is one import job the caller may see (null otherwise).
func (r *Resolver) ImportJob(ctx context.Context, args struct{ ID graphql.ID }) (*importJobResolver, error) {
	p, err := r.importsCaller(ctx)
	if err != nil {
		return nil, err
	}
	id, ok := ids.ParseKind(string(args.ID), kindImportJob)
	if !ok {
		return nil, nil
	}
	j, err := r.svc.Imports.Job(ctx, p, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &importJobResolver{r, j}, nil
}

// ImportJobs lists the caller's import jobs (the operator: all of the consortium's).
func (r *Resolver) ImportJobs(ctx context.Context, args struct {
	First *int32
	After *string
}) (*importJobConnection, error) {
	p, err := r.importsCaller(ctx)
	if err != nil {
		return nil, err
	}
	pg, err := importsPage(args.First, args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	list, hasNext, err := r.svc.Imports.Jobs(ctx, p, pg)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &importJobConnection{r, list, hasNext}, nil
}

type offersImportPayload struct {
	r      *Resolver
	j      *imports.Job
	errors []userErrorResolver
}

func (p *offersImportPayload) ImportJob() *importJobResolver {
	if p.j == nil {
		return nil
	}
	return &importJobResolver{p.r, p.j}
}
func (p *offersImportPayload) UserErrors() []userErrorResolver { return p.errors }

// OffersImport queues the import of a small file sent inline.
func (r *Resolver) OffersImport(ctx context.Context, args struct {
	Input struct {
		Format  string
		Content string
	}
}) (*offersImportPayload, error) {
	p, err := r.importsCaller(ctx)
	if err != nil {
		return nil, err
	}
	var j *imports.Job
	if len(args.Input.Content) > imports.MaxInlineBytes {
		err = apperr.Invalid("content", "is larger than %d KiB: upload the file to POST /v1/imports/offers instead", imports.MaxInlineBytes>>10)
	} else {
		j, err = r.svc.Imports.Create(ctx, p, args.Input.Format, strings.NewReader(args.Input.Content))
		if e := apperr.As(err); e != nil && len(e.Field) == 1 && (e.Field[0] == "body" || e.Field[0] == "header") {
			// The file is the content field here.
			err = &apperr.Error{Code: e.Code, Field: []string{"content"}, Message: e.Message}
		}
	}
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		j = nil
	}
	return &offersImportPayload{r, j, errs}, nil
}
