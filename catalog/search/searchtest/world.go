// Package searchtest is the behaviour suite every search.Searcher runs (the Kratos-style
// contract test): results, each filter, facets, sorts, pagination and visibility, over a
// small catalog seeded straight into the catalog tables.
package searchtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// World is the seeded catalog: two consortia, three suppliers, two sellers and offers
// chosen so every filter, sort and visibility rule has a distinct answer.
//
//	offer          supplier  visibility          category             brand   lead w/srp   modes      regions    stock
//	knife          alpha     consortium          home/kitchen/knives  Kiru    4000/10000   D          DE FR      yes
//	board          alpha     consortium          home/kitchen         Woodly  1500/3000    W          DE AT      no
//	hose           alpha     consortium          garden               Greeny  2000/2500    D W        DE AT FR   yes
//	santoku        bravo     agreement required  home/kitchen/knives  Kiru    6000/9000    D          DE         yes
//	bread          charlie   allow-list: shop1   home/kitchen/knives  Cutco   3000/7000    W          DE AT      no
//	prototype      alpha     DRAFT               hidden from everyone
//	pizza          alpha     DISCONTINUED        hidden from everyone
//	paring         alpha     no active variant   hidden from everyone
//	cheap          other consortium's supplier   invisible to this consortium
//
// shop1 has an APPROVED agreement with bravo at 10 % off; shop2 only REQUESTED one.
type World struct {
	DB           *pgtest.DB
	ConsortiumID uuid.UUID
	OtherID      uuid.UUID // the other consortium
	Members      map[string]uuid.UUID
	Offers       map[string]uuid.UUID
	Categories   map[string]uuid.UUID // by path
}

// Member returns the member principal of the handle.
func (w *World) Member(handle string) tenants.Principal {
	return tenants.Principal{Kind: tenants.KindMember, ConsortiumID: w.ConsortiumID, MemberID: w.Members[handle], Role: tenants.RoleOwner}
}

// Operator returns the consortium operator's principal.
func (w *World) Operator() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.ConsortiumID, Role: tenants.RoleOperator}
}

// OfferName returns the fixture name of an offer id ("" when unknown).
func (w *World) OfferName(id uuid.UUID) string {
	for n, o := range w.Offers {
		if o == id {
			return n
		}
	}
	return ""
}

