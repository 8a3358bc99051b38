package catalog_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// sees reports whether p can see offer id, checking that OfferByID, OffersByIDs and the
// supplier's offer list agree, and that variants follow the offer.
func sees(t *testing.T, w *world, p tenants.Principal, o *catalog.Offer) bool {
	t.Helper()
	ctx := context.Background()
	_, err := w.svc.OfferByID(ctx, p, o.ID)
	if err != nil && apperr.Code(err) != apperr.ENOTFOUND {
		t.Fatal(err)
	}
	byID := err == nil
	batch, err := w.svc.OffersByIDs(ctx, p, []uuid.UUID{o.ID})
	ok(t, err)
	list, _, err := w.svc.Offers(ctx, p, catalog.OfferFilter{SupplierID: o.SupplierID, Page: tenants.Page{First: 100}})
	ok(t, err)
	inList := false
	for _, x := range list {
		inList = inList || x.ID == o.ID
	}
	vs, err := w.svc.VariantsByOfferIDs(ctx, p, []uuid.UUID{o.ID})
	ok(t, err)
	if byID != (batch[0] != nil) || byID != inList || byID != (len(vs[0]) > 0) {
		t.Fatalf("reads disagree: byID %v batch %v list %v variants %d", byID, batch[0] != nil, inList, len(vs[0]))
	}
	return byID
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	s1 := w.member(t, "shop-one", false, true)
	s2 := w.member(t, "shop-two", false, true)

	public := mustOffer(t, w, sup, offerIn("public", "P-1"))
	listed := offerIn("listed", "L-1")
	listed.Visibility, listed.AllowList = catalog.VisibilityAllowList, []string{"shop-one"}
	allow := mustOffer(t, w, sup, listed)
	d := offerIn("draft", "D-1")
	d.Status = catalog.StatusDraft
	draft := mustOffer(t, w, sup, d)

	t.Run("OKConsortiumVisibleToAll", func(t *testing.T) {
		for _, p := range []tenants.Principal{sup, s1, s2, w.op} {
			if !sees(t, w, p, public) {
				t.Errorf("%s does not see a CONSORTIUM offer", p.MemberID)
			}
		}
	})
	t.Run("OKAllowList", func(t *testing.T) {
		if !sees(t, w, s1, allow) || sees(t, w, s2, allow) || !sees(t, w, sup, allow) {
			t.Fatal("allow-list not applied")
		}
		o, err := w.svc.OfferByID(ctx, s1, allow.ID)
		ok(t, err)
		if o.AllowList != nil {
			t.Fatal("a seller learns the allow-list")
		}
	})
	t.Run("OKDraftOnlySupplier", func(t *testing.T) {
		if sees(t, w, s1, draft) || !sees(t, w, sup, draft) {
			t.Fatal("DRAFT visible to a seller, or hidden from its supplier")
		}
	})
	t.Run("OKDiscontinuedStillVisible", func(t *testing.T) {
		o := mustOffer(t, w, sup, offerIn("gone", "G-1"))
		_, err := w.svc.DiscontinueOffer(ctx, sup, o.ID)
		ok(t, err)
		if !sees(t, w, s1, o) {
			t.Fatal("DISCONTINUED offer hidden: listings could not show it unavailable")
		}
	})
	t.Run("ErrStorefrontAndShopperSeeNothing", func(t *testing.T) {
		for _, k := range []tenants.Kind{tenants.KindStorefront, tenants.KindShopper} {
			p := tenants.Principal{Kind: k, ConsortiumID: w.c.ID, MemberID: s1.MemberID, StorefrontID: uuid.New()}
			os, err := w.svc.OffersByIDs(ctx, p, []uuid.UUID{public.ID})
			ok(t, err)
			if os[0] != nil {
				t.Errorf("%s sees the shared catalog", k)
			}
		}
	})
}

