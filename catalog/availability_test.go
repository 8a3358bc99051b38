package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// thousandSKUs creates 10 offers × 100 variants for p: SKUs "B-0000" … "B-0999".
func thousandSKUs(t testing.TB, w *world, p tenants.Principal) {
	t.Helper()
	for o := range 10 {
		var skus []string
		for v := range 100 {
			skus = append(skus, fmt.Sprintf("B-%04d", o*100+v))
		}
		mustOffer(t, w, p, offerIn(fmt.Sprintf("bulk-%d", o), skus...))
	}
}

func TestSetAvailability(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	rival := w.member(t, "rival", true, false)
	thousandSKUs(t, w, sup)
	mustOffer(t, w, rival, offerIn("r", "R-1"))

	t.Run("OKThousandInOneStatement", func(t *testing.T) {
		ups := make([]catalog.AvailabilityUpdate, 1000)
		for i := range ups {
			ups[i] = catalog.AvailabilityUpdate{SKU: fmt.Sprintf("B-%04d", i), Availability: catalog.InStock, Quantity: 100 + i}
		}
		ups[0] = catalog.AvailabilityUpdate{SKU: "B-0000", Availability: catalog.InStock, Quantity: 25} // unchanged
		ups[1] = catalog.AvailabilityUpdate{SKU: "B-0001", Availability: catalog.OutOfStock}
		ups[2] = catalog.AvailabilityUpdate{SKU: "B-0002", Availability: catalog.MadeToOrder, LeadTimeDays: 21}
		w.d.Counter.Reset()
		res, err := w.svc.SetAvailability(ctx, as(sup, tenants.RoleSupplierOps), ups)
		ok(t, err)
		// BEGIN, scope, supplier check, the update, COMMIT: whatever the number of SKUs.
		if n := w.d.Counter.Count(); n > 5 {
			t.Errorf("%d statements for 1,000 SKUs", n)
		}
		changed := 0
		for i, r := range res {
			if r.Err != nil || r.SKU != ups[i].SKU {
				t.Fatalf("result %d: %+v", i, r)
			}
			if r.Changed {
				changed++
			}
		}
		if changed != 999 || res[0].Changed || res[0].Version != 1 || res[5].Version != 2 {
			t.Fatalf("%d changed; first %+v, sixth %+v", changed, res[0], res[5])
		}
		var logged int
		ok(t, w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM offer_changes WHERE changes ? 'quantity' OR changes ? 'availability'`).Scan(&logged))
		if logged != 999 {
			t.Fatalf("%d change rows, want 999", logged)
		}
		v, err := w.svc.VariantBySKU(ctx, sup, "B-0002")
		ok(t, err)
		if v.Availability != catalog.MadeToOrder || v.LeadTimeDays != 21 || v.Quantity != 0 || v.Version != 2 {
			t.Fatalf("B-0002 %+v", v)
		}
		var changes string
		ok(t, w.d.Owner.QueryRow(ctx, `SELECT changes::text FROM offer_changes WHERE variant_id = $1`, v.ID).Scan(&changes))
		if changes != `{"quantity": {"new": 0, "old": 25}, "availability": {"new": "MADE_TO_ORDER", "old": "IN_STOCK"}, "leadTimeDays": {"new": 21, "old": 0}}` {
			t.Fatalf("changes %s", changes)
		}
	})
	t.Run("OKUnknownAndInvalidReportedOthersApplied", func(t *testing.T) {
		res, err := w.svc.SetAvailability(ctx, sup, []catalog.AvailabilityUpdate{
			{SKU: "B-0010", Availability: catalog.InStock, Quantity: 7},
			{SKU: "NOPE", Availability: catalog.InStock, Quantity: 1},
			{SKU: "R-1", Availability: catalog.OutOfStock}, // the rival's SKU is unknown to acme
			{SKU: "B-0011", Availability: catalog.InStock, Quantity: 0},
			{SKU: "B-0012", Availability: "SOLD_OUT"},
			{SKU: "B-0010", Availability: catalog.OutOfStock},
			{SKU: "bad sku", Availability: catalog.OutOfStock},
		})
		ok(t, err)
		if res[0].Err != nil || !res[0].Changed {
			t.Fatalf("known SKU not applied: %+v", res[0])
		}
		for i, f := range map[int]string{1: "updates.1.sku", 2: "updates.2.sku", 3: "updates.3.quantity", 4: "updates.4.availability", 5: "updates.5.sku", 6: "updates.6.sku"} {
			if res[i].Err == nil || joinField(res[i].Err.Field) != f {
				t.Errorf("entry %d: %+v, want error on %s", i, res[i], f)
			}
		}
		r, err := w.svc.VariantBySKU(ctx, rival, "R-1")
		ok(t, err)
		if r.Availability != catalog.InStock {
			t.Fatal("acme changed the rival's SKU")
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		_, err := w.svc.SetAvailability(ctx, sup, make([]catalog.AvailabilityUpdate, 1001))
		wantCode(t, err, apperr.EINVALID, "updates")
	})
	t.Run("ErrNotEditor", func(t *testing.T) {
		_, err := w.svc.SetAvailability(ctx, w.op, []catalog.AvailabilityUpdate{{SKU: "B-0001", Availability: catalog.OutOfStock}})
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
}

// BenchmarkSetAvailability1000 times one ERP call declaring 1,000 SKUs, every call
// changing every SKU: go test ./catalog -run X -bench SetAvailability.
func BenchmarkSetAvailability1000(b *testing.B) {
	ctx := context.Background()
	w := newWorld(b)
	sup := w.member(b, "acme", true, false)
	thousandSKUs(b, w, sup)
	// Steady state: autovacuum has analyzed the tables (fresh test databases have no
	// statistics, and the planner then misjudges the 1,000-row join).
	if _, err := w.d.Owner.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	ups := make([]catalog.AvailabilityUpdate, 1000)
	for i := range ups {
		ups[i].SKU, ups[i].Availability = fmt.Sprintf("B-%04d", i), catalog.InStock
	}
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		for i := range ups {
			ups[i].Quantity = 1 + (n+i)%1000
		}
		if _, err := w.svc.SetAvailability(ctx, sup, ups); err != nil {
			b.Fatal(err)
		}
	}
}