// NewWorld seeds the catalog into d with the owner pool (no catalog service involved).
func NewWorld(t testing.TB, d *pgtest.DB) *World {
	t.Helper()
	ctx := context.Background()
	w := &World{DB: d, Members: map[string]uuid.UUID{}, Offers: map[string]uuid.UUID{}, Categories: map[string]uuid.UUID{}}
	for _, c := range []struct {
		id     *uuid.UUID
		handle string
	}{{&w.ConsortiumID, "guild-" + uuid.NewString()[:8]}, {&w.OtherID, "other-" + uuid.NewString()[:8]}} {
		cs, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: c.handle, Name: c.handle, Currency: "EUR", FeeBps: 500})
		if err != nil {
			t.Fatalf("searchtest: consortium: %v", err)
		}
		*c.id = cs.ID
	}
	for _, h := range []string{"alpha", "bravo", "charlie", "shop1", "shop2", "outsider"} {
		w.Members[h] = uuid.New()
	}
	for _, o := range []string{"knife", "board", "hose", "santoku", "bread", "prototype", "pizza", "paring", "cheap"} {
		w.Offers[o] = uuid.New()
	}
	for _, p := range []string{"home", "home/kitchen", "home/kitchen/knives", "garden"} {
		w.Categories[p] = uuid.New()
	}
	c, o, m, off, cat := w.ConsortiumID, w.OtherID, w.Members, w.Offers, w.Categories
	wh := uuid.New()
	day := func(n int) time.Time { return time.Date(2025, 1, n, 12, 0, 0, 0, time.UTC) }

	b := &pgx.Batch{}
	b.Queue(`INSERT INTO members (consortium_id, id, handle, legal_name, is_supplier, is_seller, status) VALUES
		($1, $2, 'alpha', 'Alpha Tools', true, true, 'ACTIVE'),
		($1, $3, 'bravo', 'Bravo Blades', true, false, 'ACTIVE'),
		($1, $4, 'charlie', 'Charlie Cutlery', true, false, 'ACTIVE'),
		($1, $5, 'shop1', 'Shop One', false, true, 'ACTIVE'),
		($1, $6, 'shop2', 'Shop Two', false, true, 'ACTIVE'),
		($7, $8, 'outsider', 'Outsider', true, true, 'ACTIVE')`,
		c, m["alpha"], m["bravo"], m["charlie"], m["shop1"], m["shop2"], o, m["outsider"])
	b.Queue(`INSERT INTO supplier_profiles (consortium_id, member_id, agreement_required) VALUES ($1, $2, true), ($1, $3, false)`,
		c, m["bravo"], m["charlie"])
	b.Queue(`INSERT INTO sourcing_agreements (consortium_id, supplier_id, seller_id, status, discount_bps) VALUES
		($1, $2, $3, 'APPROVED', 1000), ($1, $2, $4, 'REQUESTED', 500)`, c, m["bravo"], m["shop1"], m["shop2"])
	b.Queue(`INSERT INTO categories (consortium_id, id, parent_id, handle, name, path) VALUES
		($1, $2, NULL, 'home', 'Home', 'home'), ($1, $3, $2, 'kitchen', 'Kitchen', 'home/kitchen'),
		($1, $4, $3, 'knives', 'Knives', 'home/kitchen/knives'), ($1, $5, NULL, 'garden', 'Garden', 'garden')`,
		c, cat["home"], cat["home/kitchen"], cat["home/kitchen/knives"], cat["garden"])
	b.Queue(`INSERT INTO warehouses (consortium_id, id, handle, name, latitude, longitude, region, regions_served)
		VALUES ($1, $2, 'berlin', 'Berlin', 52.5, 13.4, 'DE', '{DE,AT}')`, c, wh)
	type offer struct {
		name, supplier, title, desc, brand, cat, status, vis string
		created                                              time.Time
	}
	for _, x := range []offer{
		{"knife", "alpha", "Chef Knife Damascus", "Layered steel chef's knife, 21 cm.", "Kiru", "home/kitchen/knives", "ACTIVE", "CONSORTIUM", day(1)},
		{"board", "alpha", "Oak Cutting Board", "End-grain oak.", "Woodly", "home/kitchen", "ACTIVE", "CONSORTIUM", day(2)},
		{"hose", "alpha", "Garden Hose 20m", "Flexible PVC hose with brass fittings.", "Greeny", "garden", "ACTIVE", "CONSORTIUM", day(3)},
		{"santoku", "bravo", "Santoku Knife", "Japanese all-purpose knife, not serrated.", "Kiru", "home/kitchen/knives", "ACTIVE", "CONSORTIUM", day(4)},
		{"bread", "charlie", "Bread Knife Serrated", "Serrated edge for crusty loaves.", "Cutco", "home/kitchen/knives", "ACTIVE", "ALLOW_LIST", day(5)},
		{"prototype", "alpha", "Chef Knife Prototype", "Not yet released.", "Kiru", "home/kitchen/knives", "DRAFT", "CONSORTIUM", day(6)},
		{"pizza", "alpha", "Pizza Knife Wheel", "Discontinued.", "Kiru", "home/kitchen/knives", "DISCONTINUED", "CONSORTIUM", day(7)},
		{"paring", "alpha", "Paring Knife Small", "All variants discontinued.", "Kiru", "home/kitchen/knives", "ACTIVE", "CONSORTIUM", day(8)},
	} {
		b.Queue(`INSERT INTO offers (consortium_id, id, supplier_id, handle, title, description, brand, category_id, status, visibility, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			c, off[x.name], m[x.supplier], x.name, x.title, x.desc, x.brand, cat[x.cat], x.status, x.vis, x.created)
	}
	b.Queue(`INSERT INTO offers (consortium_id, id, supplier_id, handle, title, brand, status) VALUES ($1, $2, $3, 'cheap', 'Outsider Cleaver', 'Kiru', 'ACTIVE')`,
		o, off["cheap"], m["outsider"])
	b.Queue(`INSERT INTO offer_visibility (consortium_id, offer_id, member_id) VALUES ($1, $2, $3)`, c, off["bread"], m["shop1"])
	// Variants: (offer, supplier, sku, gtin, wholesale, srp, availability, qty, direct, regions, status).
	b.Queue(`INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, gtin, currency, wholesale_price,
			suggested_retail_price, availability, available_quantity, made_to_order_days, ships_direct,
			ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, status)
		SELECT $1, v.offer_id, v.supplier_id, v.sku, v.gtin, 'EUR', v.w, v.srp, v.av, v.qty, 0, v.direct,
			CASE WHEN v.direct THEN 48.1 END, CASE WHEN v.direct THEN 11.6 END, CASE WHEN v.direct THEN 'DE' END,
			v.regions, v.status
		FROM (VALUES
			($2::uuid, $7::uuid, 'KIRU-DM-210', NULL::text, 4000::bigint, 10000::bigint, 'IN_STOCK', 10, true, '{DE,FR}'::text[], 'ACTIVE'),
			($2, $7, 'KIRU-DM-240', NULL, 5000, 12000, 'IN_STOCK', 4, true, '{DE,FR}', 'ACTIVE'),
			($3, $7, 'WOOD-OAK-1', '4006381333931', 1500, 3000, 'OUT_OF_STOCK', 0, false, '{}', 'ACTIVE'),
			($4, $7, 'HOSE-20', NULL, 2000, 2500, 'IN_STOCK', 5, true, '{FR}', 'ACTIVE'),
			($5, $8, 'SANTOKU-18', NULL, 6000, 9000, 'IN_STOCK', 3, true, '{DE}', 'ACTIVE'),
			($6, $9, 'BREAD-26', NULL, 3000, 7000, 'MADE_TO_ORDER', 0, false, '{}', 'ACTIVE'),
			($10, $7, 'KIRU-PROTO', NULL, 1000, 9000, 'IN_STOCK', 9, true, '{DE}', 'ACTIVE'),
			($11, $7, 'PIZZA-1', NULL, 1000, 9000, 'IN_STOCK', 9, true, '{DE}', 'ACTIVE'),
			($12, $7, 'PARING-1', NULL, 1000, 9000, 'IN_STOCK', 9, true, '{DE}', 'DISCONTINUED')
		) AS v(offer_id, supplier_id, sku, gtin, w, srp, av, qty, direct, regions, status)`,
		c, off["knife"], off["board"], off["hose"], off["santoku"], off["bread"], m["alpha"], m["bravo"], m["charlie"],
		off["prototype"], off["pizza"], off["paring"])
	b.Queue(`INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, currency, wholesale_price, suggested_retail_price, available_quantity)
		VALUES ($1, $2, $3, 'CHEAP-1', 'EUR', 100, 900, 5)`, o, off["cheap"], m["outsider"])
	b.Queue(`INSERT INTO variant_warehouses (consortium_id, supplier_id, variant_id, warehouse_id)
		SELECT consortium_id, supplier_id, id, $2 FROM offer_variants WHERE consortium_id = $1 AND sku IN ('WOOD-OAK-1', 'HOSE-20', 'BREAD-26')`, c, wh)
	if err := d.Owner.SendBatch(ctx, b).Close(); err != nil {
		t.Fatalf("searchtest: seed: %v", err)
	}
	return w
}
