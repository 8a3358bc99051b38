package routing_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/routing"
)

var (
	shanghai  = routing.Point{Lat: 31.23, Lng: 121.47}
	hangzhou  = routing.Point{Lat: 30.27, Lng: 120.15}
	beijing   = routing.Point{Lat: 39.90, Lng: 116.40}
	guangzhou = routing.Point{Lat: 23.13, Lng: 113.26}
	customer  = routing.Destination{Point: routing.Point{Lat: 31.20, Lng: 121.50}, Region: "CN-SH"}

	vA, vB, vC      = uuid.MustParse("00000000-0000-0000-0000-00000000000a"), uuid.MustParse("00000000-0000-0000-0000-00000000000b"), uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	s1, s2, s3      = uuid.MustParse("00000000-0000-0000-0000-000000000001"), uuid.MustParse("00000000-0000-0000-0000-000000000002"), uuid.MustParse("00000000-0000-0000-0000-000000000003")
	whSH, whBJ      = uuid.MustParse("00000000-0000-0000-0000-0000000000f1"), uuid.MustParse("00000000-0000-0000-0000-0000000000f2")
	hangzhouDirect  = &routing.Direct{From: hangzhou, Region: "CN-ZJ", ShipsTo: []string{"CN-ZJ", "CN-SH"}, LeadDays: 2}
	guangzhouDirect = &routing.Direct{From: guangzhou, Region: "CN-GD", ShipsTo: []string{"CN-GD"}, LeadDays: 1}
)

func line(id string, v, s uuid.UUID, q int, d *routing.Direct) routing.Line {
	return routing.Line{ID: id, VariantID: v, SupplierID: s, Supplier: "S" + id, Quantity: q, Direct: d}
}

func whs(sh, bj map[uuid.UUID]int, shHandling int) []routing.Warehouse {
	return []routing.Warehouse{
		{ID: whSH, Name: "Shanghai", Location: shanghai, RegionsServed: []string{"CN-SH", "CN-ZJ"}, HandlingDays: shHandling, Available: sh},
		{ID: whBJ, Name: "Beijing", Location: beijing, RegionsServed: []string{"CN-BJ", "CN-SH"}, HandlingDays: 1, Available: bj},
	}
}

func TestDistance(t *testing.T) {
	if d := routing.DistanceKm(shanghai, beijing); math.Abs(d-1068) > 15 {
		t.Errorf("Shanghai–Beijing %.0f km, want about 1068", d)
	}
	if d := routing.DistanceKm(shanghai, shanghai); d != 0 {
		t.Errorf("zero distance %f", d)
	}
}

func TestRoute(t *testing.T) {
	type want struct {
		routes []string // per line: "W:Shanghai", "W:Beijing" or "S:<supplier id suffix>"
		groups int
		reason string // substring of the first line's reason
	}
	for name, tc := range map[string]struct {
		policy string
		lines  []routing.Line
		wh     []routing.Warehouse
		want   want
	}{
		"WarehouseFirstOneWarehouseHasAll": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect), line("2", vB, s2, 2, nil), line("3", vC, s3, 1, nil)},
			whs(map[uuid.UUID]int{vA: 5, vB: 5, vC: 5}, nil, 1),
			want{[]string{"W:Shanghai", "W:Shanghai", "W:Shanghai"}, 1, "warehouse Shanghai has all 3 lines"}},
		"WarehouseFirstPrefersOneParcelOverDistance": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 1, nil), line("2", vB, s2, 1, nil), line("3", vC, s3, 1, nil)},
			whs(map[uuid.UUID]int{vA: 5, vB: 5}, map[uuid.UUID]int{vA: 1, vB: 1, vC: 1}, 1),
			want{[]string{"W:Beijing", "W:Beijing", "W:Beijing"}, 1, "warehouse Beijing has all 3 lines"}},
		"WarehouseFirstConsolidates": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 1, nil), line("2", vB, s2, 1, nil), line("3", vC, s3, 1, nil)},
			whs(map[uuid.UUID]int{vA: 5}, map[uuid.UUID]int{vB: 1, vC: 1}, 1),
			want{[]string{"W:Shanghai", "W:Beijing", "W:Beijing"}, 2, "consolidates 1 of 3"}},
		"WarehouseFirstFallsBackToSupplier": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect)}, whs(nil, nil, 1),
			want{[]string{"S:1"}, 1, "ships direct"}},
		"StockAddsUpAcrossLines": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 3, nil), line("2", vA, s1, 3, nil)},
			whs(map[uuid.UUID]int{vA: 5}, map[uuid.UUID]int{vA: 3}, 1),
			want{[]string{"W:Shanghai", "W:Beijing"}, 2, "consolidates"}},
		"WarehouseOutsideRegionIgnored": {routing.WarehouseFirst,
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect)},
			[]routing.Warehouse{{ID: whBJ, Name: "Beijing", Location: beijing, RegionsServed: []string{"CN-BJ"}, Available: map[uuid.UUID]int{vA: 9}}},
			want{[]string{"S:1"}, 1, "supplier"}},
		"SupplierFirst": {routing.SupplierFirst,
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect), line("2", vB, s2, 1, guangzhouDirect)},
			whs(map[uuid.UUID]int{vA: 5, vB: 5}, nil, 1),
			want{[]string{"S:1", "W:Shanghai"}, 2, "supplier S1 ships direct to CN-SH"}},
		"FastestPicksWarehouse": {routing.Fastest, // warehouse 1 + 1 day vs supplier 2 + 1 days
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect)}, whs(map[uuid.UUID]int{vA: 5}, nil, 1),
			want{[]string{"W:Shanghai"}, 1, "fastest: warehouse Shanghai in 2 days"}},
		"FastestPicksSupplier": {routing.Fastest, // warehouse 4 + 1 days vs supplier 2 + 1
			[]routing.Line{line("1", vA, s1, 1, hangzhouDirect)}, whs(map[uuid.UUID]int{vA: 5}, nil, 4),
			want{[]string{"S:1"}, 1, "fastest: supplier S1 direct in 3 days"}},
		"FastestTieGoesToNearer": {routing.Fastest, // same days: Shanghai 0 km beats Beijing 1068 km? Beijing is 1+3 days, so Shanghai anyway
			[]routing.Line{line("1", vA, s1, 1, nil)}, whs(map[uuid.UUID]int{vA: 1}, map[uuid.UUID]int{vA: 1}, 1),
			want{[]string{"W:Shanghai"}, 1, "Shanghai"}},
	} {
		t.Run(name, func(t *testing.T) {
			plan, err := routing.Route(tc.policy, customer, tc.lines, tc.wh)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range plan.Assignments {
				got := "S:" + a.SupplierID.String()[35:]
				if a.Kind == routing.ToWarehouse {
					for _, w := range tc.wh {
						if w.ID == a.WarehouseID {
							got = "W:" + w.Name
						}
					}
				}
				if got != tc.want.routes[i] {
					t.Errorf("line %d → %s, want %s (%s)", i, got, tc.want.routes[i], a.Reason)
				}
				if a.Reason == "" {
					t.Errorf("line %d has no reason", i)
				}
			}
			if len(plan.Groups) != tc.want.groups {
				t.Errorf("%d fulfilment orders, want %d: %+v", len(plan.Groups), tc.want.groups, plan.Groups)
			}
			if !strings.Contains(plan.Assignments[0].Reason, tc.want.reason) {
				t.Errorf("reason %q lacks %q", plan.Assignments[0].Reason, tc.want.reason)
			}
		})
	}
}

