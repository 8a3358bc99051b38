package federation_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/pgtest"
)

func i64(v int64) *int64 { return &v }
func ip(v int) *int      { return &v }

// sellable are the inputs of a published, entitled, active, in-stock variant.
func sellable(cost, srp int64, floor *int64) federation.Inputs {
	return federation.Inputs{Cost: cost, SuggestedRetail: srp, Floor: floor, Exponent: 2, Published: true, Entitled: true,
		OfferStatus: "ACTIVE", VariantStatus: "ACTIVE", Availability: "IN_STOCK", Quantity: 100}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	with := func(in federation.Inputs, f func(*federation.Inputs)) federation.Inputs { f(&in); return in }
	base := sellable(1000, 2500, nil)
	for _, tc := range []struct {
		name   string
		rule   federation.Rule
		in     federation.Inputs
		price  int64
		status string
		reason string
	}{
		{"MarkupPercent", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 3000}, base, 1300, "ACTIVE", ""},
		{"MarkupPercentHalfUp", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1250}, sellable(1004, 2500, nil), 1130, "ACTIVE", ""},   // 125.5 → 126
		{"MarkupPercentHalfDown", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1250}, sellable(1003, 2500, nil), 1128, "ACTIVE", ""}, // 125.375 → 125
		{"MarkupFixed", federation.Rule{Kind: "MARKUP_FIXED", Amount: 450}, base, 1450, "ACTIVE", ""},
		{"FixedPrice", federation.Rule{Kind: "FIXED_PRICE", Amount: 1999}, base, 1999, "ACTIVE", ""},
		{"SuggestedRetail", federation.Rule{Kind: "SUGGESTED_RETAIL"}, base, 2500, "ACTIVE", ""},
		{"Charm99", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 3000, Rounding: "CHARM_99"}, base, 1399, "ACTIVE", ""},
		{"Charm99AlreadyThere", federation.Rule{Kind: "MARKUP_FIXED", Amount: 299, Rounding: "CHARM_99"}, base, 1299, "ACTIVE", ""},
		{"Whole", federation.Rule{Kind: "MARKUP_FIXED", Amount: 1, Rounding: "WHOLE"}, base, 1100, "ACTIVE", ""},
		{"WholeExact", federation.Rule{Kind: "MARKUP_FIXED", Amount: 100, Rounding: "WHOLE"}, base, 1100, "ACTIVE", ""},
		{"WholeYen", federation.Rule{Kind: "MARKUP_FIXED", Amount: 1, Rounding: "WHOLE"}, with(base, func(i *federation.Inputs) { i.Exponent = 0 }), 1001, "ACTIVE", ""},
		{"FixedNotRounded", federation.Rule{Kind: "FIXED_PRICE", Amount: 1234, Rounding: "CHARM_99"}, base, 1234, "ACTIVE", ""},
		{"VariantFixedOverridesRule", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 3000}, with(base, func(i *federation.Inputs) { i.FixedPrice = i64(1777) }), 1777, "ACTIVE", ""},
		{"MinMarginRaises", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1000, MinMarginBps: ip(2000)}, base, 1250, "ACTIVE", ""},
		{"MinMarginThenCharm", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1000, MinMarginBps: ip(2000), Rounding: "CHARM_99"}, base, 1299, "ACTIVE", ""},
		{"MinMarginCeil", federation.Rule{Kind: "MARKUP_FIXED", MinMarginBps: ip(3000)}, base, 1429, "ACTIVE", ""}, // 1000/0.7 = 1428.57 → 1429
		{"ErrFixedUnderMargin", federation.Rule{Kind: "FIXED_PRICE", Amount: 1100, MinMarginBps: ip(2000)}, base, 1100, "PRICE_HELD", "BELOW_MINIMUM_MARGIN"},
		{"ErrFixedAtLoss", federation.Rule{Kind: "FIXED_PRICE", Amount: 999}, base, 999, "PRICE_HELD", "BELOW_COST"},
		{"ErrUnderFloor", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1000}, sellable(1000, 2500, i64(1500)), 1100, "PRICE_HELD", "BELOW_MINIMUM_RESALE_PRICE"},
		{"ClampToFloor", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 1000, ClampToFloor: true}, sellable(1000, 2500, i64(1500)), 1500, "ACTIVE", "CLAMPED_TO_MINIMUM_RESALE_PRICE"},
		{"ClampFixed", federation.Rule{Kind: "FIXED_PRICE", Amount: 900, ClampToFloor: true}, sellable(1000, 2500, i64(1500)), 1500, "ACTIVE", "CLAMPED_TO_MINIMUM_RESALE_PRICE"},
		{"AtFloorOK", federation.Rule{Kind: "FIXED_PRICE", Amount: 1500}, sellable(1000, 2500, i64(1500)), 1500, "ACTIVE", ""},
		{"OutOfStock", federation.Rule{Kind: "SUGGESTED_RETAIL"}, with(base, func(i *federation.Inputs) { i.Availability = "OUT_OF_STOCK"; i.Quantity = 0 }), 2500, "OUT_OF_STOCK", "SUPPLIER_OUT_OF_STOCK"},
		{"HeldBeatsOutOfStock", federation.Rule{Kind: "FIXED_PRICE", Amount: 500}, with(base, func(i *federation.Inputs) { i.Availability = "OUT_OF_STOCK" }), 500, "PRICE_HELD", "BELOW_COST"},
		{"OfferDiscontinued", federation.Rule{Kind: "FIXED_PRICE", Amount: 500}, with(base, func(i *federation.Inputs) { i.OfferStatus = "DISCONTINUED" }), 500, "UNAVAILABLE", "OFFER_DISCONTINUED"},
		{"VariantDiscontinued", federation.Rule{Kind: "SUGGESTED_RETAIL"}, with(base, func(i *federation.Inputs) { i.VariantStatus = "DISCONTINUED" }), 2500, "UNAVAILABLE", "VARIANT_DISCONTINUED"},
		{"AccessRevoked", federation.Rule{Kind: "SUGGESTED_RETAIL"}, with(base, func(i *federation.Inputs) { i.Entitled = false }), 2500, "UNAVAILABLE", "ACCESS_REVOKED"},
		{"Unpublished", federation.Rule{Kind: "SUGGESTED_RETAIL"}, with(base, func(i *federation.Inputs) { i.Published = false; i.Entitled = false }), 2500, "UNPUBLISHED", "UNPUBLISHED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rule.Rounding == "" {
				tc.rule.Rounding = "NONE"
			}
			p, s, r := federation.Price(tc.rule, tc.in)
			if p != tc.price || s != tc.status || r != tc.reason {
				t.Errorf("Price = %d %s %q, want %d %s %q", p, s, r, tc.price, tc.status, tc.reason)
			}
		})
	}
}

