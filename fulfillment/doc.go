// Package fulfillment turns a storefront customer's cart into an order whose lines are
// routed (package routing) to supplier drop-ship or a consortium warehouse, with
// oversell-free stock reservation, fulfilment orders and their lifecycle, shipments,
// supplier webhooks and sell-through data.
//
// Scopes. Every operation runs in one transaction under its caller's row-level-security
// scope. What a caller may cause but not touch is done by SQL functions that check the
// caller first (checkout: gm_checkout_sources, gm_checkout_stock, gm_checkout_place), or,
// for the consequences of a supplier's or seller's action on the other side's rows (a
// rejected line rerouted to a warehouse, a cancelled warehouse order's stock released,
// the SLA job), by switching the same transaction to the consortium's system scope after
// the caller's own rows were checked and changed under its scope.
package fulfillment
