package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is one consortium with its operator, members by handle and two warehouses.
type world struct {
	d       *pgtest.DB
	svc     *catalog.Service
	ten     *tenants.Service
	c       *tenants.Consortium
	op      tenants.Principal
	members map[string]tenants.Principal
}

func newWorld(t testing.TB) *world {
	t.Helper()
	d := pgtest.New(t)
	return newWorldIn(t, d, "c1", "EUR")
}

func newWorldIn(t testing.TB, d *pgtest.DB, handle, currency string) *world {
	t.Helper()
	ctx := context.Background()
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: handle, Name: handle, Currency: currency, FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, svc: catalog.NewService(d.App, nil), ten: tenants.NewService(d.App), c: c,
		op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}, members: map[string]tenants.Principal{}}
	for _, h := range []string{"wh-north", "wh-south"} {
		if _, err := w.svc.CreateWarehouse(ctx, w.op, catalog.WarehouseCreate{Handle: handle + "-" + h, Name: h, Latitude: 53.5, Longitude: 10, Region: "DE-HH", RegionsServed: []string{"DE", "AT"}, HandlingDays: 1}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) wh(name string) string { return w.c.Handle + "-" + name }

// member admits and activates a member and returns its owner principal.
func (w *world) member(t testing.TB, handle string, supplier, seller bool) tenants.Principal {
	t.Helper()
	p := tenanttest.ActiveMember(t, w.ten, w.op, tenants.MemberInvite{Handle: handle, LegalName: handle, IsSupplier: supplier, IsSeller: seller})
	p.KeyID = uuid.New()
	w.members[handle] = p
	return p
}

func as(p tenants.Principal, role string) tenants.Principal { p.Role = role; return p }

func variantIn(sku string) catalog.VariantCreate {
	floor := int64(1500)
	return catalog.VariantCreate{
		SKU: sku, GTIN: "4006381333931", Options: []catalog.Attribute{{"size", "M"}}, WeightGrams: 350,
		Prices:       catalog.VariantPrices{Wholesale: 1000, SuggestedRetail: 1999, MinimumResale: &floor, Tiers: []catalog.Tier{{10, 900}, {100, 800}}},
		Availability: catalog.InStock, Quantity: 25,
		Direct: &catalog.DirectShipping{Latitude: 48.1, Longitude: 11.6, Region: "DE-BY", ShipsTo: []string{"DE", "AT"}, LeadTimeDays: 2, ShippingCost: 490},
	}
}

func offerIn(handle string, skus ...string) catalog.OfferCreate {
	in := catalog.OfferCreate{Handle: handle, Title: "Chef knife " + handle, Description: "Forged steel", Brand: "Acme",
		Images: []string{"https://img.example.com/" + handle + ".jpg"}, Attributes: []catalog.Attribute{{"material", "steel"}},
		Status: catalog.StatusActive}
	for _, s := range skus {
		in.Variants = append(in.Variants, variantIn(s))
	}
	return in
}

func mustOffer(t testing.TB, w *world, p tenants.Principal, in catalog.OfferCreate) *catalog.Offer {
	t.Helper()
	o, err := w.svc.CreateOffer(context.Background(), p, in)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}
	return o
}

func mustVariants(t testing.TB, w *world, p tenants.Principal, offerID uuid.UUID) []*catalog.Variant {
	t.Helper()
	vs, err := w.svc.VariantsByOfferIDs(context.Background(), p, []uuid.UUID{offerID})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

// wantCode fails unless err carries code (and, when field is not "", that field path).
func wantCode(t testing.TB, err error, code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got none", code)
	}
	for _, e := range apperr.All(err) {
		if e.Code == code && (field == "" || fmt.Sprint(joinField(e.Field)) == field) {
			return
		}
	}
	t.Fatalf("want %s on %q, got %v", code, field, err)
}

func joinField(f []string) string {
	s := ""
	for i, p := range f {
		if i > 0 {
			s += "."
		}
		s += p
	}
	return s
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// js is raw JSON without insignificant spaces (jsonb prints "[5, 1050]").
func js(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