func TestEffectiveWholesale(t *testing.T) {
	t.Parallel()
	p := catalog.VariantPrices{Wholesale: 1000, SuggestedRetail: 2000, Tiers: []catalog.Tier{{MinQuantity: 10, Price: 900}, {MinQuantity: 50, Price: 800}}}
	for _, tc := range []struct {
		basis, bps int
		want       int64
	}{{1, 0, 1000}, {9, 0, 1000}, {10, 0, 900}, {60, 0, 800}, {1, 1000, 900}, {1, 333, 967}, {10, 333, 871}} {
		if got := federation.EffectiveWholesale(p, tc.basis, tc.bps); got != tc.want {
			t.Errorf("EffectiveWholesale(basis %d, %d bps) = %d, want %d", tc.basis, tc.bps, got, tc.want)
		}
	}
}

func TestRuleValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rule  federation.Rule
		field string
	}{
		{"OK", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: 2500}, ""},
		{"ErrKind", federation.Rule{Kind: "CHEAP"}, "kind"},
		{"ErrFixedNeedsAmount", federation.Rule{Kind: "FIXED_PRICE"}, "amount"},
		{"ErrPercent", federation.Rule{Kind: "MARKUP_PERCENT", PercentBps: -1}, "percentBps"},
		{"ErrRounding", federation.Rule{Kind: "MARKUP_PERCENT", Rounding: "UP"}, "rounding"},
		{"ErrBasis", federation.Rule{Kind: "MARKUP_PERCENT", BasisQuantity: -3}, "basisQuantity"},
		{"ErrMargin", federation.Rule{Kind: "MARKUP_PERCENT", MinMarginBps: ip(9500)}, "minMarginBps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.rule.Validate("")
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field[0] != tc.field {
				t.Fatalf("errors %v, want one on %s", errs, tc.field)
			}
		})
	}
}

