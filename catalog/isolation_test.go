package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// catalogSet is one consortium with two members that supply and sell: each has an
// ACTIVE and a DRAFT offer with tiers and a consigned variant; m0 supplies m1 under an
// approved agreement; there is a category, a change-log row and an import job.
type catalogSet struct {
	w        *world
	m        [2]tenants.Principal
	offer    [2]*catalog.Offer
	draft    [2]*catalog.Offer
	variant  [2]*catalog.Variant
	sku      [2]string
	cat      *catalog.Category
	wh, wh2  *catalog.Warehouse
	agree    *catalog.SourcingAgreement
	importID uuid.UUID
}

func newCatalogSet(t *testing.T, d *pgtest.DB, h string) *catalogSet {
	t.Helper()
	ctx := context.Background()
	cs := &catalogSet{w: newWorldIn(t, d, h, "EUR")}
	w := cs.w
	var err error
	cs.cat, err = w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{Handle: "tools", Name: "Tools"})
	ok(t, err)
	whs, err := w.svc.Warehouses(ctx, w.op)
	ok(t, err)
	cs.wh, cs.wh2 = whs[0], whs[1]
	for i := range 2 {
		cs.m[i] = w.member(t, fmt.Sprintf("%s-m%d", h, i), true, true)
		cs.sku[i] = fmt.Sprintf("%s-M%d-1", h, i)
		in := offerIn(fmt.Sprintf("%s-o%d", h, i), cs.sku[i])
		in.CategoryID = &cs.cat.ID
		in.Variants[0].Warehouses = []string{cs.wh.Handle}
		cs.offer[i] = mustOffer(t, w, cs.m[i], in)
		dr := offerIn(fmt.Sprintf("%s-d%d", h, i), fmt.Sprintf("%s-M%d-D", h, i))
		dr.Status = catalog.StatusDraft
		cs.draft[i] = mustOffer(t, w, cs.m[i], dr)
		cs.variant[i] = mustVariants(t, w, cs.m[i], cs.offer[i].ID)[0]
		price := int64(1001)
		_, err = w.svc.UpdateVariant(ctx, cs.m[i], cs.variant[i].ID, catalog.VariantUpdate{Wholesale: &price})
		ok(t, err)
	}
	al := offerIn(h+"-allow", h+"-M0-A")
	al.Visibility, al.AllowList = catalog.VisibilityAllowList, []string{fmt.Sprintf("%s-m1", h)}
	mustOffer(t, w, cs.m[0], al)
	yes := true
	_, err = w.svc.UpdateSupplierProfile(ctx, cs.m[0], catalog.SupplierProfileUpdate{AgreementRequired: &yes})
	ok(t, err)
	cs.agree, err = w.svc.RequestAgreement(ctx, cs.m[1], cs.m[0].MemberID, "")
	ok(t, err)
	_, err = w.svc.ApproveAgreement(ctx, cs.m[0], cs.agree.ID, 500)
	ok(t, err)
	ok(t, d.Owner.QueryRow(ctx, `INSERT INTO import_jobs (consortium_id, supplier_id, format) VALUES ($1, $2, 'CSV') RETURNING id`,
		w.c.ID, cs.m[0].MemberID).Scan(&cs.importID))
	_, err = d.Owner.Exec(ctx, `INSERT INTO import_job_errors (consortium_id, job_id, row_number, message) VALUES ($1, $2, 1, 'bad')`, w.c.ID, cs.importID)
	ok(t, err)
	_, err = d.Owner.Exec(ctx, `INSERT INTO import_job_files (consortium_id, job_id, part, data) VALUES ($1, $2, 0, 'sku,title')`, w.c.ID, cs.importID)
	ok(t, err)
	return cs
}

