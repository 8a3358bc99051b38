// Package routing decides, per order line, whether a consortium warehouse or the supplier
// ships it, by the storefront's policy, the ship-to region and distance, stock and lead
// times. It is a pure function: the checkout loads the candidates and writes the result.
package routing

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Policies a storefront may choose.
const (
	WarehouseFirst = "WAREHOUSE_FIRST" // fewer parcels: one warehouse holding everything, else consolidate
	SupplierFirst  = "SUPPLIER_FIRST"  // drop-ship wherever the supplier can
	Fastest        = "FASTEST"         // least lead/handling time plus transit, then distance
)

// Point is a place on Earth in degrees.
type Point struct{ Lat, Lng float64 }

// DistanceKm is the great-circle (haversine) distance between a and b.
func DistanceKm(a, b Point) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// TransitKmPerDay is the distance a parcel covers per day in the transit estimate.
const TransitKmPerDay = 500

// transitDays estimates ground transit: at least one day, one more per 500 km.
func transitDays(km float64) int { return 1 + int(km/TransitKmPerDay) }

// Direct is how a supplier can drop-ship a variant.
type Direct struct {
	From     Point
	Region   string
	ShipsTo  []string // regions it ships to
	LeadDays int
}

// Line is an order line to route.
type Line struct {
	ID         string // the caller's key for the line (e.g. its position or SKU)
	VariantID  uuid.UUID
	SupplierID uuid.UUID
	Supplier   string // display name, for reasons
	Quantity   int
	Direct     *Direct // nil: the supplier does not drop-ship this variant
}

// Warehouse is a consortium warehouse with the stock it can still promise.
type Warehouse struct {
	ID            uuid.UUID
	Name          string
	Location      Point
	RegionsServed []string
	HandlingDays  int
	Available     map[uuid.UUID]int // variant -> units available to reserve
}

// Destination is where the order ships.
type Destination struct {
	Point  Point
	Region string
}

// Kind of a route.
const (
	ToWarehouse = "WAREHOUSE"
	ToSupplier  = "SUPPLIER"
)

// Assignment is where one line goes and why.
type Assignment struct {
	LineID      string
	Kind        string    // ToWarehouse or ToSupplier
	WarehouseID uuid.UUID // when Kind is ToWarehouse
	SupplierID  uuid.UUID // the line's supplier (the payee in both cases)
	DistanceKm  float64
	Days        int    // estimated days to deliver
	Reason      string // e.g. "warehouse Shanghai has all 3 lines; 120 km"
}

// Group is one fulfilment order: the lines one warehouse or one supplier ships.
type Group struct {
	Kind        string
	WarehouseID uuid.UUID
	SupplierID  uuid.UUID
	LineIDs     []string
}

// Plan is the routing of a whole order.
type Plan struct {
	Assignments []Assignment // in the order of the input lines
	Groups      []Group      // warehouses first, then suppliers, each in first-line order
}

// NoRouteError names the lines nothing can ship.
type NoRouteError struct {
	LineIDs []string
	Reasons []string
}

func (e *NoRouteError) Error() string {
	parts := make([]string, len(e.LineIDs))
	for i := range e.LineIDs {
		parts[i] = fmt.Sprintf("line %s: %s", e.LineIDs[i], e.Reasons[i])
	}
	return "no route: " + strings.Join(parts, "; ")
}

type option struct {
	kind string
	wi   int // index of the warehouse, when kind is ToWarehouse
	wh   *Warehouse
	km   float64
	days int
}

// Serves reports whether a warehouse or supplier serving regions reaches region: "*" is
// everywhere, and a country ("DE") covers its subdivisions ("DE-BY"). The SQL function
// gm_region_served is the same rule.
func Serves(regions []string, region string) bool {
	country, _, _ := strings.Cut(region, "-")
	for _, r := range regions {
		if r == region || r == "*" || r == country {
			return true
		}
	}
	return false
}

func serves(regions []string, region string) bool { return Serves(regions, region) }

// directOption is the supplier's drop-ship route for l, if it ships to dest.
func directOption(l Line, dest Destination) (option, bool) {
	if l.Direct == nil || !serves(l.Direct.ShipsTo, dest.Region) {
		return option{}, false
	}
	km := DistanceKm(l.Direct.From, dest.Point)
	return option{kind: ToSupplier, km: km, days: l.Direct.LeadDays + transitDays(km)}, true
}

