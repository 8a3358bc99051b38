package ledger_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

func dbTx(w *world, p tenants.Principal, fn func(tx pgx.Tx) error) error {
	return db.InTx(context.Background(), w.D.App, p.Scope(), fn)
}

// Each party reads only its own side: a supplier its payables (never a retail amount or
// a margin), the operator the fee, the customer its receivable, the seller and its
// storefront key all of their orders' entries.
func TestVisibility(t *testing.T) {
	t.Parallel()
	w, o := placed(t)
	ctx := context.Background()
	kinds := func(p tenants.Principal) map[string]bool {
		t.Helper()
		es, _, err := w.Led.Entries(ctx, p, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, e := range es {
			out[e.PartyKind+"/"+e.Account] = true
			if e.OrderID != o.ID {
				t.Errorf("entry of another order %s", e.OrderID)
			}
			if e.PartyKind == "SUPPLIER" && p.Kind == tenants.KindMember && p.MemberID != w.Sel.MemberID && e.PartyID != p.MemberID {
				t.Errorf("supplier %s sees supplier %s's entries", p.MemberID, e.PartyID)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		p    tenants.Principal
		want []string
	}{
		{"Supplier", w.Sup, []string{"SUPPLIER/PAYABLE"}},
		{"Supplier2", w.Sup2, []string{"SUPPLIER/PAYABLE"}},
		{"Operator", w.Op, []string{"CONSORTIUM/FEE_REVENUE"}},
		{"Customer", w.Customer(), []string{"CUSTOMER/RECEIVABLE"}},
		{"Seller", w.Sel, []string{"CUSTOMER/RECEIVABLE", "SUPPLIER/PAYABLE", "CONSORTIUM/FEE_REVENUE", "STOREFRONT/MARGIN"}},
		{"StorefrontKey", w.StorefrontKey(), []string{"CUSTOMER/RECEIVABLE", "SUPPLIER/PAYABLE", "CONSORTIUM/FEE_REVENUE", "STOREFRONT/MARGIN"}},
		{"OtherStorefront", tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.C.ID, StorefrontID: uuid.New(), Role: tenants.RoleStorefront}, nil},
	} {
		t.Run("OK"+tc.name, func(t *testing.T) {
			got := kinds(tc.p)
			if len(got) != len(tc.want) {
				t.Errorf("sees %v, want %v", got, tc.want)
			}
			for _, k := range tc.want {
				if !got[k] {
					t.Errorf("sees %v, want %v", got, tc.want)
				}
			}
		})
	}
	t.Run("OKSupplierBalance", func(t *testing.T) {
		bs, err := w.Led.Balances(ctx, w.Sup)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 1 || bs[0].Account != "PAYABLE" || bs[0].Amount != -1100 {
			t.Fatalf("supplier balances %+v, want PAYABLE -1100 only", bs)
		}
	})
	t.Run("OKOperatorFeeTotal", func(t *testing.T) {
		bs, err := w.Led.Balances(ctx, w.Op)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 1 || bs[0].Account != "FEE_REVENUE" || bs[0].Amount != -171 {
			t.Fatalf("operator balances %+v, want FEE_REVENUE -171 only", bs)
		}
	})
	t.Run("OKPaging", func(t *testing.T) {
		first, more, err := w.Led.Entries(ctx, w.Sel, 2, 0)
		if err != nil || !more || len(first) != 2 {
			t.Fatalf("page 1: %d entries, more %v, %v", len(first), more, err)
		}
		rest, more, err := w.Led.Entries(ctx, w.Sel, 100, first[1].Seq)
		if err != nil || more || len(first)+len(rest) != 12 {
			t.Fatalf("paging gave %d entries, more %v, %v", len(first)+len(rest), more, err)
		}
	})
}