func (cs *catalogSet) principals() []tenants.Principal {
	sf := tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: cs.w.c.ID, MemberID: cs.m[0].MemberID, StorefrontID: uuid.New(), Role: tenants.RoleStorefront}
	return []tenants.Principal{cs.w.op, cs.m[0], cs.m[1], sf, {Kind: tenants.KindSystem, ConsortiumID: cs.w.c.ID}}
}

// mustHide fails unless err hides the thing (NOT_FOUND, FORBIDDEN or an INVALID
// reference): a cross-tenant call never succeeds.
func mustHide(t *testing.T, what string, err error) {
	t.Helper()
	switch apperr.Code(err) {
	case apperr.ENOTFOUND, apperr.EFORBIDDEN, apperr.EINVALID:
	default:
		t.Errorf("%s: got %v, want it hidden", what, err)
	}
}

// TestIsolationCatalogService tries every catalog read and write across the consortium
// boundary (and, where it applies, the member boundary) through the service.
func TestIsolationCatalogService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	a, b := newCatalogSet(t, d, "alpha"), newCatalogSet(t, d, "beta")
	svc := a.w.svc
	for _, pair := range [][2]*catalogSet{{a, b}, {b, a}} {
		me, other := pair[0], pair[1]
		for _, p := range me.principals() {
			name := func(s string) string { return fmt.Sprintf("%s of %s: %s", p.Kind, me.w.c.Handle, s) }
			_, err := svc.OfferByID(ctx, p, other.offer[0].ID)
			mustHide(t, name("OfferByID"), err)
			os, err := svc.OffersByIDs(ctx, p, []uuid.UUID{other.offer[0].ID, other.offer[1].ID, other.draft[0].ID})
			if err != nil || os[0] != nil || os[1] != nil || os[2] != nil {
				t.Errorf("%s: %v %v", name("OffersByIDs"), os, err)
			}
			list, _, err := svc.Offers(ctx, p, catalog.OfferFilter{SupplierID: other.m[0].MemberID})
			if len(list) != 0 {
				t.Errorf("%s: %d offers (%v)", name("Offers"), len(list), err)
			}
			vs, err := svc.VariantsByOfferIDs(ctx, p, []uuid.UUID{other.offer[0].ID})
			if err != nil || len(vs[0]) != 0 {
				t.Errorf("%s: %v %v", name("VariantsByOfferIDs"), vs, err)
			}
			vv, err := svc.VariantsByIDs(ctx, p, []uuid.UUID{other.variant[0].ID})
			if err != nil || vv[0] != nil {
				t.Errorf("%s: %v %v", name("VariantsByIDs"), vv, err)
			}
			tiers, err := svc.TiersByVariantIDs(ctx, p, []uuid.UUID{other.variant[0].ID})
			if err != nil || len(tiers[0]) != 0 {
				t.Errorf("%s: %v %v", name("TiersByVariantIDs"), tiers, err)
			}
			_, err = svc.VariantBySKU(ctx, p, other.sku[0])
			mustHide(t, name("VariantBySKU"), err)
			_, _, err = svc.OfferChanges(ctx, p, other.offer[0].ID, tenants.Page{})
			mustHide(t, name("OfferChanges"), err)
			cats, err := svc.CategoriesByIDs(ctx, p, []uuid.UUID{other.cat.ID})
			if err != nil || cats[0] != nil {
				t.Errorf("%s: %v %v", name("CategoriesByIDs"), cats, err)
			}
			kids, err := svc.CategoryChildren(ctx, p, []uuid.UUID{other.cat.ID})
			if err != nil || len(kids[0]) != 0 {
				t.Errorf("%s: %v %v", name("CategoryChildren"), kids, err)
			}
			all, _ := svc.Categories(ctx, p)
			for _, c := range all {
				if c.ID == other.cat.ID {
					t.Errorf("%s: sees the other tree", name("Categories"))
				}
			}
			whs, err := svc.WarehousesByIDs(ctx, p, []uuid.UUID{other.wh.ID})
			if err != nil || whs[0] != nil {
				t.Errorf("%s: %v %v", name("WarehousesByIDs"), whs, err)
			}
			_, err = svc.WarehouseByID(ctx, p, other.wh.ID)
			mustHide(t, name("WarehouseByID"), err)
			_, err = svc.SupplierProfile(ctx, p, other.m[0].MemberID)
			mustHide(t, name("SupplierProfile"), err)
			ags, err := svc.AgreementsByIDs(ctx, p, []uuid.UUID{other.agree.ID})
			if err != nil || ags[0] != nil {
				t.Errorf("%s: %v %v", name("AgreementsByIDs"), ags, err)
			}
			agl, _, _ := svc.SourcingAgreements(ctx, p, catalog.AgreementFilter{})
			for _, ag := range agl {
				if ag.ID == other.agree.ID {
					t.Errorf("%s: sees the other consortium's agreement", name("SourcingAgreements"))
				}
			}

			// Writes.
			title := "hijacked"
			_, err = svc.UpdateOffer(ctx, p, other.offer[0].ID, catalog.OfferUpdate{Title: &title})
			mustHide(t, name("UpdateOffer"), err)
			_, err = svc.DiscontinueOffer(ctx, p, other.offer[0].ID)
			mustHide(t, name("DiscontinueOffer"), err)
			price := int64(1)
			_, err = svc.UpdateVariant(ctx, p, other.variant[0].ID, catalog.VariantUpdate{Wholesale: &price})
			mustHide(t, name("UpdateVariant"), err)
			_, err = svc.DiscontinueVariant(ctx, p, other.variant[0].ID)
			mustHide(t, name("DiscontinueVariant"), err)
			_, err = svc.CreateVariant(ctx, p, other.offer[0].ID, variantIn("INTRUDER-1"))
			mustHide(t, name("CreateVariant"), err)
			res, err := svc.SetAvailability(ctx, p, []catalog.AvailabilityUpdate{{SKU: other.sku[0], Availability: catalog.OutOfStock}})
			if err == nil && (len(res) != 1 || res[0].Err == nil) {
				t.Errorf("%s: %+v", name("SetAvailability"), res)
			}
			_, err = svc.CreateCategory(ctx, p, catalog.CategoryCreate{ParentID: &other.cat.ID, Handle: "sub", Name: "Sub"})
			mustHide(t, name("CreateCategory under foreign parent"), err)
			in := offerIn("intruder", "INTRUDER-2")
			in.CategoryID = &other.cat.ID
			_, err = svc.CreateOffer(ctx, p, in)
			mustHide(t, name("CreateOffer in foreign category"), err)
			in = offerIn("intruder", "INTRUDER-3")
			in.Variants[0].Warehouses = []string{other.wh.Handle}
			_, err = svc.CreateOffer(ctx, p, in)
			mustHide(t, name("CreateOffer consigned to foreign warehouse"), err)
			in = offerIn("intruder", "INTRUDER-4")
			in.Visibility, in.AllowList = catalog.VisibilityAllowList, []string{other.w.c.Handle + "-m1"}
			_, err = svc.CreateOffer(ctx, p, in)
			mustHide(t, name("CreateOffer allow-listing a foreign member"), err)
			_, err = svc.ApproveAgreement(ctx, p, other.agree.ID, 9000)
			mustHide(t, name("ApproveAgreement"), err)
			_, err = svc.RevokeAgreement(ctx, p, other.agree.ID)
			mustHide(t, name("RevokeAgreement"), err)
			_, err = svc.RequestAgreement(ctx, p, other.m[0].MemberID, "")
			mustHide(t, name("RequestAgreement"), err)
		}

		// Inside one consortium, across members.
		m1 := me.m[1]
		_, err := svc.OfferByID(ctx, m1, me.draft[0].ID)
		mustHide(t, "a member reads another's DRAFT", err)
		title := "hijacked"
		_, err = svc.UpdateOffer(ctx, m1, me.offer[0].ID, catalog.OfferUpdate{Title: &title})
		mustHide(t, "a member updates another's offer", err)
		price := int64(1)
		_, err = svc.UpdateVariant(ctx, m1, me.variant[0].ID, catalog.VariantUpdate{Wholesale: &price})
		mustHide(t, "a member updates another's variant", err)
		_, _, err = svc.OfferChanges(ctx, m1, me.offer[0].ID, tenants.Page{})
		mustHide(t, "a member reads another's change log", err)
		res, err := svc.SetAvailability(ctx, m1, []catalog.AvailabilityUpdate{{SKU: me.sku[0], Availability: catalog.OutOfStock}})
		if err != nil || res[0].Err == nil {
			t.Errorf("a member set another's availability: %+v %v", res, err)
		}
		_, err = svc.ApproveAgreement(ctx, m1, me.agree.ID, 9000)
		mustHide(t, "the seller approves its own agreement", err)
	}
	// Nothing was changed by any of it.
	for _, cs := range []*catalogSet{a, b} {
		for i := range 2 {
			v, err := svc.VariantBySKU(ctx, cs.m[i], cs.sku[i])
			ok(t, err)
			o, err := svc.OfferByID(ctx, cs.m[i], cs.offer[i].ID)
			ok(t, err)
			if v.Wholesale != 1001 || v.Availability != catalog.InStock || v.Status != catalog.StatusActive || o.Title == "hijacked" || o.Status != catalog.StatusActive {
				t.Errorf("%s changed: %+v %+v", cs.sku[i], v, o)
			}
		}
		ags, _, err := svc.SourcingAgreements(ctx, cs.m[0], catalog.AgreementFilter{})
		ok(t, err)
		if len(ags) != 1 || ags[0].Status != catalog.AgreementApproved || ags[0].DiscountBps != 500 {
			t.Errorf("agreement changed: %+v", ags)
		}
	}
}