// TestPriceMatchesSQL runs thousands of random rules and inputs through federation.Price
// and through gm_listing_price (what publish and propagation use) and requires the same
// price, compare-at, status, reason and stock level, so the two cannot drift.
func TestPriceMatchesSQL(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	rng := rand.New(rand.NewPCG(5, 2026))
	const n = 5000
	kinds := []string{"MARKUP_PERCENT", "MARKUP_FIXED", "FIXED_PRICE", "SUGGESTED_RETAIL"}
	roundings := []string{"NONE", "CHARM_99", "WHOLE"}
	avail := []string{"IN_STOCK", "MADE_TO_ORDER", "OUT_OF_STOCK"}
	offerStatus := []string{"ACTIVE", "ACTIVE", "ACTIVE", "DISCONTINUED", "DRAFT"}
	varStatus := []string{"ACTIVE", "ACTIVE", "ACTIVE", "DISCONTINUED"}
	var (
		aKind, aRound, aOffer, aVar, aAvail []string
		aPct, aExp, aQty                    []int32
		aMargin                             []*int32
		aAmount, aCost, aSRP                []int64
		aFixed, aFloor                      []*int64
		aClamp, aPub, aEnt                  []bool
	)
	rules := make([]federation.Rule, n)
	ins := make([]federation.Inputs, n)
	money := func(max int64) int64 {
		switch rng.IntN(4) {
		case 0:
			return 1 + rng.Int64N(100)
		case 1:
			return 1 + rng.Int64N(10_000)
		case 2:
			return 1 + rng.Int64N(max)
		}
		return (1 + rng.Int64N(max/100+1)) * 100 // whole units, to hit rounding edges
	}
	for i := range n {
		r := federation.Rule{Kind: kinds[rng.IntN(4)], Rounding: roundings[rng.IntN(3)], BasisQuantity: 1,
			PercentBps: rng.IntN(20001), Amount: money(1_000_000), ClampToFloor: rng.IntN(2) == 0}
		if rng.IntN(3) == 0 {
			r.MinMarginBps = ip(rng.IntN(federation.MaxMinMarginBps + 1))
		}
		cost := money(10_000_000)
		in := federation.Inputs{Cost: cost, SuggestedRetail: cost + money(10_000_000) - 1, Exponent: []int{0, 2}[rng.IntN(2)],
			Published: rng.IntN(8) != 0, Entitled: rng.IntN(8) != 0, OfferStatus: offerStatus[rng.IntN(5)],
			VariantStatus: varStatus[rng.IntN(4)], Availability: avail[rng.IntN(3)], Quantity: rng.IntN(12)}
		if rng.IntN(2) == 0 {
			in.Floor = i64(cost + rng.Int64N(in.SuggestedRetail-cost+1))
		}
		if rng.IntN(5) == 0 {
			in.FixedPrice = i64(money(20_000_000))
		}
		rules[i], ins[i] = r, in
		aKind, aRound, aOffer, aVar, aAvail = append(aKind, r.Kind), append(aRound, r.Rounding), append(aOffer, in.OfferStatus), append(aVar, in.VariantStatus), append(aAvail, in.Availability)
		aPct, aExp, aQty = append(aPct, int32(r.PercentBps)), append(aExp, int32(in.Exponent)), append(aQty, int32(in.Quantity))
		var m *int32
		if r.MinMarginBps != nil {
			v := int32(*r.MinMarginBps)
			m = &v
		}
		aMargin = append(aMargin, m)
		aAmount, aCost, aSRP = append(aAmount, r.Amount), append(aCost, in.Cost), append(aSRP, in.SuggestedRetail)
		aFixed, aFloor = append(aFixed, in.FixedPrice), append(aFloor, in.Floor)
		aClamp, aPub, aEnt = append(aClamp, r.ClampToFloor), append(aPub, in.Published), append(aEnt, in.Entitled)
	}
	rows, err := d.Owner.Query(context.Background(), `
		SELECT p.price, p.compare_at, p.status, coalesce(p.reason, ''), p.stock_level
		FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::int[], $6::bool[], $7::bigint[], $8::bigint[],
		            $9::bigint[], $10::bigint[], $11::int[], $12::bool[], $13::bool[], $14::text[], $15::text[], $16::text[], $17::int[])
		     WITH ORDINALITY AS u(kind, pct, amount, rounding, margin, clamp, fixed, cost, srp, floor, exp, pub, ent, os, vs, av, qty, ord)
		CROSS JOIN LATERAL gm_listing_price(u.kind, u.pct, u.amount, u.rounding, u.margin, u.clamp, u.fixed, u.cost, u.srp,
		            u.floor, u.exp, u.pub, u.ent, u.os, u.vs, u.av, u.qty) p
		ORDER BY u.ord`,
		aKind, aPct, aAmount, aRound, aMargin, aClamp, aFixed, aCost, aSRP, aFloor, aExp, aPub, aEnt, aOffer, aVar, aAvail, aQty)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i, mismatches := 0, 0
	for rows.Next() {
		var (
			price          int64
			compareAt      *int64
			status, reason string
			stock          string
		)
		if err := rows.Scan(&price, &compareAt, &status, &reason, &stock); err != nil {
			t.Fatal(err)
		}
		gp, gs, gr := federation.Price(rules[i], ins[i])
		gc := federation.CompareAt(gp, ins[i].SuggestedRetail)
		gst := federation.StockLevel(ins[i].Availability, ins[i].Quantity)
		if gp != price || gs != status || gr != reason || gst != stock || (gc == nil) != (compareAt == nil) || (gc != nil && *gc != *compareAt) {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("case %d %+v %+v: Go %d %s %q %s, SQL %d %s %q %s", i, rules[i], ins[i], gp, gs, gr, gst, price, status, reason, stock)
			}
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != n || mismatches > 0 {
		t.Fatalf("%d rows, %d mismatches", i, mismatches)
	}
}
