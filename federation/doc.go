// Package federation turns the shared catalog into private storefronts: a seller
// republishes entitled offers as listings priced by its own rules, customer groups get
// their own prices, and supplier changes propagate into every listing set-based, in the
// transaction of the change (see schema/migrations/006_federation.sql).
package federation
