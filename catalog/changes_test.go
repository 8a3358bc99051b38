package catalog_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestOfferChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)
	o := mustOffer(t, w, sup, offerIn("knife", "KN-1"))
	v := mustVariants(t, w, sup, o.ID)[0]
	for i := range 5 {
		price := int64(1000 + 10*(i+1))
		_, err := w.svc.UpdateVariant(ctx, sup, v.ID, catalog.VariantUpdate{Wholesale: &price})
		ok(t, err)
	}

	t.Run("OKPaged", func(t *testing.T) {
		var all []*catalog.OfferChange
		after := ""
		for {
			cs, more, err := w.svc.OfferChanges(ctx, w.op, o.ID, tenants.Page{First: 2, After: after})
			ok(t, err)
			all = append(all, cs...)
			if !more {
				break
			}
			after = cs[len(cs)-1].Cursor()
		}
		if len(all) != 5 {
			t.Fatalf("%d changes, want 5", len(all))
		}
		for i, c := range all {
			if c.Version != i+2 || c.Actor != catalog.Actor(sup) || c.SupplierID != sup.MemberID || c.ChangedAt.IsZero() ||
				js(c.Changes["wholesalePrice"].New) != strconv.Itoa(1000+10*(i+1)) {
				t.Fatalf("change %d: %+v", i, c)
			}
		}
	})
	t.Run("ErrSellerCannotRead", func(t *testing.T) {
		_, _, err := w.svc.OfferChanges(ctx, seller, o.ID, tenants.Page{})
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrUnknownOffer", func(t *testing.T) {
		_, _, err := w.svc.OfferChanges(ctx, sup, uuid.New(), tenants.Page{})
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrBadCursor", func(t *testing.T) {
		_, _, err := w.svc.OfferChanges(ctx, sup, o.ID, tenants.Page{After: "!!"})
		wantCode(t, err, apperr.EINVALID, "after")
	})
	t.Run("OKActor", func(t *testing.T) {
		key, user := uuid.New(), uuid.New()
		p := tenants.Principal{Kind: tenants.KindMember, MemberID: sup.MemberID, KeyID: key}
		if got := catalog.Actor(p); got != "member:"+sup.MemberID.String()+"/key:"+key.String() {
			t.Fatalf("actor %q", got)
		}
		p.KeyID, p.UserID = uuid.Nil, user
		if got := catalog.Actor(p); got != "member:"+sup.MemberID.String()+"/user:"+user.String() {
			t.Fatalf("actor %q", got)
		}
		if got := catalog.Actor(tenants.Principal{Kind: tenants.KindSystem}); got != "system" {
			t.Fatalf("actor %q", got)
		}
	})
}