func TestNoRoute(t *testing.T) {
	lines := []routing.Line{line("1", vA, s1, 1, hangzhouDirect), line("2", vC, s3, 2, guangzhouDirect), line("3", vB, s2, 1, nil)}
	for _, p := range []string{routing.WarehouseFirst, routing.SupplierFirst, routing.Fastest} {
		_, err := routing.Route(p, customer, lines, whs(map[uuid.UUID]int{vC: 1}, nil, 1))
		var nr *routing.NoRouteError
		if !errors.As(err, &nr) {
			t.Fatalf("%s: got %v, want NoRouteError", p, err)
		}
		if strings.Join(nr.LineIDs, ",") != "2,3" {
			t.Errorf("%s: unroutable lines %v, want 2,3 (%v)", p, nr.LineIDs, err)
		}
		if !strings.Contains(nr.Reasons[0], "does not ship to CN-SH") || !strings.Contains(nr.Reasons[1], "does not ship direct") {
			t.Errorf("%s: reasons %q", p, nr.Reasons)
		}
	}
	if _, err := routing.Route("CHEAPEST", customer, lines, nil); err == nil {
		t.Error("unknown policy accepted")
	}
}

func TestGroupsOnePerSupplierAndWarehouse(t *testing.T) {
	lines := []routing.Line{line("1", vA, s1, 1, hangzhouDirect), line("2", vB, s1, 1, hangzhouDirect), line("3", vC, s3, 1, nil)}
	plan, err := routing.Route(routing.SupplierFirst, customer, lines, whs(map[uuid.UUID]int{vC: 1}, nil, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Groups) != 2 || plan.Groups[0].Kind != routing.ToWarehouse || len(plan.Groups[1].LineIDs) != 2 {
		t.Fatalf("groups %+v: want the warehouse order and one order for supplier 1 with both its lines", plan.Groups)
	}
}

func TestServes(t *testing.T) {
	for _, tc := range []struct {
		served []string
		region string
		want   bool
	}{
		{[]string{"DE-BY"}, "DE-BY", true},
		{[]string{"DE"}, "DE-BY", true},
		{[]string{"DE"}, "DE", true},
		{[]string{"*"}, "CN-SH", true},
		{[]string{"DE-BY"}, "DE", false},
		{[]string{"DE-BY"}, "DE-BE", false},
		{[]string{"D"}, "DE-BY", false},
		{nil, "DE", false},
	} {
		if got := routing.Serves(tc.served, tc.region); got != tc.want {
			t.Errorf("Serves(%v, %q) = %v, want %v", tc.served, tc.region, got, tc.want)
		}
	}
}