// Route plans every line. Stock is consumed as lines are placed, so two lines of one
// variant never promise the same units twice. The result is deterministic.
func Route(policy string, dest Destination, lines []Line, warehouses []Warehouse) (*Plan, error) {
	stock := make([]map[uuid.UUID]int, len(warehouses))
	for i, w := range warehouses {
		stock[i] = map[uuid.UUID]int{}
		if serves(w.RegionsServed, dest.Region) {
			for v, n := range w.Available {
				stock[i][v] = n
			}
		}
	}
	// Warehouses in a fixed order: nearest first, then by id.
	order := make([]int, len(warehouses))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		da, db := DistanceKm(warehouses[order[a]].Location, dest.Point), DistanceKm(warehouses[order[b]].Location, dest.Point)
		if da != db {
			return da < db
		}
		return warehouses[order[a]].ID.String() < warehouses[order[b]].ID.String()
	})
	whOption := func(i int) option {
		w := &warehouses[i]
		km := DistanceKm(w.Location, dest.Point)
		return option{kind: ToWarehouse, wi: i, wh: w, km: km, days: w.HandlingDays + transitDays(km)}
	}
	has := func(i int, l Line) bool { return stock[i][l.VariantID] >= l.Quantity }
	take := func(i int, l Line) { stock[i][l.VariantID] -= l.Quantity }

	assign := make([]*Assignment, len(lines))
	place := func(li int, o option, reason string) {
		l := lines[li]
		a := &Assignment{LineID: l.ID, Kind: o.kind, SupplierID: l.SupplierID, DistanceKm: math.Round(o.km), Days: o.days, Reason: reason}
		if o.kind == ToWarehouse {
			a.WarehouseID = o.wh.ID
			take(o.wi, l) // stock is promised as lines are placed
		}
		assign[li] = a
	}
	pending := func() []int {
		var out []int
		for i := range lines {
			if assign[i] == nil {
				out = append(out, i)
			}
		}
		return out
	}

	switch policy {
	case WarehouseFirst:
		// One warehouse holding every line is best: one parcel. Lines of one variant add up.
		need := map[uuid.UUID]int{}
		for _, l := range lines {
			need[l.VariantID] += l.Quantity
		}
		for _, wi := range order {
			all := len(lines) > 0
			for v, n := range need {
				if stock[wi][v] < n {
					all = false
					break
				}
			}
			if all {
				o := whOption(wi)
				for li := range lines {
					place(li, o, fmt.Sprintf("warehouse %s has all %d lines; %.0f km", o.wh.Name, len(lines), o.km))
				}
				break
			}
		}
		// Else consolidate: repeatedly take the warehouse that covers most remaining lines
		// (nearest on ties), so the order ships in as few parcels as possible.
		for {
			rest := pending()
			best, bestN := -1, 0
			for _, wi := range order {
				n, left := 0, map[uuid.UUID]int{}
				for _, li := range rest {
					l := lines[li]
					if _, ok := left[l.VariantID]; !ok {
						left[l.VariantID] = stock[wi][l.VariantID]
					}
					if left[l.VariantID] >= l.Quantity {
						left[l.VariantID] -= l.Quantity
						n++
					}
				}
				if n > bestN {
					best, bestN = wi, n
				}
			}
			if best < 0 {
				break
			}
			o := whOption(best)
			for _, li := range rest {
				if has(best, lines[li]) {
					place(li, o, fmt.Sprintf("warehouse %s consolidates %d of %d lines; %.0f km", o.wh.Name, bestN, len(lines), o.km))
				}
			}
		}
		for _, li := range pending() {
			if o, ok := directOption(lines[li], dest); ok {
				place(li, o, fmt.Sprintf("no warehouse serving %s holds it; supplier %s ships direct in %d days; %.0f km", dest.Region, lines[li].Supplier, o.days, o.km))
			}
		}
	case SupplierFirst:
		for li, l := range lines {
			if o, ok := directOption(l, dest); ok {
				place(li, o, fmt.Sprintf("supplier %s ships direct to %s in %d days; %.0f km", l.Supplier, dest.Region, o.days, o.km))
			}
		}
		for _, li := range pending() {
			for _, wi := range order {
				if has(wi, lines[li]) {
					o := whOption(wi)
					place(li, o, fmt.Sprintf("supplier %s does not ship to %s; warehouse %s has stock; %.0f km", lines[li].Supplier, dest.Region, o.wh.Name, o.km))
					break
				}
			}
		}
	case Fastest:
		for li, l := range lines {
			var best *option
			var why string
			if o, ok := directOption(l, dest); ok {
				best, why = &o, fmt.Sprintf("supplier %s direct", l.Supplier)
			}
			for _, wi := range order {
				if !has(wi, l) {
					continue
				}
				o := whOption(wi)
				if best == nil || o.days < best.days || (o.days == best.days && o.km < best.km) {
					best, why = &o, "warehouse "+o.wh.Name
				}
			}
			if best != nil {
				place(li, *best, fmt.Sprintf("fastest: %s in %d days; %.0f km", why, best.days, best.km))
			}
		}
	default:
		return nil, fmt.Errorf("unknown routing policy %q", policy)
	}

	var noRoute NoRouteError
	for li, a := range assign {
		if a == nil {
			l := lines[li]
			why := fmt.Sprintf("no warehouse serving %s has %d in stock", dest.Region, l.Quantity)
			if l.Direct == nil {
				why += ", and the supplier does not ship direct"
			} else {
				why += fmt.Sprintf(", and supplier %s does not ship to %s", l.Supplier, dest.Region)
			}
			noRoute.LineIDs = append(noRoute.LineIDs, l.ID)
			noRoute.Reasons = append(noRoute.Reasons, why)
		}
	}
	if len(noRoute.LineIDs) > 0 {
		return nil, &noRoute
	}
	plan := &Plan{Assignments: make([]Assignment, len(lines))}
	groupIdx := map[string]int{}
	var whGroups, supGroups []Group
	for i, a := range assign {
		plan.Assignments[i] = *a
		key := a.Kind + ":" + a.WarehouseID.String()
		if a.Kind == ToSupplier {
			key = a.Kind + ":" + a.SupplierID.String()
		}
		gi, ok := groupIdx[key]
		if !ok {
			g := Group{Kind: a.Kind, WarehouseID: a.WarehouseID, SupplierID: a.SupplierID}
			if a.Kind == ToWarehouse {
				g.SupplierID = uuid.Nil // a warehouse order can hold many suppliers' goods
				gi = len(whGroups)
				whGroups = append(whGroups, g)
			} else {
				gi = len(supGroups)
				supGroups = append(supGroups, g)
			}
			groupIdx[key] = gi
		}
		if a.Kind == ToWarehouse {
			whGroups[gi].LineIDs = append(whGroups[gi].LineIDs, a.LineID)
		} else {
			supGroups[gi].LineIDs = append(supGroups[gi].LineIDs, a.LineID)
		}
	}
	plan.Groups = append(whGroups, supGroups...)
	return plan, nil
}
