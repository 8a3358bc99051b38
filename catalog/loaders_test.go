package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/tenants"
)

// TestBatchReads checks the loaders' batch functions: results in key order, nil (or
// empty) for what the caller may not see, and a constant number of statements whatever
// the batch size.
func TestBatchReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)
	var ids []uuid.UUID
	for i := range 30 {
		in := offerIn(fmt.Sprintf("o-%02d", i), fmt.Sprintf("S-%02d-a", i), fmt.Sprintf("S-%02d-b", i))
		if i%3 == 0 {
			in.Status = catalog.StatusDraft
		}
		ids = append(ids, mustOffer(t, w, sup, in).ID)
	}
	// Reverse order plus one unknown id: the result must follow the keys.
	keys := []uuid.UUID{uuid.New()}
	for i := len(ids) - 1; i >= 0; i-- {
		keys = append(keys, ids[i])
	}

	statements := func(run func()) int64 {
		w.d.Counter.Reset()
		run()
		return w.d.Counter.Count()
	}
	t.Run("OKOffersByIDs", func(t *testing.T) {
		var os []*catalog.Offer
		var err error
		one := statements(func() { _, err = w.svc.OffersByIDs(ctx, seller, keys[:2]) })
		ok(t, err)
		many := statements(func() { os, err = w.svc.OffersByIDs(ctx, seller, keys) })
		ok(t, err)
		if one != many {
			t.Errorf("%d statements for 2 keys, %d for %d", one, many, len(keys))
		}
		if os[0] != nil {
			t.Fatal("unknown id resolved")
		}
		for i, o := range os[1:] {
			idx := len(ids) - 1 - i
			draft := idx%3 == 0
			if draft != (o == nil) || (o != nil && o.ID != ids[idx]) {
				t.Fatalf("key %d: %+v", i+1, o)
			}
		}
	})
	t.Run("OKVariantsAndTiers", func(t *testing.T) {
		var vss [][]*catalog.Variant
		var err error
		one := statements(func() { _, err = w.svc.VariantsByOfferIDs(ctx, sup, keys[:2]) })
		ok(t, err)
		many := statements(func() { vss, err = w.svc.VariantsByOfferIDs(ctx, sup, keys) })
		ok(t, err)
		if one != many {
			t.Errorf("%d statements for 2 offers, %d for %d", one, many, len(keys))
		}
		if len(vss[0]) != 0 || len(vss[1]) != 2 || vss[1][0].OfferID != keys[1] || vss[1][0].SKU != "S-29-a" {
			t.Fatalf("variants %v", vss[:2])
		}
		var vids []uuid.UUID
		for _, vs := range vss[1:] {
			for _, v := range vs {
				vids = append(vids, v.ID)
			}
		}
		var tiers [][]catalog.Tier
		one = statements(func() { _, err = w.svc.TiersByVariantIDs(ctx, sup, vids[:1]) })
		ok(t, err)
		many = statements(func() { tiers, err = w.svc.TiersByVariantIDs(ctx, sup, vids) })
		ok(t, err)
		if one != many || len(tiers) != 60 || len(tiers[59]) != 2 {
			t.Fatalf("%d vs %d statements; %d tier lists", one, many, len(tiers))
		}
		vs, err := w.svc.VariantsByIDs(ctx, seller, vids[:4])
		ok(t, err)
		// vids[0..1] belong to o-29 (visible), vids[2..3] to o-28 (visible).
		if vs[0] == nil || vs[0].ID != vids[0] || vs[3].ID != vids[3] {
			t.Fatalf("variants by id %v", vs)
		}
		hidden, err := w.svc.VariantsByIDs(ctx, seller, []uuid.UUID{mustVariants(t, w, sup, ids[0])[0].ID})
		ok(t, err)
		if hidden[0] != nil {
			t.Fatal("a seller reads a DRAFT offer's variant by id")
		}
	})
	t.Run("OKOffersPaged", func(t *testing.T) {
		seen := 0
		after := ""
		for {
			os, more, err := w.svc.Offers(ctx, seller, catalog.OfferFilter{SupplierID: sup.MemberID, Page: tenants.Page{First: 7, After: after}})
			ok(t, err)
			seen += len(os)
			if !more {
				break
			}
			after = os[len(os)-1].Cursor()
		}
		if seen != 20 {
			t.Fatalf("seller paged through %d offers, want the 20 non-draft", seen)
		}
		own, _, err := w.svc.Offers(ctx, sup, catalog.OfferFilter{Status: catalog.StatusDraft, Page: tenants.Page{First: 100}})
		ok(t, err)
		if len(own) != 10 {
			t.Fatalf("supplier sees %d of its drafts", len(own))
		}
	})
}