// catalogTables are the tables of 002 and how to write a row of another tenant into
// each, from p: the consortium c, its members m0 and m1, m0's offer o and variant v, a
// warehouse wh and an import job.
var catalogTables = []struct{ table, insert string }{
	{"categories", `INSERT INTO categories (consortium_id, handle, name, path) SELECT c, 'x', 'X', 'x' FROM p`},
	{"warehouses", `INSERT INTO warehouses (consortium_id, handle, name, latitude, longitude, region) SELECT c, 'xx', 'X', 0, 0, 'DE' FROM p`},
	{"supplier_profiles", `INSERT INTO supplier_profiles (consortium_id, member_id) SELECT c, m1 FROM p`},
	{"offers", `INSERT INTO offers (consortium_id, supplier_id, handle, title) SELECT c, m0, 'x', 'X' FROM p`},
	{"offer_visibility", `INSERT INTO offer_visibility (consortium_id, offer_id, member_id) SELECT c, o, m0 FROM p`},
	{"offer_variants", `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price) SELECT c, o, m0, 'X-1', 'EUR', 1, 1 FROM p`},
	{"variant_price_tiers", `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price) SELECT c, m0, v, 500, 1 FROM p`},
	{"variant_warehouses", `INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id) SELECT c, m0, v, wh FROM p`},
	{"sourcing_agreements", `INSERT INTO sourcing_agreements (consortium_id, supplier_id, seller_id) SELECT c, m1, m0 FROM p`},
	{"offer_changes", `INSERT INTO offer_changes (consortium_id, offer_id, supplier_id, version, actor, changes) SELECT c, o, m0, 9, 'x', '{}' FROM p`},
	{"import_jobs", `INSERT INTO import_jobs (consortium_id, supplier_id, format) SELECT c, m0, 'CSV' FROM p`},
	{"import_job_errors", `INSERT INTO import_job_errors (consortium_id, job_id, row_number, message) SELECT c, job, 2, 'x' FROM p`},
	{"import_job_files", `INSERT INTO import_job_files (consortium_id, job_id, part, data) SELECT c, job, 9, '\x00' FROM p`},
}

