package catalog_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/riverqueue/river"
)

// TestSearchJobsInSameTransaction checks that catalog writes enqueue the search update
// with the change, and that a failed write enqueues nothing.
func TestSearchJobsInSameTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	stub := func(ws *river.Workers, _ *[]*river.PeriodicJob) {
		river.AddWorker(ws, river.WorkFunc(func(context.Context, *river.Job[catalog.OffersChangedArgs]) error { return nil }))
	}
	client, err := jobs.New(w.d.App, jobs.Options{Registrations: []jobs.Registration{stub}})
	ok(t, err)
	w.svc = catalog.NewService(w.d.App, client)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)

	enqueued := func() []catalog.OffersChangedArgs {
		rows, err := w.d.Owner.Query(ctx, `SELECT args FROM river_job WHERE kind = $1 ORDER BY id`, catalog.OffersChangedKind)
		ok(t, err)
		defer rows.Close()
		var out []catalog.OffersChangedArgs
		for rows.Next() {
			var raw []byte
			ok(t, rows.Scan(&raw))
			var a catalog.OffersChangedArgs
			ok(t, json.Unmarshal(raw, &a))
			out = append(out, a)
		}
		return out
	}

	o := mustOffer(t, w, sup, offerIn("knife", "KN-1"))
	if js := enqueued(); len(js) != 1 || js[0].ConsortiumID != w.c.ID || len(js[0].OfferIDs) != 1 || js[0].OfferIDs[0] != o.ID {
		t.Fatalf("after create: %+v", js)
	}
	_, err = w.svc.CreateOffer(ctx, sup, offerIn("knife", "KN-2")) // duplicate handle: rolled back
	wantCode(t, err, apperr.ECONFLICT, "handle")
	res, err := w.svc.SetAvailability(ctx, sup, []catalog.AvailabilityUpdate{{SKU: "KN-1", Availability: catalog.OutOfStock}})
	ok(t, err)
	if !res[0].Changed {
		t.Fatal("not changed")
	}
	yes := true
	_, err = w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{AgreementRequired: &yes})
	ok(t, err)
	a, err := w.svc.RequestAgreement(ctx, seller, sup.MemberID, "")
	ok(t, err)
	_, err = w.svc.ApproveAgreement(ctx, sup, a.ID, 100)
	ok(t, err)
	js := enqueued()
	if len(js) != 4 {
		t.Fatalf("%d jobs, want create, availability, profile, approval: %+v", len(js), js)
	}
	if js[1].OfferIDs[0] != o.ID || js[2].SupplierID != sup.MemberID || len(js[2].OfferIDs) != 0 || js[3].SupplierID != sup.MemberID {
		t.Fatalf("jobs %+v", js)
	}
	if js[0].SupplierID != uuid.Nil {
		t.Fatal("an offer job names a supplier")
	}
}