func TestAgreements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)
	other := w.member(t, "other", false, true)
	o := mustOffer(t, w, sup, offerIn("knife", "KN-1"))
	yes := true

	_, err := w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{AgreementRequired: &yes})
	ok(t, err)
	if sees(t, w, seller, o) {
		t.Fatal("agreement required, yet a seller without one sees the offer")
	}
	a, err := w.svc.RequestAgreement(ctx, seller, sup.MemberID, "we sell knives")
	ok(t, err)
	if a.Status != catalog.AgreementRequested || sees(t, w, seller, o) {
		t.Fatalf("requested agreement %+v grants access", a)
	}

	t.Run("ErrRequestTwice", func(t *testing.T) {
		_, err := w.svc.RequestAgreement(ctx, seller, sup.MemberID, "")
		wantCode(t, err, apperr.ECONFLICT, "supplierId")
	})
	t.Run("ErrSellerApprovesOwn", func(t *testing.T) {
		_, err := w.svc.ApproveAgreement(ctx, seller, a.ID, 5000)
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrThirdParty", func(t *testing.T) {
		_, err := w.svc.RevokeAgreement(ctx, other, a.ID)
		wantCode(t, err, apperr.ENOTFOUND, "")
		as, _, err := w.svc.SourcingAgreements(ctx, other, catalog.AgreementFilter{})
		ok(t, err)
		if len(as) != 0 {
			t.Fatal("a third member sees the agreement")
		}
	})
	t.Run("ErrSupplierOpsDecides", func(t *testing.T) {
		_, err := w.svc.ApproveAgreement(ctx, as(sup, tenants.RoleSupplierOps), a.ID, 0)
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrDiscountRange", func(t *testing.T) {
		_, err := w.svc.ApproveAgreement(ctx, sup, a.ID, 10000)
		wantCode(t, err, apperr.EINVALID, "discountBps")
	})
	t.Run("OKApproveWithDiscount", func(t *testing.T) {
		got, err := w.svc.ApproveAgreement(ctx, sup, a.ID, 1000)
		ok(t, err)
		if got.Status != catalog.AgreementApproved || got.DiscountBps != 1000 || got.DecidedAt == nil {
			t.Fatalf("agreement %+v", got)
		}
		if !sees(t, w, seller, o) || sees(t, w, other, o) {
			t.Fatal("approval did not grant exactly the seller access")
		}
		v := mustVariants(t, w, seller, o.ID)[0]
		if v.DiscountBps != 1000 || v.EffectiveWholesale != 900 || v.EffectiveUnitPrice(10) != 810 || v.EffectiveTiers()[1].Price != 720 {
			t.Fatalf("seller's prices %+v", v)
		}
		tiers, err := w.svc.TiersByVariantIDs(ctx, seller, []uuid.UUID{v.ID})
		ok(t, err)
		if len(tiers[0]) != 2 || tiers[0][0].Price != 810 {
			t.Fatalf("seller's tiers %+v", tiers)
		}
		own := mustVariants(t, w, sup, o.ID)[0]
		if own.EffectiveWholesale != 1000 || own.DiscountBps != 0 {
			t.Fatalf("supplier sees its own price as %d", own.EffectiveWholesale)
		}
	})
	t.Run("OKListBothSides", func(t *testing.T) {
		for _, p := range []tenants.Principal{sup, seller, w.op} {
			as, _, err := w.svc.SourcingAgreements(ctx, p, catalog.AgreementFilter{})
			ok(t, err)
			if len(as) != 1 || as[0].ID != a.ID {
				t.Fatalf("%v sees %v", p.Kind, as)
			}
		}
	})
	t.Run("OKRevokeHidesAgain", func(t *testing.T) {
		got, err := w.svc.RevokeAgreement(ctx, sup, a.ID)
		ok(t, err)
		if got.Status != catalog.AgreementRevoked || sees(t, w, seller, o) {
			t.Fatal("revoked agreement still grants access")
		}
	})
	t.Run("OKRequestAgainSellerCancels", func(t *testing.T) {
		again, err := w.svc.RequestAgreement(ctx, seller, sup.MemberID, "please")
		ok(t, err)
		if again.ID != a.ID || again.Status != catalog.AgreementRequested || again.DiscountBps != 0 {
			t.Fatalf("re-request %+v", again)
		}
		got, err := w.svc.RevokeAgreement(ctx, seller, a.ID)
		ok(t, err)
		if got.Status != catalog.AgreementRevoked {
			t.Fatalf("cancel %+v", got)
		}
	})
	t.Run("OKDeclined", func(t *testing.T) {
		b, err := w.svc.RequestAgreement(ctx, other, sup.MemberID, "")
		ok(t, err)
		got, err := w.svc.DeclineAgreement(ctx, sup, b.ID)
		ok(t, err)
		if got.Status != catalog.AgreementDeclined || sees(t, w, other, o) {
			t.Fatalf("declined %+v", got)
		}
		_, err = w.svc.ApproveAgreement(ctx, sup, b.ID, 0)
		wantCode(t, err, apperr.ECONFLICT, "id")
	})
	t.Run("OKDiscountWithoutRequirement", func(t *testing.T) {
		no := false
		_, err := w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{AgreementRequired: &no})
		ok(t, err)
		if !sees(t, w, other, o) {
			t.Fatal("no agreement required, yet hidden")
		}
		c, err := w.svc.RequestAgreement(ctx, other, sup.MemberID, "")
		ok(t, err)
		_, err = w.svc.ApproveAgreement(ctx, sup, c.ID, 250)
		ok(t, err)
		if v := mustVariants(t, w, other, o.ID)[0]; v.EffectiveWholesale != 975 {
			t.Fatalf("effective wholesale %d, want 975", v.EffectiveWholesale)
		}
	})
	t.Run("ErrRequestFromSupplierOnly", func(t *testing.T) {
		_, err := w.svc.RequestAgreement(ctx, sup, other.MemberID, "")
		if apperr.Code(err) != apperr.EFORBIDDEN && apperr.Code(err) != apperr.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
}

func TestSupplierProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)
	seller := w.member(t, "shop", false, true)

	t.Run("OKDefaults", func(t *testing.T) {
		sp, err := w.svc.SupplierProfile(ctx, seller, sup.MemberID)
		ok(t, err)
		if sp.AgreementRequired || !sp.ShowBrand || sp.DisplayName != "" {
			t.Fatalf("defaults %+v", sp)
		}
	})
	t.Run("OKUpdate", func(t *testing.T) {
		no, name := false, "  Acme Pro  "
		sp, err := w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{ShowBrand: &no, DisplayName: &name})
		ok(t, err)
		if sp.ShowBrand || sp.DisplayName != "Acme Pro" || sp.AgreementRequired {
			t.Fatalf("profile %+v", sp)
		}
		yes := true
		sp, err = w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{AgreementRequired: &yes})
		ok(t, err)
		if sp.ShowBrand || sp.DisplayName != "Acme Pro" || !sp.AgreementRequired {
			t.Fatalf("partial update lost fields: %+v", sp)
		}
	})
	t.Run("ErrNotSupplier", func(t *testing.T) {
		_, err := w.svc.UpdateSupplierProfile(ctx, seller, catalog.SupplierProfileUpdate{})
		wantCode(t, err, apperr.EFORBIDDEN, "")
		_, err = w.svc.SupplierProfile(ctx, sup, seller.MemberID)
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrStaff", func(t *testing.T) {
		_, err := w.svc.UpdateSupplierProfile(ctx, as(sup, tenants.RoleStaff), catalog.SupplierProfileUpdate{})
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrDisplayNameTooLong", func(t *testing.T) {
		long := string(make([]rune, 201))
		_, err := w.svc.UpdateSupplierProfile(ctx, sup, catalog.SupplierProfileUpdate{DisplayName: &long})
		wantCode(t, err, apperr.EINVALID, "displayName")
	})
}
