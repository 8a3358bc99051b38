package imports_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/riverqueue/river"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is one consortium with the sample categories and warehouses, a supplier "acme",
// a second supplier "globex" and the import service.
type env struct {
	d      *pgtest.DB
	svc    *imports.Service
	ts     *tenants.Service
	c      uuid.UUID
	op     tenants.Principal
	acme   tenants.Principal
	globex tenants.Principal
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	d := pgtest.New(tb)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: 500})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{d: d, ts: tenants.NewService(d.App), c: c.ID, op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}}
	e.acme = e.mustMember(tb, "acme", true, false)
	e.globex = e.mustMember(tb, "globex", true, true)
	if err := imports.SeedReferenceData(ctx, d.App, c.ID); err != nil {
		tb.Fatal(err)
	}
	client, err := jobs.New(d.App, jobs.Options{Registrations: []jobs.Registration{imports.Workers(d.App), searchStub}})
	if err != nil {
		tb.Fatal(err)
	}
	e.svc = imports.NewService(d.App, client)
	return e
}

// searchStub stands in for the search package's worker, so the import's search updates
// can be enqueued (River checks kinds at insert).
func searchStub(w *river.Workers, _ *[]*river.PeriodicJob) {
	river.AddWorker(w, river.WorkFunc(func(context.Context, *river.Job[catalog.OffersChangedArgs]) error { return nil }))
}

// mustMember invites and activates a member and returns its owner principal.
func (e *env) mustMember(tb testing.TB, handle string, supplier, seller bool) tenants.Principal {
	tb.Helper()
	return tenanttest.ActiveMember(tb, e.ts, e.op, tenants.MemberInvite{Handle: handle, LegalName: handle, IsSupplier: supplier, IsSeller: seller})
}

// mustImport uploads body and runs the job to the end, returning the finished job.
func (e *env) mustImport(tb testing.TB, p tenants.Principal, format, body string) *imports.Job {
	tb.Helper()
	ctx := context.Background()
	job, err := e.svc.Create(ctx, p, format, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	if job.Status != imports.StatusQueued {
		tb.Fatalf("new job status %s", job.Status)
	}
	if err := e.svc.Run(ctx, job.Args()); err != nil {
		tb.Fatalf("Run: %v", err)
	}
	job, err = e.svc.Job(ctx, p, job.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return job
}

// allErrors reads every row error of a job.
func (e *env) allErrors(tb testing.TB, p tenants.Principal, jobID uuid.UUID) []imports.RowError {
	tb.Helper()
	var out []imports.RowError
	pg := tenants.Page{First: 100}
	for {
		es, next, err := e.svc.Errors(context.Background(), p, jobID, pg)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, es...)
		if !next {
			return out
		}
		pg.After = imports.ErrorCursor(es[len(es)-1])
	}
}

// count runs a count(*) query as the owner.
func (e *env) count(tb testing.TB, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := e.d.Owner.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return n
}

// header is the CSV header in documented order.
var header = strings.Join(imports.Columns[:], ",")

// row builds a CSV row from column=value pairs (the rest empty); values are written
// as given, so a test can quote them itself.
func row(kv map[string]string) string {
	cells := make([]string, len(imports.Columns))
	for i, c := range imports.Columns {
		cells[i] = kv[c]
	}
	return strings.Join(cells, ",")
}

// goodRow is a valid variant of offer handle with sku; over overrides columns.
func goodRow(handle, sku string, over map[string]string) string {
	kv := map[string]string{
		"offer_handle": handle, "title": "Chef's Knife " + handle, "description": "Forged steel.", "brand": "Nordhaus",
		"category_path": "home/kitchen/knives", "images": "https://img.example.com/a.jpg|https://img.example.com/b.jpg",
		"offer_status": "ACTIVE", "visibility": "CONSORTIUM", "sku": sku, "gtin": "4006381333931",
		"options": "size=M;colour=Red", "weight_grams": "250", "wholesale_price": "10.00",
		"suggested_retail_price": "19.99", "minimum_resale_price": "14.50", "price_tiers": "10:9.50|50:9.00",
		"availability": "IN_STOCK", "quantity": "40", "ships_direct": "true", "ship_from_lat": "48.1374",
		"ship_from_lng": "11.5755", "ship_from_region": "DE-BY", "ships_to_regions": "DE|AT",
		"direct_lead_time_days": "2", "direct_shipping_cost": "4.90", "warehouses": "wh-berlin|wh-lyon",
	}
	for k, v := range over {
		kv[k] = v
	}
	return row(kv)
}

func csvFile(rows ...string) string {
	return header + "\n" + strings.Join(rows, "\n") + "\n"
}

// variantRow is a further row of an offer: the offer columns left empty.
func variantRow(handle, sku string, over map[string]string) string {
	kv := map[string]string{"title": "", "description": "", "brand": "", "category_path": "", "images": "", "offer_status": "", "visibility": ""}
	for k, v := range over {
		kv[k] = v
	}
	return goodRow(handle, sku, kv)
}
