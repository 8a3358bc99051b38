package gateway_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/riverqueue/river"
)

// withImports serves w with the import service (its jobs run by the test, not River).
func withImports(t *testing.T, w *world) *imports.Service {
	t.Helper()
	stub := func(wk *river.Workers, _ *[]*river.PeriodicJob) {
		river.AddWorker(wk, river.WorkFunc(func(context.Context, *river.Job[catalog.OffersChangedArgs]) error { return nil }))
	}
	client, err := jobs.New(w.db.App, jobs.Options{Registrations: []jobs.Registration{imports.Workers(w.db.App), stub}})
	if err != nil {
		t.Fatal(err)
	}
	svc := imports.NewService(w.db.App, client)
	srv, err := gateway.NewServer(gateway.Config{Introspection: true}, gateway.Services{Pool: w.db.App, Tenants: w.svc, Imports: svc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(srv)
	t.Cleanup(w.srv.Close)
	if err := imports.SeedReferenceData(context.Background(), w.db.App, w.c1.ID); err != nil {
		t.Fatal(err)
	}
	return svc
}

const importMutation = `mutation($in: OffersImportInput!) { offersImport(input: $in) {
	importJob { id status totalRows } userErrors { field message code } } }`

const importJobQuery = `query($id: ID!) { importJob(id: $id) { id status format totalRows processed created updated failed progress
	error createdAt startedAt finishedAt supplier { handle }
	errors(first: 1) { edges { cursor node { row field message } } pageInfo { hasNextPage endCursor } } } }`

func importCSV(handle string, bad bool) string {
	price := "10.00"
	if bad {
		price = "-10.00"
	}
	row := make([]string, len(imports.Columns))
	for i, c := range imports.Columns {
		row[i] = map[string]string{"offer_handle": handle, "title": "Lamp " + handle, "sku": strings.ToUpper(handle),
			"wholesale_price": price, "suggested_retail_price": "20.00", "quantity": "5", "warehouses": "wh-berlin"}[c]
	}
	return strings.Join(imports.Columns[:], ",") + "\n" + strings.Join(row, ",") + "\n"
}

func TestImportsGraphQL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc := withImports(t, w)
	ctx := context.Background()

	// queue uploads content as one-supplier and runs the job to the end.
	queue := func(content string) string {
		t.Helper()
		data := w.ok("one-supplier", importMutation, map[string]any{"in": map[string]any{"format": "CSV", "content": content}})
		p := noUserErrors(t, data, "offersImport")
		gid := dig(p, "importJob", "id").(string)
		if dig(p, "importJob", "status") != "QUEUED" || dig(p, "importJob", "totalRows") != float64(1) {
			t.Fatalf("payload %v", p)
		}
		id, _ := ids.ParseKind(gid, imports.GlobalKind)
		if err := svc.Run(ctx, imports.Args{JobID: id, ConsortiumID: w.c1.ID, SupplierID: w.members["one-supplier"].ID}); err != nil {
			t.Fatal(err)
		}
		return gid
	}

	t.Run("OK", func(t *testing.T) {
		gid := queue(importCSV("lamp-1", true))
		job := w.ok("one-supplier", importJobQuery, map[string]any{"id": gid})["importJob"]
		if dig(job, "status") != "SUCCEEDED" || dig(job, "failed") != float64(1) || dig(job, "progress") != float64(1) ||
			dig(job, "supplier", "handle") != "one-supplier" || dig(job, "format") != "CSV" || dig(job, "finishedAt") == nil {
			t.Fatalf("job %v", job)
		}
		edges := dig(job, "errors", "edges").([]any)
		if len(edges) != 1 || dig(edges[0], "node", "row") != float64(2) || dig(edges[0], "node", "field") != "wholesale_price" ||
			dig(job, "errors", "pageInfo", "hasNextPage") != false {
			t.Fatalf("errors %v", dig(job, "errors"))
		}
		// node(id:) resolves it too.
		n := w.ok("one-supplier", `query($id: ID!) { node(id: $id) { ... on ImportJob { status } } }`, map[string]any{"id": gid})
		if dig(n, "node", "status") != "SUCCEEDED" {
			t.Fatalf("node %v", n)
		}
	})

	t.Run("OKOperatorListsJobs", func(t *testing.T) {
		data := w.ok("one-op", `{ importJobs(first: 10) { edges { node { id supplier { handle } } } pageInfo { hasNextPage } } }`, nil)
		if edges := dig(data, "importJobs", "edges").([]any); len(edges) == 0 {
			t.Fatalf("operator lists no jobs: %v", data)
		}
	})

	t.Run("ErrOthersSeeNothing", func(t *testing.T) {
		gid := queue(importCSV("lamp-2", false))
		for _, key := range []string{"one-seller", "two-supplier", "two-op"} {
			if data := w.ok(key, importJobQuery, map[string]any{"id": gid}); data["importJob"] != nil {
				t.Fatalf("%s reads the job: %v", key, data)
			}
			data := w.ok(key, `{ importJobs { edges { node { id } } } }`, nil)
			if edges := dig(data, "importJobs", "edges").([]any); len(edges) != 0 {
				t.Fatalf("%s lists %d jobs", key, len(edges))
			}
		}
	})

	t.Run("ErrUserErrors", func(t *testing.T) {
		for name, content := range map[string]string{
			"header": "a,b\n1,2\n",
			"size":   strings.Repeat("a", imports.MaxInlineBytes+1),
			"empty":  "",
		} {
			data := w.ok("one-supplier", importMutation, map[string]any{"in": map[string]any{"format": "CSV", "content": content}})
			if got := userErrorFields(data, "offersImport"); len(got) != 1 || got[0] != "input.content" || dig(data, "offersImport", "importJob") != nil {
				t.Fatalf("%s: %v", name, data)
			}
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		r := w.do("one-shop", nil, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "content": importCSV("x", false)}})
		if r.code() != "FORBIDDEN" {
			t.Fatalf("storefront key: %s", r.Raw)
		}
		if r := w.do("", nil, `{ importJobs { edges { cursor } } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("anonymous: %s", r.Raw)
		}
	})

	t.Run("OKErrorsOfListBatched", func(t *testing.T) {
		// The errors of every job in a list cost the same statements as of one job.
		const q = `query($n: Int) { importJobs(first: $n) { edges { node { errors(first: 2) { edges { node { row } } } } } } }`
		for i := range 3 {
			queue(importCSV(fmt.Sprintf("batch-%d", i), true))
		}
		w.db.Counter.Reset()
		w.ok("one-supplier", q, map[string]any{"n": 1})
		one := w.db.Counter.Count()
		w.db.Counter.Reset()
		w.ok("one-supplier", q, map[string]any{"n": 5})
		if five := w.db.Counter.Count(); five != one {
			t.Fatalf("%d statements for 5 jobs, %d for 1 (N+1)", five, one)
		}
	})
}