// withParams names the parameters for catalogTables' inserts.
const withParams = `WITH p AS (SELECT $1::uuid AS c, $2::uuid AS m0, $3::uuid AS o, $4::uuid AS v, $5::uuid AS wh, $6::uuid AS m1, $7::uuid AS job) `

// TestIsolationCatalogRLS proves the policies alone hold: raw SQL as the app role under
// one tenant's scope, with no application filter, neither sees nor changes another
// consortium's catalog rows, nor (within a consortium) another member's own rows.
func TestIsolationCatalogRLS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	a, b := newCatalogSet(t, d, "alpha"), newCatalogSet(t, d, "beta")
	raw := func(p tenants.Principal, sql string, args ...any) (int64, error) {
		var n int64
		err := db.InTx(ctx, d.App, p.Scope(), func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, sql, args...)
			n = tag.RowsAffected()
			return err
		})
		return n, err
	}
	count := func(p tenants.Principal, sql string, args ...any) int {
		var n int
		ok(t, db.InReadTx(ctx, d.App, p.Scope(), func(tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) }))
		return n
	}
	for _, pair := range [][2]*catalogSet{{a, b}, {b, a}} {
		me, other := pair[0], pair[1]
		args := []any{other.w.c.ID, other.m[0].MemberID, other.offer[0].ID, other.variant[0].ID, other.wh.ID, other.m[1].MemberID, other.importID}
		for _, p := range me.principals() {
			for _, tb := range catalogTables {
				name := fmt.Sprintf("%s of %s on %s", p.Kind, me.w.c.Handle, tb.table)
				// The owner sees the other tenant's rows, so a zero below means RLS hid them.
				var there int
				ok(t, d.Owner.QueryRow(ctx, `SELECT count(*) FROM `+tb.table+` WHERE consortium_id = $1`, other.w.c.ID).Scan(&there))
				if there == 0 {
					t.Fatalf("%s: no rows to hide", name)
				}
				if n := count(p, `SELECT count(*) FROM `+tb.table+` WHERE consortium_id = $1`, other.w.c.ID); n != 0 {
					t.Errorf("%s: reads %d foreign rows", name, n)
				}
				if n, err := raw(p, `UPDATE `+tb.table+` SET consortium_id = consortium_id WHERE consortium_id = $1`, other.w.c.ID); err == nil && n != 0 {
					t.Errorf("%s: updated %d foreign rows", name, n)
				}
				if n, err := raw(p, `DELETE FROM `+tb.table+` WHERE consortium_id = $1`, other.w.c.ID); err == nil && n != 0 {
					t.Errorf("%s: deleted %d foreign rows", name, n)
				}
				if _, err := raw(p, withParams+tb.insert, args...); !db.IsCheckViolation(err) {
					t.Errorf("%s: insert into another consortium: %v, want an RLS violation", name, err)
				}
			}
		}

		// Within the consortium: member 1 against member 0's own rows.
		m0, m1 := me.m[0], me.m[1]
		if n := count(m1, `SELECT count(*) FROM offers WHERE id = $1`, me.draft[0].ID); n != 0 {
			t.Error("RLS lets a member read another's DRAFT offer")
		}
		if n := count(m1, `SELECT count(*) FROM offer_variants WHERE offer_id = $1`, me.draft[0].ID); n != 0 {
			t.Error("RLS lets a member read another's DRAFT variants")
		}
		if n := count(m1, `SELECT count(*) FROM offer_changes WHERE supplier_id = $1 AND offer_id = $2`, m0.MemberID, me.draft[0].ID); n != 0 {
			t.Error("RLS lets a member read another's DRAFT change log")
		}
		sf := me.principals()[3]
		for _, tb := range []string{"offers", "offer_variants", "variant_price_tiers", "sourcing_agreements", "supplier_profiles", "offer_changes", "import_jobs"} {
			if n := count(sf, `SELECT count(*) FROM `+tb); n != 0 {
				t.Errorf("a storefront principal reads %d rows of %s", n, tb)
			}
		}
		for _, w := range []struct{ name, sql string }{
			{"update another's offer", `UPDATE offers SET title = 'x' WHERE supplier_id = $1`},
			{"delete another's offer", `DELETE FROM offers WHERE supplier_id = $1`},
			{"update another's variant", `UPDATE offer_variants SET wholesale_price = 1 WHERE supplier_id = $1`},
			{"update another's profile", `UPDATE supplier_profiles SET agreement_required = false WHERE member_id = $1`},
			{"update another's import", `UPDATE import_jobs SET status = 'FAILED' WHERE supplier_id = $1`},
		} {
			if n, err := raw(m1, w.sql, m0.MemberID); err == nil && n != 0 {
				t.Errorf("RLS lets a member %s (%d rows)", w.name, n)
			}
		}
		for _, w := range []struct{ name, sql string }{
			{"publish as another supplier", `INSERT INTO offers (consortium_id, supplier_id, handle, title) SELECT c, m0, 'x', 'X' FROM p`},
			{"add a variant to another's offer", `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price) SELECT c, o, m0, 'X-9', 'EUR', 1, 1 FROM p`},
			{"add a tier to another's variant", `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price) SELECT c, m0, v, 500, 1 FROM p`},
			{"change another's tier", `UPDATE variant_price_tiers t SET price = 1 FROM p WHERE t.consortium_id = p.c AND t.variant_id = p.v`},
			{"consign another's variant", `INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id) SELECT c, m0, v, wh FROM p`},
			{"allow-list itself on another's offer", `INSERT INTO offer_visibility (consortium_id, offer_id, member_id) SELECT c, o, m1 FROM p`},
			{"log a change for another", `INSERT INTO offer_changes (consortium_id, offer_id, supplier_id, version, actor, changes) SELECT c, o, m0, 9, 'x', '{}' FROM p`},
		} {
			n, err := raw(m1, withParams+w.sql, me.w.c.ID, m0.MemberID, me.offer[0].ID, me.variant[0].ID, me.wh2.ID, m1.MemberID, me.importID)
			if err == nil && n != 0 {
				t.Errorf("RLS lets a member %s", w.name)
			} else if err != nil && !db.IsCheckViolation(err) {
				t.Errorf("%s: %v", w.name, err)
			}
		}
		// The same writes with the writer's own supplier id pass the write policies (the
		// rows are "its own"); the keys that carry the supplier refuse them (013).
		for _, w := range []struct{ name, sql, key string }{
			{"attach its own variant to another's offer", `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price) SELECT c, o, m1, 'X-8', 'EUR', 1, 1 FROM p`, "offer_variants_offer_fkey"},
			{"add its own tier to another's variant", `INSERT INTO variant_price_tiers (consortium_id, supplier_id, variant_id, min_quantity, price) SELECT c, m1, v, 500, 1 FROM p`, "variant_price_tiers_variant_fkey"},
			{"consign another's variant as its own", `INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id) SELECT c, m1, v, wh FROM p`, "variant_warehouses_variant_fkey"},
			{"move its consignment onto another's variant", `UPDATE variant_warehouses w SET variant_id = p.v, warehouse_id = p.wh FROM p WHERE w.consortium_id = p.c AND w.supplier_id = p.m1`, "variant_warehouses_variant_fkey"},
		} {
			_, err := raw(m1, withParams+w.sql, me.w.c.ID, m0.MemberID, me.offer[0].ID, me.variant[0].ID, me.wh2.ID, m1.MemberID, me.importID)
			if !db.IsForeignKeyViolation(err, w.key) {
				t.Errorf("a member can %s: %v", w.name, err)
			}
		}
	}
}
