package fulfillment

import (
	"errors"
	"math"
	"strings"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/fulfillment/routing"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Address is a ship-to address. Latitude and longitude place it for routing by
// distance; Region (ISO 3166-2, e.g. "DE-BY") or else Country decides which warehouses
// and suppliers serve it.
type Address struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Region     string
	Country    string
	Latitude   float64
	Longitude  float64
}

// Validate checks a, reporting fields under prefix.
func (a Address) Validate(prefix string) error {
	f := func(n string) string { return prefix + "." + n }
	var errs []error
	for _, r := range []struct {
		name, v string
		max     int
		req     bool
	}{{"name", a.Name, 200, true}, {"line1", a.Line1, 200, true}, {"line2", a.Line2, 200, false},
		{"city", a.City, 100, true}, {"postalCode", a.PostalCode, 20, true}} {
		v := strings.TrimSpace(r.v)
		if r.req && v == "" {
			errs = append(errs, apperr.Invalid(f(r.name), "is required"))
		} else if len([]rune(v)) > r.max {
			errs = append(errs, apperr.Invalid(f(r.name), "must be at most %d characters", r.max))
		}
	}
	if len(a.Country) != 2 || !catalog.ValidRegion(a.Country) {
		errs = append(errs, apperr.Invalid(f("country"), "must be an ISO 3166-1 alpha-2 code such as DE"))
	}
	if a.Region != "" && (!catalog.ValidRegion(a.Region) || !strings.HasPrefix(a.Region, a.Country+"-")) {
		errs = append(errs, apperr.Invalid(f("region"), "must be an ISO 3166-2 code of the country, such as %s-BY", a.Country))
	}
	if math.IsNaN(a.Latitude) || a.Latitude < -90 || a.Latitude > 90 {
		errs = append(errs, apperr.Invalid(f("latitude"), "must be between -90 and 90"))
	}
	if math.IsNaN(a.Longitude) || a.Longitude < -180 || a.Longitude > 180 {
		errs = append(errs, apperr.Invalid(f("longitude"), "must be between -180 and 180"))
	}
	return errors.Join(errs...)
}

// DestinationRegion is the region routing matches: the subdivision, else the country.
func (a Address) DestinationRegion() string {
	if a.Region != "" {
		return a.Region
	}
	return a.Country
}

// Destination is a as routing sees it.
func (a Address) Destination() routing.Destination {
	return routing.Destination{Point: routing.Point{Lat: a.Latitude, Lng: a.Longitude}, Region: a.DestinationRegion()}
}

func (a Address) trimmed() Address {
	a.Name, a.Line1, a.Line2 = strings.TrimSpace(a.Name), strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2)
	a.City, a.PostalCode = strings.TrimSpace(a.City), strings.TrimSpace(a.PostalCode)
	return a
}
