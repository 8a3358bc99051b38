package imports_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestReads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	// Five bad rows, each its own offer, and one good one.
	rows := []string{goodRow("r-ok", "R-OK", nil)}
	for i := range 5 {
		rows = append(rows, goodRow(fmt.Sprintf("r-%d", i), fmt.Sprintf("R-%d", i), map[string]string{"wholesale_price": "-1", "gtin": "123"}))
	}
	job := e.mustImport(t, e.acme, "csv", csvFile(rows...))
	if job.Failed != 5 || job.Created != 1 {
		t.Fatalf("job = %+v", job)
	}

	t.Run("OKErrorsPaginate", func(t *testing.T) {
		var got []imports.RowError
		pg := tenants.Page{First: 3}
		pages := 0
		for {
			es, next, err := e.svc.Errors(ctx, e.acme, job.ID, pg)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, es...)
			if !next {
				break
			}
			pg.After = imports.ErrorCursor(es[len(es)-1])
		}
		// Two errors (gtin, wholesale_price) on each of lines 3..7, in file order.
		if len(got) != 10 || pages != 4 || got[0].Row != 3 || got[0].Field != "gtin" || got[1].Field != "wholesale_price" || got[9].Row != 7 {
			t.Fatalf("%d pages: %+v", pages, got)
		}
	})

	t.Run("ErrCursor", func(t *testing.T) {
		if _, _, err := e.svc.Errors(ctx, e.acme, job.ID, tenants.Page{After: "!!"}); apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("OKOperatorSeesAll", func(t *testing.T) {
		other := e.mustImport(t, e.globex, "csv", csvFile(goodRow("g-1", "G-1", nil)))
		j, err := e.svc.Job(ctx, e.op, job.ID)
		if err != nil || j.ID != job.ID {
			t.Fatalf("operator Job: %v", err)
		}
		js, _, err := e.svc.Jobs(ctx, e.op, tenants.Page{})
		if err != nil || len(js) != 2 || js[0].ID != other.ID {
			t.Fatalf("operator Jobs = %d, %v (newest first)", len(js), err)
		}
		if es, _, err := e.svc.Errors(ctx, e.op, job.ID, tenants.Page{}); err != nil || len(es) != 10 {
			t.Fatalf("operator Errors = %d, %v", len(es), err)
		}
	})

	t.Run("ErrOtherSupplierCannotRead", func(t *testing.T) {
		if _, err := e.svc.Job(ctx, e.globex, job.ID); apperr.Code(err) != apperr.ENOTFOUND {
			t.Fatalf("Job: %v", err)
		}
		if _, _, err := e.svc.Errors(ctx, e.globex, job.ID, tenants.Page{}); apperr.Code(err) != apperr.ENOTFOUND {
			t.Fatalf("Errors: %v", err)
		}
		js, _, err := e.svc.Jobs(ctx, e.globex, tenants.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			if j.SupplierID != e.globex.MemberID {
				t.Fatalf("globex lists acme's job %s", j.ID)
			}
		}
	})

	t.Run("ErrStorefrontCannotRead", func(t *testing.T) {
		sf := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: e.c, MemberID: e.acme.MemberID, StorefrontID: uuid.New()}
		if _, err := e.svc.Job(ctx, sf, job.ID); apperr.Code(err) != apperr.EFORBIDDEN {
			t.Fatalf("Job: %v", err)
		}
	})

	t.Run("ErrUnknownJob", func(t *testing.T) {
		if _, err := e.svc.Job(ctx, e.acme, uuid.New()); apperr.Code(err) != apperr.ENOTFOUND {
			t.Fatalf("Job: %v", err)
		}
	})

	t.Run("OKJobsPaginate", func(t *testing.T) {
		for i := range 3 {
			e.mustImport(t, e.acme, "csv", csvFile(goodRow(fmt.Sprintf("p-%d", i), fmt.Sprintf("P-%d", i), nil)))
		}
		seen := map[uuid.UUID]bool{}
		pg := tenants.Page{First: 2}
		for {
			js, next, err := e.svc.Jobs(ctx, e.acme, pg)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range js {
				if seen[j.ID] {
					t.Fatalf("job %s twice", j.ID)
				}
				seen[j.ID] = true
			}
			if !next {
				break
			}
			pg.After = imports.JobCursor(js[len(js)-1])
		}
		if len(seen) != 4 {
			t.Fatalf("%d jobs listed, want 4", len(seen))
		}
	})

	t.Run("OKErrorsOfJobs", func(t *testing.T) {
		other := e.mustImport(t, e.acme, "csv", csvFile(goodRow("r-x", "R-X", map[string]string{"sku": "bad sku"})))
		res, err := e.svc.ErrorsOfJobs(ctx, e.acme, []uuid.UUID{other.ID, uuid.New(), job.ID}, tenants.Page{First: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 || len(res[0].Errors) != 1 || res[0].HasNext || len(res[1].Errors) != 0 ||
			len(res[2].Errors) != 1 || !res[2].HasNext || res[2].Errors[0].Row != 3 {
			t.Fatalf("%+v", res)
		}
		res, err = e.svc.ErrorsOfJobs(ctx, e.globex, []uuid.UUID{job.ID}, tenants.Page{})
		if err != nil || len(res[0].Errors) != 0 {
			t.Fatalf("another supplier reads the errors: %+v %v", res, err)
		}
	})
}

func TestJSONL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := strings.Join([]string{
		`{"offer_handle": "j-1", "title": "Lamp", "category_path": "home/lighting", "images": ["https://img.example.com/l.jpg"],` +
			` "offer_status": "ACTIVE", "sku": "J-1-A", "options": {"colour": "Red"}, "weight_grams": 900,` +
			` "wholesale_price": "12.00", "suggested_retail_price": 24.5, "price_tiers": [{"min_quantity": 10, "price": "11.00"}],` +
			` "quantity": 3, "ships_direct": true, "ship_from_lat": 52.1, "ship_from_lng": 13.2, "ship_from_region": "DE-BE",` +
			` "ships_to_regions": ["DE", "PL"], "warehouses": ["wh-berlin"]}`,
		``,
		`{"offer_handle": "j-1", "sku": "J-1-B", "wholesale_price": "12.00", "suggested_retail_price": "24.50", "availability": "OUT_OF_STOCK", "warehouses": "wh-berlin|wh-milan"}`,
		`{"offer_handle": "j-2", "title": "Bad", "sku": "J-2", "wholesale_price": "1.00", "suggested_retail_price": "2.00", "colour": "red", "quantity": "2", "warehouses": ["wh-milan"]}`,
		`{"offer_handle": "j-3", "title": "Bad too", "sku": "J-3", "wholesale_price": 1, "suggested_retail_price": "2.00", "quantity": 2, "ships_direct": "yes please"}`,
		`not json`,
		`{"offer_handle": "j-4", "title": "Types", "sku": ["J-4"], "wholesale_price": "1.00", "suggested_retail_price": "2.00"}`,
	}, "\n")

	t.Run("OK", func(t *testing.T) {
		job := e.mustImport(t, e.acme, "jsonl", file)
		errs := e.allErrors(t, e.acme, job.ID)
		if job.Created != 2 || job.Failed != 4 || job.TotalRows != 6 {
			t.Fatalf("job %+v errors %+v", job, errs)
		}
		want := []imports.RowError{
			{Row: 4, Field: "colour", Message: "unknown key"},
			{Row: 5, Field: "ships_direct", Message: "must be true or false"},
			{Row: 6, Field: "", Message: "the line is not a JSON object"},
			{Row: 7, Field: "sku", Message: "must not be an array"},
		}
		for _, w := range want {
			found := false
			for _, g := range errs {
				if g.Row == w.Row && g.Field == w.Field && strings.Contains(g.Message, w.Message) {
					found = true
				}
			}
			if !found {
				t.Errorf("missing %+v in %+v", w, errs)
			}
		}
		var srp int64
		var opts map[string]string
		if err := e.d.Owner.QueryRow(context.Background(), `SELECT suggested_retail_price, options FROM offer_variants WHERE sku = 'J-1-A'`).Scan(&srp, &opts); err != nil {
			t.Fatal(err)
		}
		if srp != 2450 || opts["colour"] != "Red" {
			t.Fatalf("J-1-A: %d %v", srp, opts)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_warehouses w JOIN offer_variants v ON v.id = w.variant_id WHERE v.sku = 'J-1-B'`); n != 2 {
			t.Fatalf("J-1-B has %d warehouses (list given as a | string)", n)
		}
	})
}
