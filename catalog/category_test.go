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

func TestCategories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)

	home, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{Handle: "home", Name: "Home"})
	ok(t, err)
	kitchen, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &home.ID, Handle: "kitchen", Name: " Kitchen "})
	ok(t, err)
	knives, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &kitchen.ID, Handle: "knives", Name: "Knives"})
	ok(t, err)
	garden, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{Handle: "garden", Name: "Garden"})
	ok(t, err)

	t.Run("OKTree", func(t *testing.T) {
		if knives.Path != "home/kitchen/knives" || knives.Depth() != 2 || *knives.ParentID != kitchen.ID || kitchen.Name != "Kitchen" {
			t.Fatalf("knives %+v, kitchen %+v", knives, kitchen)
		}
		cs, err := w.svc.Categories(ctx, sup)
		ok(t, err)
		var paths []string
		for _, c := range cs {
			paths = append(paths, c.Path)
		}
		if len(paths) != 4 || paths[0] != "garden" || paths[1] != "home" || paths[3] != "home/kitchen/knives" {
			t.Fatalf("paths %v", paths)
		}
		kids, err := w.svc.CategoryChildren(ctx, sup, []uuid.UUID{home.ID, garden.ID, kitchen.ID})
		ok(t, err)
		if len(kids[0]) != 1 || kids[0][0].ID != kitchen.ID || len(kids[1]) != 0 || kids[2][0].ID != knives.ID {
			t.Fatalf("children %v", kids)
		}
		byID, err := w.svc.CategoriesByIDs(ctx, sup, []uuid.UUID{knives.ID, uuid.New(), home.ID})
		ok(t, err)
		if byID[0].ID != knives.ID || byID[1] != nil || byID[2].ID != home.ID {
			t.Fatalf("by ids %v", byID)
		}
	})
	t.Run("OKSameHandleElsewhere", func(t *testing.T) {
		_, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &garden.ID, Handle: "kitchen", Name: "Outdoor kitchen"})
		ok(t, err)
	})
	t.Run("OKIdempotent", func(t *testing.T) {
		in := catalog.CategoryCreate{Handle: "pets", Name: "Pets", IdempotencyKey: "c-1"}
		a, err := w.svc.CreateCategory(ctx, w.op, in)
		ok(t, err)
		b, err := w.svc.CreateCategory(ctx, w.op, in)
		ok(t, err)
		wh := catalog.WarehouseCreate{Handle: "wh-idem", Name: "Idem", Region: "DE", IdempotencyKey: "w-1"}
		x, err := w.svc.CreateWarehouse(ctx, w.op, wh)
		ok(t, err)
		y, err := w.svc.CreateWarehouse(ctx, w.op, wh)
		ok(t, err)
		if a.ID != b.ID || x.ID != y.ID {
			t.Fatal("a retried create made a second row")
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		_, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &home.ID, Handle: "kitchen", Name: "Again"})
		wantCode(t, err, apperr.ECONFLICT, "handle")
	})
	t.Run("ErrUnknownParent", func(t *testing.T) {
		id := uuid.New()
		_, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &id, Handle: "x", Name: "X"})
		wantCode(t, err, apperr.EINVALID, "parentId")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{Handle: "Bad Handle", Name: ""})
		wantCode(t, err, apperr.EINVALID, "handle")
		wantCode(t, err, apperr.EINVALID, "name")
	})
	t.Run("ErrTooDeep", func(t *testing.T) {
		parent := knives
		for i := 3; i < catalog.MaxCategoryDepth; i++ {
			c, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &parent.ID, Handle: "l" + strconv.Itoa(i), Name: "L"})
			ok(t, err)
			parent = c
		}
		_, err := w.svc.CreateCategory(ctx, w.op, catalog.CategoryCreate{ParentID: &parent.ID, Handle: "deep", Name: "Deep"})
		wantCode(t, err, apperr.EINVALID, "parentId")
	})
	t.Run("ErrMember", func(t *testing.T) {
		_, err := w.svc.CreateCategory(ctx, sup, catalog.CategoryCreate{Handle: "mine", Name: "Mine"})
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
}

func TestWarehouses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	sup := w.member(t, "acme", true, false)

	t.Run("OK", func(t *testing.T) {
		wh, err := w.svc.CreateWarehouse(ctx, w.op, catalog.WarehouseCreate{Handle: "wh-east", Name: "East", Latitude: 52.5, Longitude: 13.4, Region: "DE-BE", HandlingDays: 2})
		ok(t, err)
		if wh.Status != "ACTIVE" || len(wh.RegionsServed) != 1 || wh.RegionsServed[0] != "DE-BE" {
			t.Fatalf("warehouse %+v", wh)
		}
		got, err := w.svc.WarehouseByID(ctx, sup, wh.ID)
		ok(t, err)
		if got.Handle != "wh-east" || got.Latitude != 52.5 {
			t.Fatalf("by id %+v", got)
		}
		all, err := w.svc.Warehouses(ctx, sup)
		ok(t, err)
		if len(all) != 3 || all[0].Handle != w.wh("wh-north") {
			t.Fatalf("list %v", all)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		_, err := w.svc.CreateWarehouse(ctx, w.op, catalog.WarehouseCreate{Handle: "wh-east", Name: "East", Region: "DE"})
		wantCode(t, err, apperr.ECONFLICT, "handle")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := w.svc.CreateWarehouse(ctx, w.op, catalog.WarehouseCreate{Handle: "w2", Name: "W", Latitude: 91, Longitude: -181, Region: "germany", RegionsServed: []string{"DE", "x"}, HandlingDays: 61})
		for _, f := range []string{"latitude", "longitude", "region", "regionsServed.1", "handlingDays"} {
			wantCode(t, err, apperr.EINVALID, f)
		}
	})
	t.Run("ErrMember", func(t *testing.T) {
		_, err := w.svc.CreateWarehouse(ctx, sup, catalog.WarehouseCreate{Handle: "mine", Name: "Mine", Region: "DE"})
		wantCode(t, err, apperr.EFORBIDDEN, "")
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := w.svc.WarehouseByID(ctx, sup, uuid.New())
		wantCode(t, err, apperr.ENOTFOUND, "")
	})
	t.Run("ErrStorefrontSeesNone", func(t *testing.T) {
		p := tenants.Principal{Kind: tenants.KindShopper, ConsortiumID: w.c.ID, StorefrontID: uuid.New()}
		all, err := w.svc.Warehouses(ctx, p)
		ok(t, err)
		_ = all // warehouses are consortium-wide reference data: any scoped party may read them
	})
}
